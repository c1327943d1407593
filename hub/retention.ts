/**
 * Retention's I/O: each sweep lists the archive (`<data>/recordings/<serial>/`, sizes and
 * last-write times by stat), reads the volume's free space, asks lib/retention_plan.ts what
 * to delete, deletes it, and pauses or resumes the recorder at the free-space floor. The hub
 * sweeps at start-up and then every {@link SWEEP_SECONDS} s (every 2 s while paused), whatever
 * `--record` says: an archive left by an earlier run ages out too.
 *
 * A segment is deleted index first, then data: readers only see segments that have an index
 * (hub/archive_reader.ts), so the segment vanishes from listings before its data goes, and a
 * crash between the two leaves a data file without its index, which start-up recovery removes
 * (hub/archive_recover.ts). The other order would leave, for a moment, an index whose data is
 * gone.
 */
import { statfs } from "node:fs/promises";
import {
  parseSegmentName,
  SEGMENT_DATA_EXT,
  SEGMENT_INDEX_EXT,
  segmentStem,
} from "../lib/archive_index.ts";
import { formatByteSize } from "../lib/byte_size.ts";
import {
  type CameraSegments,
  type Deletion,
  describeLimits,
  type FreeSpace,
  planRetention,
  type RetentionLimits,
  type RetentionPlan,
  type SegmentEntry,
} from "../lib/retention_plan.ts";
import type { SegmentLeases } from "../lib/segment_leases.ts";
import type { Log } from "./log.ts";

export type { FreeSpace };

/** Reads the free space of the volume holding `path`. */
export type FreeSpaceSource = (path: string) => Promise<FreeSpace>;

/** Segments whose files are stated at once. */
const STAT_BATCH = 64;

/** Seconds between sweeps while recording runs. */
export const SWEEP_SECONDS = 15;

/**
 * statfs(2) through node:fs (Deno has no statfs of its own; needs `--allow-sys=statfs`). A
 * path not created yet (no recording so far) is measured at its nearest existing parent.
 */
export const statfsFreeSpace: FreeSpaceSource = async (path) => {
  for (let p = path;;) {
    try {
      const s = await statfs(p);
      return { availableBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch (err) {
      const parent = p.includes("/") ? p.replace(/\/+[^/]*$/, "") || "/" : ".";
      if ((err as { code?: string }).code !== "ENOENT" || parent === p) throw err;
      p = parent;
    }
  }
};

/** What retention needs of the recorder (hub/recorder.ts). */
export interface PausableRecorder {
  writingFrom(serial: string): number | undefined;
  pause(reason: string): Promise<void>;
  /** Returns the frames not recorded while paused. */
  resume(): number;
  readonly paused: boolean;
}

export interface RetentionOptions {
  /** `<data>/recordings`. */
  dir: string;
  limits: RetentionLimits;
  leases: SegmentLeases;
  log: Log;
  metrics: {
    deletedBytes: { inc(labels: Record<string, string>, n?: number): void };
    deletedSegments: { inc(labels: Record<string, string>, n?: number): void };
    paused: { set(v: number): void };
  };
  /** Absent with `--record off`: nothing is written, nothing to pause. */
  recorder?: PausableRecorder;
  /** Injectable for tests; statfs by default. */
  freeSpace?: FreeSpaceSource;
  now?: () => number;
  /** Recording paused (true) or resumed (false), for the viewers' event. */
  onPauseChange?: (paused: boolean, reason: string) => void;
}

export interface SweepResult extends RetentionPlan {
  /** Segments the plan chose that were deleted (a lease taken meanwhile keeps one). */
  deleted: Deletion[];
  free?: FreeSpace;
  paused: boolean;
}

/** The reason recording pauses for, in the log and the viewers' event. */
export const LOW_DISK = "low-disk";

export class Retention {
  #o: RetentionOptions & { freeSpace: FreeSpaceSource; now: () => number };
  #sweeping: Promise<SweepResult> | null = null;
  #closed = false;
  #paused = false;
  #freeUnknown = false;
  /** What the last sweep listed, per camera. */
  #cameras = new Map<string, CameraListing>();

  constructor(options: RetentionOptions) {
    // `?? default` rather than a spread: callers pass `freeSpace: undefined` through.
    this.#o = {
      ...options,
      freeSpace: options.freeSpace ?? statfsFreeSpace,
      now: options.now ?? Date.now,
    };
    options.log("retention", {
      keep: describeLimits(options.limits),
      retainMs: options.limits.retainMs,
      retainBytes: options.limits.retainBytes ?? "none",
      minFreeBytes: options.limits.minFreeBytes ?? "auto",
    });
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Whether the sweep due at this tick of the hub's one-second clock should run. */
  due(ticks: number): boolean {
    return ticks % (this.#paused ? 2 : SWEEP_SECONDS) === 0;
  }

  /** One sweep; while one runs, that one's result. */
  sweep(): Promise<SweepResult | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    this.#sweeping ??= this.#sweep().finally(() => this.#sweeping = null);
    return this.#sweeping;
  }

  /** Waits for a sweep in progress; no sweep runs after. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#sweeping?.catch(() => {});
  }

  async #sweep(): Promise<SweepResult> {
    const { recorder, leases, log } = this.#o;
    const cameras = await this.#list();
    for (const cam of cameras) cam.writingFrom = recorder?.writingFrom(cam.serial);
    const free = await this.#free();
    const plan = planRetention({
      cameras,
      now: this.#o.now(),
      limits: this.#o.limits,
      free,
      isLeased: (serial, start) => leases.isHeld(serial, start),
    });
    const deleted: Deletion[] = [];
    const perCamera = new Map<string, { segments: number; bytes: number; reasons: Set<string> }>();
    for (const d of plan.deletions) {
      // A reader may have taken a lease since the listing: it wins, the next sweep retries.
      if (leases.isHeld(d.serial, d.start)) continue;
      try {
        await removeSegment(`${this.#o.dir}/${d.serial}/${segmentStem(d.start)}`);
      } catch (err) {
        log("retention-error", { serial: d.serial, segment: segmentStem(d.start), error: err });
        continue;
      }
      deleted.push(d);
      this.#o.metrics.deletedBytes.inc({ reason: d.reason }, d.bytes);
      this.#o.metrics.deletedSegments.inc({ reason: d.reason });
      const c = perCamera.get(d.serial) ?? { segments: 0, bytes: 0, reasons: new Set() };
      c.segments++;
      c.bytes += d.bytes;
      c.reasons.add(d.reason);
      perCamera.set(d.serial, c);
    }
    for (const [serial, c] of perCamera) {
      log("retention-deleted", {
        serial,
        segments: c.segments,
        bytes: c.bytes,
        reason: [...c.reasons].join(","),
      });
    }
    await this.#pauseOrResume(plan, free);
    return { ...plan, deleted, free, paused: this.#paused };
  }

  async #pauseOrResume(plan: RetentionPlan, free: FreeSpace | undefined): Promise<void> {
    const { recorder, log } = this.#o;
    if (!recorder || plan.pause === this.#paused) return;
    const space = {
      free: free ? formatByteSize(free.availableBytes) : "unknown",
      floor: plan.floorBytes === undefined ? "none" : formatByteSize(plan.floorBytes),
    };
    this.#paused = plan.pause;
    this.#o.metrics.paused.set(plan.pause ? 1 : 0);
    if (plan.pause) {
      log("recording-paused", { reason: LOW_DISK, ...space });
      this.#o.onPauseChange?.(true, LOW_DISK);
      await recorder.pause(LOW_DISK);
    } else {
      const notRecorded = recorder.resume();
      log("recording-resumed", { ...space, notRecorded });
      this.#o.onPauseChange?.(false, LOW_DISK);
    }
  }

  async #free(): Promise<FreeSpace | undefined> {
    try {
      const free = await this.#o.freeSpace(this.#o.dir);
      this.#freeUnknown = false;
      return free;
    } catch (err) {
      if (!this.#freeUnknown) {
        this.#o.log("retention-free-space-unknown", { error: err, detail: "floor not applied" });
      }
      this.#freeUnknown = true;
      return undefined;
    }
  }

  /**
   * Every camera's segments, ascending. A camera directory whose mtime has not moved since
   * the last sweep (and had settled before it) is not read again; files are stated only when
   * new, and the newest (it may be growing): a segment that has a newer one is closed.
   */
  async #list(): Promise<CameraSegments[]> {
    const dir = this.#o.dir;
    const serials: string[] = [];
    try {
      for await (const e of Deno.readDir(dir)) if (e.isDirectory) serials.push(e.name);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
    const cameras: CameraSegments[] = [];
    const seen = new Map<string, CameraListing>();
    for (const serial of serials.sort()) {
      const listing = await this.#listCamera(serial, this.#cameras.get(serial));
      if (!listing) continue;
      seen.set(serial, listing);
      cameras.push({ serial, segments: listing.segments });
    }
    this.#cameras = seen;
    return cameras;
  }

  async #listCamera(
    serial: string,
    last: CameraListing | undefined,
  ): Promise<CameraListing | undefined> {
    const camDir = `${this.#o.dir}/${serial}`;
    let mtime: number | undefined;
    try {
      mtime = (await Deno.stat(camDir)).mtime?.getTime();
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
    const readAt = Date.now();
    const settled = mtime !== undefined && mtime < readAt - SETTLED_MS;
    if (last?.settled && mtime === last.mtime) {
      // No file came or went: only the newest segment may have grown.
      const newest = last.segments.at(-1);
      const segments = last.segments.slice(0, -1);
      const again = newest &&
        await statSegment(`${camDir}/${segmentStem(newest.start)}`, newest.start);
      if (again) segments.push(again);
      return { mtime, settled, segments };
    }
    const set = new Set<number>();
    try {
      for await (const e of Deno.readDir(camDir)) {
        const seg = e.isFile ? parseSegmentName(e.name) : undefined;
        if (seg) set.add(seg.start);
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
    const starts = [...set].sort((a, b) => a - b);
    const closed = new Map((last?.segments ?? []).slice(0, -1).map((s) => [s.start, s]));
    const entries: (SegmentEntry | undefined)[] = starts.map((start) => closed.get(start));
    // Unknown ones (all of them at the first sweep) are stated a batch at a time: in parallel,
    // without an unbounded burst of operations.
    const unknown = entries.flatMap((e, i) => e ? [] : [i]);
    for (let b = 0; b < unknown.length; b += STAT_BATCH) {
      await Promise.all(
        unknown.slice(b, b + STAT_BATCH).map(async (i) => {
          entries[i] = await statSegment(`${camDir}/${segmentStem(starts[i])}`, starts[i]);
        }),
      );
    }
    return { mtime, settled, segments: entries.filter((e) => e !== undefined) };
  }
}

/** What a sweep saw of a camera's directory, for the next one. */
interface CameraListing {
  mtime: number | undefined;
  /** Unchanged for {@link SETTLED_MS} before it was read: an equal mtime means no change. */
  settled: boolean;
  segments: SegmentEntry[];
}

/** See listSegments() in hub/archive_reader.ts: changes within a timestamp step must show. */
const SETTLED_MS = 5000;

/** Size and last write of a segment's files; undefined when both are gone. */
async function statSegment(stem: string, start: number): Promise<SegmentEntry | undefined> {
  let bytes = 0;
  let end = -Infinity;
  for (const ext of [SEGMENT_DATA_EXT, SEGMENT_INDEX_EXT]) {
    try {
      const s = await Deno.stat(stem + ext);
      bytes += s.size;
      end = Math.max(end, s.mtime?.getTime() ?? start);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return end === -Infinity ? undefined : { start, bytes, end };
}

async function removeSegment(stem: string): Promise<void> {
  for (const ext of [SEGMENT_INDEX_EXT, SEGMENT_DATA_EXT]) {
    await Deno.remove(stem + ext).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  }
}
