/**
 * What routes see of the recording archive (hub/archive_reader.ts implements it), and the
 * pure summary of segments into recorded ranges.
 */
import type { IndexRecord } from "./archive_index.ts";

/** A stretch of recording without a gap longer than {@link RANGE_GAP_MS}. */
export interface RecordedRange {
  /** Capture time of the first and last frame in the range, epoch ms. */
  from: number;
  to: number;
  frames: number;
  /** JPEG bytes. */
  bytes: number;
}

export interface RecordedFrame {
  /** Capture time at the hub, epoch ms. */
  time: number;
  jpeg: Uint8Array<ArrayBuffer>;
}

export interface RecordingArchive {
  /** The recorded ranges of a camera that overlap `[from, to]`, cut to it, oldest first. */
  ranges(serial: string, from: number, to: number): Promise<RecordedRange[]>;
  /** The recorded frame nearest instant `t`, however far; undefined when none is recorded. */
  frameNearest(serial: string, t: number): Promise<RecordedFrame | undefined>;
  /**
   * The frames captured in `[from, to]`, oldest first, read one at a time. The segment being
   * read is leased (retention leaves it); frames the recorder appends while the iteration runs
   * are included up to `to`. Ends early when `signal` aborts or the consumer stops.
   */
  frames(
    serial: string,
    from: number,
    to: number,
    options?: { signal?: AbortSignal },
  ): AsyncIterable<RecordedFrame>;
}

/** Frames further apart than this start a new range: recording stopped or the camera did. */
export const RANGE_GAP_MS = 5000;

/**
 * Adds the frames of `records` inside `[from, to]` to `ranges` (records in time order, after
 * those already summed), merging with the last range unless a gap splits them.
 */
export function addToRanges(
  ranges: RecordedRange[],
  records: readonly IndexRecord[],
  from: number,
  to: number,
): RecordedRange[] {
  for (const r of records) {
    if (r.time < from || r.time > to) continue;
    const last = ranges.at(-1);
    if (last && r.time - last.to <= RANGE_GAP_MS) {
      last.to = r.time;
      last.frames++;
      last.bytes += r.length;
    } else {
      ranges.push({ from: r.time, to: r.time, frames: 1, bytes: r.length });
    }
  }
  return ranges;
}
