/**
 * The recording archive's on-disk format, pure: segment names, the per-frame index records
 * and the searches over them. The recorder (hub/recorder.ts) writes it, recovery
 * (lib/archive_recovery.ts) repairs it, playback reads it.
 *
 * A camera's segment is two files under `<data>/recordings/<serial>/`:
 *  - `<start>.mjpeg`: the camera's JPEGs exactly as received, back to back (what
 *    `ffmpeg -f mjpeg` reads as is);
 *  - `<start>.idx`: an 8-byte header then one fixed-size record per frame, in capture order.
 * `<start>` is the capture time of the segment's first frame, epoch milliseconds, zero-padded
 * to 15 digits so that names sort by time.
 *
 * A record is 24 bytes, little-endian: capture time at the hub (u64 epoch ms), offset in the
 * `.mjpeg` file (u64), length (u32), check (u32, FNV-1a of the 20 bytes before it). The check
 * tells a record from the zeros or garbage a crash can leave at the end of a file.
 */

export const INDEX_MAGIC = new TextEncoder().encode("TCIDX001");
export const INDEX_HEADER_BYTES = INDEX_MAGIC.length;
export const INDEX_RECORD_BYTES = 24;
export const SEGMENT_DATA_EXT = ".mjpeg";
export const SEGMENT_INDEX_EXT = ".idx";

export interface IndexRecord {
  /** Capture time at the hub, epoch ms. */
  time: number;
  /** Byte offset of the JPEG in the segment's data file. */
  offset: number;
  /** Byte length of the JPEG. */
  length: number;
}

const NAME_DIGITS = 15;

/** The file stem of a segment starting at `startMs` (epoch ms). */
export function segmentStem(startMs: number): string {
  if (!Number.isSafeInteger(startMs) || startMs < 0) {
    throw new RangeError(`Invalid segment start: "${startMs}"`);
  }
  return String(startMs).padStart(NAME_DIGITS, "0");
}

/** The start time of a segment file name (data or index), or undefined for other names. */
export function parseSegmentName(
  name: string,
): { start: number; kind: "data" | "index" } | undefined {
  const m = /^(\d{15})(\.mjpeg|\.idx)$/.exec(name);
  if (!m) return undefined;
  return { start: Number(m[1]), kind: m[2] === SEGMENT_DATA_EXT ? "data" : "index" };
}

function check(view: DataView, at: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < at + 20; i++) h = Math.imul(h ^ view.getUint8(i), 0x01000193);
  return h >>> 0;
}

/** Writes one record at `at` of `out`. */
export function writeRecord(out: Uint8Array, at: number, r: IndexRecord): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigUint64(at, BigInt(r.time), true);
  view.setBigUint64(at + 8, BigInt(r.offset), true);
  view.setUint32(at + 16, r.length, true);
  view.setUint32(at + 20, check(view, at), true);
}

/** Encodes records, back to back (no header). */
export function encodeRecords(records: readonly IndexRecord[]): Uint8Array {
  const out = new Uint8Array(records.length * INDEX_RECORD_BYTES);
  records.forEach((r, i) => writeRecord(out, i * INDEX_RECORD_BYTES, r));
  return out;
}

/** The record at `at` of `bytes`, or undefined when its check fails. */
export function readRecord(bytes: Uint8Array, at: number): IndexRecord | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(at + 20, true) !== check(view, at)) return undefined;
  return {
    time: Number(view.getBigUint64(at, true)),
    offset: Number(view.getBigUint64(at + 8, true)),
    length: view.getUint32(at + 16, true),
  };
}

/** What an index file holds: its valid records and what follows them. */
export interface ParsedIndex {
  /** Whether the file starts with the magic header (an empty file does not). */
  header: boolean;
  records: IndexRecord[];
  /** Bytes after the last valid record: a torn or corrupt tail (recovery truncates them). */
  trailingBytes: number;
}

/**
 * Reads an index file's bytes, fed in chunks of any size (a record may span two chunks).
 * Stops at the first record whose check fails or whose time runs backwards: what follows
 * cannot be trusted, so it counts as trailing bytes.
 */
export class IndexDecoder {
  #pending = new Uint8Array(0);
  #header: boolean | undefined;
  #records: IndexRecord[] = [];
  #stopped = false;
  #trailing = 0;

  push(chunk: Uint8Array): void {
    if (this.#stopped) {
      this.#trailing += chunk.length;
      return;
    }
    const buf = new Uint8Array(this.#pending.length + chunk.length);
    buf.set(this.#pending);
    buf.set(chunk, this.#pending.length);
    let at = 0;
    if (this.#header === undefined) {
      if (buf.length < INDEX_HEADER_BYTES) {
        this.#pending = buf;
        return;
      }
      this.#header = INDEX_MAGIC.every((b, i) => buf[i] === b);
      if (!this.#header) {
        this.#stop(buf.length);
        return;
      }
      at = INDEX_HEADER_BYTES;
    }
    const last = this.#records.at(-1);
    let lastTime = last?.time ?? -Infinity;
    for (; at + INDEX_RECORD_BYTES <= buf.length; at += INDEX_RECORD_BYTES) {
      const r = readRecord(buf, at);
      if (!r || r.time < lastTime) {
        this.#stop(buf.length - at);
        return;
      }
      this.#records.push(r);
      lastTime = r.time;
    }
    this.#pending = buf.slice(at);
  }

  finish(): ParsedIndex {
    return {
      header: this.#header === true,
      records: this.#records,
      trailingBytes: this.#trailing + this.#pending.length,
    };
  }

  #stop(rest: number): void {
    this.#stopped = true;
    this.#trailing = rest;
    this.#pending = new Uint8Array(0);
  }
}

/** Parses a whole index file. */
export function parseIndex(bytes: Uint8Array): ParsedIndex {
  const d = new IndexDecoder();
  d.push(bytes);
  return d.finish();
}

/**
 * The position of the record nearest instant `t` in records sorted by time (a tie goes to
 * the earlier frame), by binary search; -1 when there are none.
 */
export function nearestRecord(records: readonly IndexRecord[], t: number): number {
  if (records.length === 0) return -1;
  let lo = 0;
  let hi = records.length;
  // First record at or after t (records.length when none).
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (records[mid].time < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo === records.length) return lo - 1;
  if (lo > 0 && t - records[lo - 1].time <= records[lo].time - t) return lo - 1;
  return lo;
}

/**
 * The segment (by start time, sorted ascending) that holds instant `t`: the last one starting
 * at or before it, or the first when `t` is earlier than all; -1 when there are none.
 */
export function segmentAt(starts: readonly number[], t: number): number {
  if (starts.length === 0) return -1;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}
