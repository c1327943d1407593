/**
 * Reads one camera's archive (`<data>/recordings/<serial>/`): its segments, their indexes
 * and single frames, found by binary search over the segment names and the index, never by
 * scanning the data. Only complete index records are read, so a segment being written is
 * readable while the recorder appends to it.
 */
import {
  type IndexRecord,
  nearestRecord,
  parseIndex,
  parseSegmentName,
  SEGMENT_DATA_EXT,
  SEGMENT_INDEX_EXT,
  segmentAt,
  segmentStem,
} from "../lib/archive_index.ts";

import {
  addToRanges,
  type RecordedFrame,
  type RecordedRange,
  type RecordingArchive,
} from "../lib/recordings.ts";
import { SegmentLeases } from "../lib/segment_leases.ts";

/**
 * The archive under `dir` (`<data>/recordings`), for routes; serials already validated.
 * Readers lease the segments they read from `leases` (shared with retention).
 */
export function openArchive(
  dir: string,
  leases: SegmentLeases = new SegmentLeases(),
): RecordingArchive {
  return {
    ranges: (serial, from, to) => rangesOf(`${dir}/${serial}`, from, to),
    frameNearest: (serial, t) => frameNearest(`${dir}/${serial}`, t),
    frames: (serial, from, to, options) =>
      framesOf({ cameraDir: `${dir}/${serial}`, serial, leases }, from, to, options?.signal),
  };
}

/** Recorded ranges overlapping `[from, to]`, reading only the indexes of the segments in it. */
export async function rangesOf(
  cameraDir: string,
  from: number,
  to: number,
): Promise<RecordedRange[]> {
  const starts = await listSegments(cameraDir);
  const ranges: RecordedRange[] = [];
  for (let i = Math.max(0, segmentAt(starts, from)); i < starts.length && starts[i] <= to; i++) {
    const records = await readSegmentIndex(cameraDir, starts[i]).catch(orNone);
    addToRanges(ranges, records, from, to);
  }
  return ranges;
}

/** A segment removed meanwhile (recovery, later retention) holds nothing. */
function orNone(err: unknown): IndexRecord[] {
  if (err instanceof Deno.errors.NotFound) return [];
  throw err;
}

function orMissing(err: unknown): undefined {
  if (err instanceof Deno.errors.NotFound) return undefined;
  throw err;
}

/**
 * Listings of camera directories, reused while the directory's mtime is unchanged. Adding or
 * removing a file (the recorder opening a segment, retention or recovery deleting one, in
 * this process or another) moves the mtime, so a listing is never stale. Only a directory
 * left unchanged for {@link SETTLED_MS} before it was read is cached: a change in the same
 * clock tick as the read (or within a coarse filesystem's timestamp step) cannot hide.
 */
const listings = new Map<string, { mtime: number; starts: readonly number[] }>();
const MAX_LISTINGS = 1024;
const SETTLED_MS = 5000;

/** Start times of a camera's segments (those with an index), ascending; [] when none. */
export async function listSegments(cameraDir: string): Promise<number[]> {
  let mtime: number | undefined;
  try {
    mtime = (await Deno.stat(cameraDir)).mtime?.getTime();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    listings.delete(cameraDir);
    return [];
  }
  const cached = listings.get(cameraDir);
  if (cached && cached.mtime === mtime) return [...cached.starts];
  const readAt = Date.now();
  const starts: number[] = [];
  try {
    for await (const e of Deno.readDir(cameraDir)) {
      const seg = e.isFile ? parseSegmentName(e.name) : undefined;
      if (seg?.kind === "index") starts.push(seg.start);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return starts;
    throw err;
  }
  starts.sort((a, b) => a - b);
  listings.delete(cameraDir);
  if (mtime !== undefined && mtime < readAt - SETTLED_MS) {
    if (listings.size >= MAX_LISTINGS) listings.delete(listings.keys().next().value!);
    listings.set(cameraDir, { mtime, starts: [...starts] });
  }
  return starts;
}

/** The complete records of one segment's index. */
export async function readSegmentIndex(cameraDir: string, start: number): Promise<IndexRecord[]> {
  const bytes = await Deno.readFile(`${cameraDir}/${segmentStem(start)}${SEGMENT_INDEX_EXT}`);
  return parseIndex(bytes).records;
}

/** One frame's JPEG, read at its offset. */
export async function readFrame(
  cameraDir: string,
  start: number,
  record: IndexRecord,
): Promise<Uint8Array<ArrayBuffer>> {
  using f = await Deno.open(`${cameraDir}/${segmentStem(start)}${SEGMENT_DATA_EXT}`);
  return await readAt(f, record, start);
}

/** The recorded frame nearest instant `t` (epoch ms), or undefined when nothing is recorded. */
export async function frameNearest(
  cameraDir: string,
  t: number,
): Promise<RecordedFrame | undefined> {
  const starts = await listSegments(cameraDir);
  const i = segmentAt(starts, t);
  if (i < 0) return undefined;
  // The nearest frame is in the segment holding t, or first in the next one (t in a gap).
  let best: { start: number; record: IndexRecord } | undefined;
  for (const start of starts.slice(i, i + 2)) {
    const records = await readSegmentIndex(cameraDir, start);
    const at = nearestRecord(records, t);
    if (at < 0) continue;
    const r = records[at];
    if (!best || Math.abs(r.time - t) < Math.abs(best.record.time - t)) best = { start, record: r };
  }
  if (!best) return undefined;
  return { time: best.record.time, jpeg: await readFrame(cameraDir, best.start, best.record) };
}

interface CameraArchive {
  cameraDir: string;
  serial: string;
  leases: SegmentLeases;
}

/**
 * Frames of `[from, to]` in capture order. Each segment's data file stays open (and leased)
 * while its frames are read. When the known segments are exhausted, the listing and the last
 * index are read again: the recorder may have appended since, up to `to`.
 */
export async function* framesOf(
  cam: CameraArchive,
  from: number,
  to: number,
  signal?: AbortSignal,
): AsyncGenerator<RecordedFrame> {
  // Frames at or before `after` were yielded (or precede the range).
  let after = from - 1;
  for (;;) {
    const starts = await listSegments(cam.cameraDir);
    let progressed = false;
    for (let i = Math.max(0, segmentAt(starts, after + 1)); i < starts.length; i++) {
      if (starts[i] > to) return;
      if (signal?.aborted) return;
      using _lease = cam.leases.acquire(cam.serial, starts[i]);
      const records = await readSegmentIndex(cam.cameraDir, starts[i]).catch(orNone);
      const wanted = records.filter((r) => r.time > after && r.time <= to);
      if (wanted.length === 0) continue;
      // Deleted between its index and its data (retention, before this lease): skipped. Once
      // open, the data stays readable whatever happens to the file.
      using data = await Deno.open(`${cam.cameraDir}/${segmentStem(starts[i])}${SEGMENT_DATA_EXT}`)
        .catch(orMissing);
      if (!data) continue;
      for (const r of wanted) {
        if (signal?.aborted) return;
        yield { time: r.time, jpeg: await readAt(data, r, starts[i]) };
        after = r.time;
        progressed = true;
      }
    }
    if (!progressed) return;
  }
}

async function readAt(
  f: Deno.FsFile,
  record: IndexRecord,
  start: number,
): Promise<Uint8Array<ArrayBuffer>> {
  await f.seek(record.offset, Deno.SeekMode.Start);
  const out = new Uint8Array(record.length);
  for (let at = 0; at < out.length;) {
    const n = await f.read(out.subarray(at));
    if (n === null) throw new Error(`Segment ${start} ends before its frame at ${record.offset}`);
    at += n;
  }
  return out;
}
