/**
 * Thin links' reduced streams (docs/protocol.md, "Stream options"): one per camera and size,
 * made once and shared by every viewer that asked for it, and only while one does. A stream
 * holds the camera's one bus subscription for all its viewers, lets frames through at the
 * highest `maxFps` any of them asked (each viewer's own cap is its session's business), and
 * resizes one frame at a time: a frame arriving while a resize runs waits in a slot of one,
 * a newer one replaces it (latest-frame-wins, as on the relay's own path). The reduced frame
 * has the live frame's shape (JPEG + serial trailer, lib/trailer.ts) and its receive time and
 * COM stamp, so camera-to-screen figures stay honest.
 *
 * Resizing is sharp's (native code), in a child process of its own (hub/motion_decoder.ts with
 * `name: "resize-worker"`), started when the first stream is: a hub nobody asks thin links of
 * starts nothing, and a worker without a stream for {@link RESIZE_IDLE_MS} stops. Its niceness was measured (bench/README.md, "Thin links").
 */
import type { Bus, BusFrame, BusHandler } from "../lib/bus.ts";
import { highestFps, RateGate, TILE_QUALITY, TILE_WIDTH } from "../lib/thin_link.ts";
import type { StreamSize } from "../lib/thin_link.ts";
import { buildViewerFrame } from "../lib/trailer.ts";
import type { Log } from "./log.ts";

/** What makes the reduced JPEGs (hub/motion_decoder.ts `MotionDecoder`). */
export interface Resizer {
  resize(jpeg: Uint8Array, width: number, quality: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

interface Counter {
  inc(labels: Record<string, string>, n?: number): void;
}

export type ReducedSize = Exclude<StreamSize, "full">;

export interface ReducedStreamsOptions {
  bus: Bus;
  log: Log;
  /** Starts the resizer: when the first stream starts, and again after an idle stop. */
  startResizer(): Resizer;
  /** The worker stops after this long without a stream. Default {@link RESIZE_IDLE_MS}. */
  idleMs?: number;
  metrics: {
    /** Reduced frames made, by size. */
    made: Counter;
    /** Camera frames not reduced, by size and reason (`max_fps`, `busy`, `failed`). */
    skipped: Counter;
  };
}

/** A reduced stream's figures (tests and the bench read them). */
export interface ReducedStreamInfo {
  serial: string;
  size: ReducedSize;
  viewers: number;
  maxFps: number | undefined;
  made: number;
  busy: boolean;
}

/**
 * The resize worker's niceness: below the hub, so a burst of resizes yields the cores to the
 * relay first (bench/README.md, "Thin links"), above motion's 19, since viewers wait for it.
 */
export const RESIZE_NICE = 10;

/**
 * An idle worker's lifetime: long enough that reloading a page or paging through the wall
 * does not restart it, short enough that a hub nobody watches in thin links gives the memory
 * back.
 */
export const RESIZE_IDLE_MS = 60_000;

const SIZES: Record<ReducedSize, { width: number; quality: number }> = {
  tile: { width: TILE_WIDTH, quality: TILE_QUALITY },
};

/** One viewer's place in a stream: its cap, and where its frames go. */
interface Member {
  maxFps: number | undefined;
  handler: BusHandler;
}

class ReducedStream {
  readonly members = new Set<Member>();
  readonly gate = new RateGate();
  made = 0;
  busy = false;
  waiting: BusFrame | undefined;
  offBus: (() => void) | undefined;

  constructor(readonly serial: string, readonly size: ReducedSize) {}

  /** The stream's rate follows its fastest viewer. */
  capChanged(): void {
    const cap = highestFps([...this.members].map((m) => m.maxFps));
    if (cap !== this.gate.maxFps) this.gate.setMaxFps(cap);
  }
}

export class ReducedStreams {
  #o: ReducedStreamsOptions;
  #streams = new Map<string, ReducedStream>();
  #resizer: Resizer | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Workers stopped for idleness, until they have exited. */
  #stopping = new Set<Promise<void>>();
  #running = new Set<Promise<void>>();
  #closed = false;
  /** Cameras whose last resize failed: logged once until one succeeds again. */
  #failing = new Set<string>();

  constructor(options: ReducedStreamsOptions) {
    this.#o = options;
  }

  /**
   * Frames of `serial` at `size`, at most `maxFps` a second as far as this viewer goes (the
   * stream runs at the highest cap of its viewers; the caller gates its own). Returns the
   * unsubscribe; the last one stops the stream and drops its bus subscription.
   */
  subscribe(
    serial: string,
    size: ReducedSize,
    maxFps: number | undefined,
    handler: BusHandler,
  ): () => void {
    if (this.#closed) return () => {};
    const key = `${serial}/${size}`;
    let stream = this.#streams.get(key);
    if (!stream) {
      const s = stream = new ReducedStream(serial, size);
      this.#streams.set(key, s);
      this.#ensureResizer();
      s.offBus = this.#o.bus.subscribe(serial, { frame: (f) => this.#onFrame(s, f) });
    }
    const member: Member = { maxFps, handler };
    stream.members.add(member);
    stream.capChanged();
    const s = stream;
    return () => {
      if (!s.members.delete(member)) return;
      if (s.members.size > 0) {
        s.capChanged();
        return;
      }
      s.offBus?.();
      s.offBus = undefined;
      s.waiting = undefined;
      if (this.#streams.get(key) === s) this.#streams.delete(key);
      if (this.#streams.size === 0) this.#armIdleStop();
    };
  }

  /** The live streams. */
  get streams(): ReducedStreamInfo[] {
    return [...this.#streams.values()].map((s) => ({
      serial: s.serial,
      size: s.size,
      viewers: s.members.size,
      maxFps: s.gate.maxFps,
      made: s.made,
      busy: s.busy,
    }));
  }

  /** Resizes running now, across streams (0: the worker is idle). */
  get busy(): number {
    return this.#running.size;
  }

  /** Whether the resize worker runs (started, and not stopped for idleness). */
  get started(): boolean {
    return this.#resizer !== undefined;
  }

  /** Stops every stream, waits for the resizes running, and stops the worker. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    for (const s of this.#streams.values()) {
      s.offBus?.();
      s.offBus = undefined;
      s.waiting = undefined;
      s.members.clear();
    }
    this.#streams.clear();
    await Promise.all([...this.#running]);
    await this.#resizer?.close();
    await Promise.all([...this.#stopping]);
  }

  #armIdleStop(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      // A resize still running belongs to a stream just ended: its answer is not needed, but
      // the worker is stopped only once it has given it.
      if (this.#streams.size > 0 || !this.#resizer || this.#closed) return;
      const resizer = this.#resizer;
      this.#resizer = undefined;
      this.#o.log("resize-worker-stop", { reason: "idle" });
      const stopped = Promise.all([...this.#running]).then(() => resizer.close()).catch((err) =>
        this.#o.log("error", { where: "resize-worker-stop", error: err })
      ).finally(() => this.#stopping.delete(stopped));
      this.#stopping.add(stopped);
    }, this.#o.idleMs ?? RESIZE_IDLE_MS);
  }

  #ensureResizer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#resizer) return;
    this.#resizer = this.#o.startResizer();
    this.#o.log("resize-worker-start", { reason: "first thin link" });
  }

  #onFrame(s: ReducedStream, f: BusFrame): void {
    if (s.offBus === undefined) return;
    if (!s.gate.admit(f.receivedAt)) {
      this.#o.metrics.skipped.inc({ size: s.size, reason: "max_fps" });
      return;
    }
    if (s.busy) {
      if (s.waiting) this.#o.metrics.skipped.inc({ size: s.size, reason: "busy" });
      s.waiting = f;
      return;
    }
    this.#reduce(s, f);
  }

  #reduce(s: ReducedStream, f: BusFrame): void {
    s.busy = true;
    const { width, quality } = SIZES[s.size];
    const run = this.#resizer!.resize(f.data.subarray(0, f.jpegLength), width, quality).then(
      (jpeg) => {
        if (this.#failing.delete(s.serial)) {
          this.#o.log("resize-recovered", { serial: s.serial, size: s.size });
        }
        s.made++;
        this.#o.metrics.made.inc({ size: s.size });
        if (s.offBus === undefined) return;
        const frame: BusFrame = {
          serial: s.serial,
          data: buildViewerFrame(jpeg, s.serial),
          jpegLength: jpeg.byteLength,
          // The camera frame's own time: latency figures count the resize too.
          receivedAt: f.receivedAt,
          origin: f.origin,
        };
        for (const m of s.members) {
          try {
            m.handler.frame?.(frame);
          } catch (err) {
            this.#o.log("bus-error", { error: err });
          }
        }
      },
      (err) => {
        this.#o.metrics.skipped.inc({ size: s.size, reason: "failed" });
        if (!this.#failing.has(s.serial)) {
          this.#failing.add(s.serial);
          this.#o.log("resize-failed", { serial: s.serial, size: s.size, error: err });
        }
      },
    ).finally(() => {
      this.#running.delete(run);
      s.busy = false;
      const next = s.waiting;
      s.waiting = undefined;
      if (next && s.offBus !== undefined && !this.#closed) this.#reduce(s, next);
    });
    this.#running.add(run);
  }
}
