/**
 * The recorder: a bus subscriber that appends every camera's frames, exactly as received, to
 * the camera's current segment (format in lib/archive_index.ts, docs/protocol.md).
 *
 * It never blocks the relay: the bus handler only queues a reference to the frame's JPEG
 * (no copy). `flush()` (the hub calls it each second, and a camera's queue past
 * `flushBytes` triggers it early) writes each camera's queue, its JPEGs straight from the
 * bus's buffers then one index write, at most one batch in flight per camera; nothing is fsynced per frame, only a
 * segment's data and index when it is closed. A camera whose queued and in-flight bytes would
 * pass `queueBytes` has the frame dropped and counted: the disk falling behind costs
 * recorded frames, never memory or relay latency.
 *
 * Which frames are recorded is the `shouldRecord` gate's (the camera's recording mode) and
 * `maxFps`'s: a camera the gate turns off has its queue written and its segment closed
 * (synced) at its next frame; a camera turned back on starts a new segment.
 *
 * What a crash loses: after SIGKILL, the frames still queued, at most one flush interval (1 s)
 * plus the batch being written, so about 2 s per camera; written bytes are in the OS and
 * survive. After a power cut, also what the OS had not written back of the open segment
 * (Linux's default writeback delay is 30 s); closed segments are synced. Recovery at start-up
 * (hub/archive_recover.ts) cuts what was torn.
 *
 * Retention (hub/retention.ts) pauses it when the disk is at its free-space floor with nothing
 * left to delete: frames arriving meanwhile are not queued, and are counted apart from the
 * drops (`paused` metric, `pausedFrames` in the stats).
 */
import {
  INDEX_MAGIC,
  INDEX_RECORD_BYTES,
  SEGMENT_DATA_EXT,
  SEGMENT_INDEX_EXT,
  segmentStem,
  writeRecord,
} from "../lib/archive_index.ts";
import type { Bus, BusFrame } from "../lib/bus.ts";
import { FpsCap } from "../lib/fps_cap.ts";
import type { Log } from "./log.ts";

interface Counter {
  inc(labels: Record<string, string>, n?: number): void;
}

export interface RecorderOptions {
  /** `<data>/recordings`; each camera gets a directory named by its serial. */
  dir: string;
  segmentMs: number;
  log: Log;
  metrics: { frames: Counter; bytes: Counter; dropped: Counter; paused?: Counter };
  /** Capture time at the hub, epoch ms (injectable for tests). */
  now?: () => number;
  /** Bytes a camera may have queued or in flight before frames are dropped. */
  queueBytes?: number;
  /** Queued bytes that start a write before the next tick. */
  flushBytes?: number;
  /**
   * Whether to record this camera's frame received at `time` (epoch ms): its recording mode.
   * Asked for every frame, so it must be cheap. Default: every frame.
   */
  shouldRecord?: (serial: string, time: number) => boolean;
  /** Frames a second kept per camera (`--record-max-fps`, lib/fps_cap.ts); 0 keeps all. */
  maxFps?: number;
  /**
   * A frame the gate refused, with its capture time: motion recording keeps the last seconds
   * of them for the pre-roll (hub/motion_recording.ts).
   */
  refused?: (serial: string, jpeg: Uint8Array, time: number) => void;
}

export interface RecorderStats {
  frames: number;
  bytes: number;
  dropped: number;
  /** Frames not kept because of `maxFps` (not dropped: the cap wanted them left out). */
  capped: number;
  /** Frames not recorded because recording was paused (disk full). */
  pausedFrames: number;
}

interface Segment {
  start: number;
  data: Deno.FsFile;
  index: Deno.FsFile;
  /** Bytes in the data file. */
  offset: number;
  /** Records in the index file. */
  frames: number;
}

interface Queued {
  time: number;
  jpeg: Uint8Array;
  /** Not a frame: the camera stopped recording here, so its segment closes. */
  end?: true;
}

const NO_BYTES = new Uint8Array(0);

class CameraWriter {
  queue: Queued[] = [];
  /** Queued plus in-flight bytes. */
  held = 0;
  lastTime = 0;
  writing: Promise<void> | null = null;
  segment: Segment | null = null;
  /** Whether the gate let its last frame through. */
  recording = false;
  /** While a segment is being opened: the time it starts at or after. */
  opening: number | null = null;
  stats: RecorderStats = { frames: 0, bytes: 0, dropped: 0, capped: 0, pausedFrames: 0 };
  constructor(readonly serial: string, readonly dir: string) {}
}

export class Recorder {
  #o: Required<RecorderOptions>;
  #cameras = new Map<string, CameraWriter>();
  #unsubscribe: (() => void) | null = null;
  #closed = false;
  #cap: FpsCap | null;
  #pausedBy: string | null = null;
  /** Frames not recorded since the pause began. */
  #notRecorded = 0;

  constructor(options: RecorderOptions) {
    this.#o = {
      now: Date.now,
      queueBytes: 16 * 1024 * 1024,
      flushBytes: 2 * 1024 * 1024,
      shouldRecord: () => true,
      maxFps: 0,
      refused: () => {},
      ...options,
    };
    this.#cap = this.#o.maxFps > 0 ? new FpsCap(this.#o.maxFps) : null;
  }

  /** Subscribes to every camera's frames on the bus. */
  attach(bus: Bus): void {
    this.#unsubscribe = bus.subscribe("*", {
      frame: (f: BusFrame) => this.record(f.serial, f.data.subarray(0, f.jpegLength)),
    });
  }

  /**
   * Queues one JPEG (kept by reference: the bus's buffers are never written to), captured now
   * or at `time` (epoch ms: a pre-roll frame received earlier). Times stay monotonic per
   * camera: one before the camera's last recorded frame is recorded at that frame's time.
   */
  record(serial: string, jpeg: Uint8Array, time?: number): void {
    if (this.#closed) return;
    const now = time ?? this.#o.now();
    let cam = this.#cameras.get(serial);
    if (!this.#o.shouldRecord(serial, now)) {
      if (cam?.recording) this.#stop(cam, now);
      this.#o.refused(serial, jpeg, now);
      return;
    }
    if (!cam) {
      cam = new CameraWriter(serial, `${this.#o.dir}/${serial}`);
      this.#cameras.set(serial, cam);
    }
    cam.recording = true;
    if (this.#pausedBy !== null) {
      cam.stats.pausedFrames++;
      this.#notRecorded++;
      this.#o.metrics.paused?.inc({ serial });
      return;
    }
    if (this.#cap && !this.#cap.keep(serial, now)) {
      cam.stats.capped++;
      return;
    }
    if (cam.held + jpeg.length > this.#o.queueBytes) {
      cam.stats.dropped++;
      this.#o.metrics.dropped.inc({ serial });
      return;
    }
    // The index is searched by time: a wall clock stepping back must not reorder it.
    const at = cam.lastTime = Math.max(now, cam.lastTime);
    cam.queue.push({ time: at, jpeg });
    cam.held += jpeg.length;
    if (!cam.writing && cam.held >= this.#o.flushBytes) this.#flushCamera(cam);
  }

  /** The camera stopped recording: what it queued is written, then its segment closes. */
  #stop(cam: CameraWriter, now: number): void {
    cam.recording = false;
    cam.queue.push({ time: Math.max(now, cam.lastTime), jpeg: NO_BYTES, end: true });
    // A write in flight leaves the rest to the next tick.
    void this.#flushCamera(cam);
  }

  /** Starts writing every camera's queue; resolves when those writes are done. */
  flush(): Promise<void> {
    return Promise.all([...this.#cameras.values()].map((c) => this.#flushCamera(c))).then(
      () => {},
    );
  }

  stats(serial: string): RecorderStats | undefined {
    return this.#cameras.get(serial)?.stats;
  }

  /**
   * Stops writing (frames are counted, not queued) until {@link resume}; resolves once what
   * was queued is written and every segment is synced and closed, so retention may delete it.
   */
  async pause(reason: string): Promise<void> {
    if (this.#closed || this.#pausedBy !== null) return;
    this.#pausedBy = reason;
    this.#notRecorded = 0;
    for (const cam of this.#cameras.values()) {
      while (cam.writing || cam.queue.length) await (cam.writing ?? this.#flushCamera(cam));
      if (this.#pausedBy === null) return; // resumed meanwhile: the segment stays open
      if (cam.segment) await this.#closeSegment(cam);
    }
  }

  /** Records again (a camera's next frame opens a new segment); returns the frames missed. */
  resume(): number {
    const missed = this.#notRecorded;
    this.#pausedBy = null;
    this.#notRecorded = 0;
    return missed;
  }

  get paused(): boolean {
    return this.#pausedBy !== null;
  }

  /**
   * The start of the segment being written for `serial` (or, while one is being opened, the
   * time it will start at or after): retention never deletes from there on.
   */
  writingFrom(serial: string): number | undefined {
    const cam = this.#cameras.get(serial);
    return cam?.segment?.start ?? cam?.opening ?? undefined;
  }

  /** Stops recording, writes what is queued, syncs and closes every segment. */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    this.#closed = true;
    for (const cam of this.#cameras.values()) {
      await this.#flushCamera(cam);
      await this.#flushCamera(cam);
      if (cam.segment) await this.#closeSegment(cam);
    }
  }

  /** Writes the camera's queue unless a write is in flight (that one's promise then). */
  #flushCamera(cam: CameraWriter): Promise<void> {
    if (cam.writing) return cam.writing;
    if (cam.queue.length === 0) return Promise.resolve();
    const batch = cam.queue;
    cam.queue = [];
    const bytes = batch.reduce((n, f) => n + f.jpeg.length, 0);
    cam.writing = this.#write(cam, batch)
      .catch((err) => {
        cam.stats.dropped += batch.length;
        this.#o.metrics.dropped.inc({ serial: cam.serial }, batch.length);
        this.#o.log("recorder-error", { serial: cam.serial, error: err });
        return this.#abandonSegment(cam);
      })
      .finally(() => {
        cam.held -= bytes;
        cam.writing = null;
      });
    return cam.writing;
  }

  async #write(cam: CameraWriter, batch: Queued[]): Promise<void> {
    let from = 0;
    for (let i = 0; i <= batch.length; i++) {
      const rolls = i < batch.length &&
        (batch[i].end || !cam.segment || batch[i].time >= cam.segment.start + this.#o.segmentMs);
      if (i < batch.length && !rolls) continue;
      if (i > from) await this.#append(cam, batch.slice(from, i));
      if (i === batch.length) break;
      if (cam.segment) await this.#closeSegment(cam);
      if (batch[i].end) {
        from = i + 1;
        continue;
      }
      cam.opening = batch[i].time;
      try {
        cam.segment = await this.#openSegment(cam, batch[i].time);
      } finally {
        cam.opening = null;
      }
      from = i;
    }
  }

  /** Data first, then the index: a crash between the two leaves data recovery can cut. */
  async #append(cam: CameraWriter, frames: Queued[]): Promise<void> {
    const seg = cam.segment!;
    const index = new Uint8Array(frames.length * INDEX_RECORD_BYTES);
    let at = 0;
    frames.forEach((f, i) => {
      writeRecord(index, i * INDEX_RECORD_BYTES, {
        time: f.time,
        offset: seg.offset + at,
        length: f.jpeg.length,
      });
      at += f.jpeg.length;
    });
    // Each JPEG is written from the bus's own buffer: gathering a batch into one buffer first
    // copied ~1 MB per camera per second in one turn of the event loop, with every camera's
    // flush in the same turn (the relay's p99 felt it).
    for (const f of frames) await writeAll(seg.data, f.jpeg);
    await writeAll(seg.index, index);
    seg.offset += at;
    seg.frames += frames.length;
    cam.stats.frames += frames.length;
    cam.stats.bytes += at;
    this.#o.metrics.frames.inc({ serial: cam.serial }, frames.length);
    this.#o.metrics.bytes.inc({ serial: cam.serial }, at);
  }

  async #openSegment(cam: CameraWriter, time: number): Promise<Segment> {
    await Deno.mkdir(cam.dir, { recursive: true });
    // A segment left by an earlier run may hold this start already: never write into it.
    for (let start = time;; start++) {
      const stem = `${cam.dir}/${segmentStem(start)}`;
      let data: Deno.FsFile;
      try {
        data = await Deno.open(stem + SEGMENT_DATA_EXT, { write: true, createNew: true });
      } catch (err) {
        if (err instanceof Deno.errors.AlreadyExists) continue;
        throw err;
      }
      try {
        const index = await Deno.open(stem + SEGMENT_INDEX_EXT, { write: true, create: true });
        await index.truncate(0);
        await writeAll(index, INDEX_MAGIC);
        return { start, data, index, offset: 0, frames: 0 };
      } catch (err) {
        data.close();
        throw err;
      }
    }
  }

  async #closeSegment(cam: CameraWriter): Promise<void> {
    const seg = cam.segment!;
    cam.segment = null;
    try {
      await seg.data.syncData();
      await seg.index.syncData();
    } finally {
      seg.data.close();
      seg.index.close();
    }
  }

  /** After a failed write: close the segment; the next frame starts a new one. */
  async #abandonSegment(cam: CameraWriter): Promise<void> {
    const seg = cam.segment;
    if (!seg) return;
    cam.segment = null;
    // Cut what the failed write may have left, so the running archive stays consistent.
    await seg.data.truncate(seg.offset).catch(() => {});
    await seg.index.truncate(INDEX_MAGIC.length + seg.frames * INDEX_RECORD_BYTES).catch(() => {});
    seg.data.close();
    seg.index.close();
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
}
