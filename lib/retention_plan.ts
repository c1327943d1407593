/**
 * Which recording segments retention deletes, decided from a listing of the archive alone
 * (hub/retention.ts does the I/O). In order:
 *  1. age: every segment whose last write is older than `--retain-days`;
 *  2. the quota (`--retain-bytes`) and the free-space floor (`--min-free-bytes`): oldest
 *     first within a camera, and across cameras the camera holding the most bytes gives up
 *     its oldest segment next. So a camera sending large frames, or one with a long history,
 *     pays for the space it takes, and cannot push a quiet camera's whole archive out: under
 *     pressure the cameras converge on equal shares of the disk (a global oldest-first rule
 *     would instead let one busy camera erase the only recording of a camera that was off).
 * Never deleted: a camera's segment the recorder is writing (or opening), and a leased segment
 * (a reader is in it; it is only deferred, the next sweep deletes it once released).
 * When the floor cannot be reached by deleting, recording must pause; then nothing is deleted
 * for the floor (recordings that would not make room are kept: the space went elsewhere).
 */
import { formatByteSize, formatDuration } from "./byte_size.ts";

export interface SegmentEntry {
  /** Start time (the segment's name), epoch ms. */
  start: number;
  /** Bytes of its data and index files. */
  bytes: number;
  /** When it was last written (≥ its last frame's capture time), epoch ms. */
  end: number;
}

export interface CameraSegments {
  serial: string;
  /** Ascending by start. */
  segments: readonly SegmentEntry[];
  /** Segments starting at or after this are being written by the recorder: never deleted. */
  writingFrom?: number;
}

export interface RetentionLimits {
  retainMs: number;
  /** Total bytes of all recordings; null = no quota. */
  retainBytes: number | null;
  /** Free bytes to keep; null = 1 GiB or 5% of the volume, whichever is smaller. */
  minFreeBytes: number | null;
}

export interface FreeSpace {
  /** Bytes an unprivileged writer may still use. */
  availableBytes: number;
  /** Size of the volume. */
  totalBytes: number;
}

export interface RetentionInput {
  cameras: readonly CameraSegments[];
  now: number;
  limits: RetentionLimits;
  /** Free space on the archive's volume; undefined when unknown (the floor is not applied). */
  free?: FreeSpace;
  isLeased(serial: string, start: number): boolean;
}

export type DeletionReason = "age" | "quota" | "floor";

export interface Deletion {
  serial: string;
  start: number;
  bytes: number;
  reason: DeletionReason;
}

export interface RetentionPlan {
  /** In the order chosen. */
  deletions: Deletion[];
  /** Leased segments that would have been deleted: left for a later sweep. */
  deferred: number;
  /** Bytes of recordings left after the deletions. */
  keptBytes: number;
  /** The free-space floor in force, bytes; undefined when free space is unknown. */
  floorBytes?: number;
  /** Free space is below the floor even after every possible deletion: stop writing. */
  pause: boolean;
}

const GIB = 2 ** 30;

/** The floor in force: `--min-free-bytes`, or the smaller of 1 GiB and 5% of the volume. */
export function floorOf(limits: RetentionLimits, free: FreeSpace): number {
  return limits.minFreeBytes ?? Math.min(GIB, Math.floor(free.totalBytes * 0.05));
}

/** One camera as the plan goes (indexes into its segments: no copies of a large archive). */
interface Candidate {
  serial: string;
  segments: readonly SegmentEntry[];
  /** Segments from this index on are being written. */
  limit: number;
  /** The next segment to give. */
  next: number;
  /** Segments deleted for age (skipped under pressure). */
  aged: Set<number>;
  /** Bytes the camera still holds (deletable or not). */
  held: number;
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const { limits, free, isLeased } = input;
  const deletions: Deletion[] = [];
  const deferred = new Set<string>();
  const cutoff = input.now - limits.retainMs;
  const candidates: Candidate[] = [];
  let kept = 0;
  let ageFreed = 0;
  for (const cam of input.cameras) {
    const { serial, segments, writingFrom } = cam;
    let limit = segments.length;
    while (writingFrom !== undefined && limit > 0 && segments[limit - 1].start >= writingFrom) {
      limit--;
    }
    const c: Candidate = { serial, segments, limit, next: 0, aged: new Set(), held: 0 };
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      if (i < limit && s.end < cutoff) {
        if (isLeased(serial, s.start)) deferred.add(`${serial}/${s.start}`);
        else {
          deletions.push({ serial, start: s.start, bytes: s.bytes, reason: "age" });
          c.aged.add(i);
          ageFreed += s.bytes;
          continue;
        }
      }
      c.held += s.bytes;
    }
    kept += c.held;
    candidates.push(c);
  }
  const floorBytes = free && floorOf(limits, free);
  const available = free ? free.availableBytes + ageFreed : Infinity;
  const quotaNeed = limits.retainBytes === null ? 0 : kept - limits.retainBytes;
  const floorNeed = floorBytes === undefined ? 0 : floorBytes - available;
  // Deleting cannot reach the floor: keep the recordings (only the quota's share goes).
  const floorReachable = floorNeed <= Math.max(quotaNeed, 0) ||
    floorNeed <= deletableBytes(candidates, isLeased);
  let freed = 0;
  const need = floorReachable ? Math.max(quotaNeed, floorNeed) : quotaNeed;
  while (freed < need) {
    const c = nextToGive(candidates);
    if (!c) break;
    const s = c.segments[c.next++];
    if (isLeased(c.serial, s.start)) {
      // A reader is in it: the next one goes instead, this one at a later sweep.
      deferred.add(`${c.serial}/${s.start}`);
      continue;
    }
    const reason = quotaNeed - freed > 0 ? "quota" : "floor";
    deletions.push({ serial: c.serial, start: s.start, bytes: s.bytes, reason });
    c.held -= s.bytes;
    kept -= s.bytes;
    freed += s.bytes;
  }
  return {
    deletions,
    deferred: deferred.size,
    keptBytes: kept,
    floorBytes,
    pause: floorBytes !== undefined && available + freed < floorBytes,
  };
}

/** Bytes that could go after the age deletions: neither being written nor leased. */
function deletableBytes(
  candidates: readonly Candidate[],
  isLeased: RetentionInput["isLeased"],
): number {
  let n = 0;
  for (const c of candidates) {
    for (let i = 0; i < c.limit; i++) {
      if (!c.aged.has(i) && !isLeased(c.serial, c.segments[i].start)) n += c.segments[i].bytes;
    }
  }
  return n;
}

/** Index of the camera's next segment to give (past those aged out); -1 when none is left. */
function peek(c: Candidate): number {
  while (c.next < c.limit && c.aged.has(c.next)) c.next++;
  return c.next < c.limit ? c.next : -1;
}

/** The camera holding the most bytes that still has something to give; ties: oldest first. */
function nextToGive(candidates: Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    const i = peek(c);
    if (i < 0) continue;
    if (
      !best || c.held > best.held ||
      (c.held === best.held && c.segments[i].start < best.segments[best.next].start)
    ) best = c;
  }
  return best;
}

/** What the limits keep, for the start-up log and the banner. */
export function describeLimits(limits: RetentionLimits): string {
  const parts = [formatDuration(limits.retainMs)];
  if (limits.retainBytes !== null) parts.push(`at most ${formatByteSize(limits.retainBytes)}`);
  parts.push(
    limits.minFreeBytes === null
      ? "keeping 1 GiB or 5% of the disk free, whichever is less"
      : `keeping ${formatByteSize(limits.minFreeBytes)} free`,
  );
  return parts.join(", ");
}
