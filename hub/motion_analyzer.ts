/**
 * Motion analysis off the relay's path. A bus subscriber hands every frame to {@link
 * MotionAnalyzer.offer}, which only keeps a reference to it (no copy, no decode): each camera
 * holds at most one frame waiting, the newest, and a newer one replaces it (latest wins, never
 * a queue). A camera's frame is analyzed when the camera is due (at most `fps` per second, its
 * settings say) and a decode slot is free; a waiting frame replaced while its camera was due
 * but no slot was free is a skip, counted: falling behind costs analyzed frames, never memory
 * or relay time.
 *
 * Decode slots (`concurrency`, default 1) are shared by all cameras and go to the camera that
 * has been due the longest, so a slow camera (a huge JPEG) holds at most one slot at a time
 * and never more than its turn. In the hub each decode runs in the niced decode process
 * (hub/motion_decoder.ts) with one libvips worker, so motion keeps at most `concurrency` cores
 * busy whatever the number of cameras, and only what the relay leaves of them.
 */
import {
  type LumaImage,
  MOTION_WIDTH,
  MotionModel,
  type MotionModelOptions,
} from "../lib/motion_model.ts";
import {
  MotionEventMachine,
  type MotionEventOptions,
  type MotionTransition,
} from "../lib/motion_events.ts";
import type { MotionRect, MotionSettings } from "../lib/motion_settings.ts";

/** A motion event's start or end, as the hub announces and stores it. */
export interface MotionEvent {
  serial: string;
  state: "start" | "end";
  /** Epoch ms of the first frame with motion (the time the hub received it). */
  startedAt: number;
  /** `end` only: epoch ms of the last frame with motion. */
  endedAt?: number;
  /** Highest score so far: changed fraction of the unmasked picture, 0-1; and when. */
  peakScore: number;
  peakAt: number;
  /** Where the motion was in the peak frame, and over the whole event; normalized 0-1. */
  peakBox: MotionRect;
  box: MotionRect;
  /** The peak frame's JPEG as the camera sent it (a view, not a copy), for the thumbnail. */
  peakJpeg: Uint8Array;
}

export interface MotionCameraStats {
  analyzed: number;
  skipped: number;
  /** Frames the decoder refused (corrupt or truncated JPEGs). */
  failed: number;
  /** Frames waiting: 0 or 1. */
  held: number;
  /** Whether a decode of this camera is in flight. */
  busy: boolean;
  /** Whether an event is open. */
  active: boolean;
}

export interface MotionAnalyzerOptions {
  /** The camera's current settings; undefined or disabled means not analyzed. */
  settingsOf(serial: string): MotionSettings | undefined;
  onEvent(event: MotionEvent): void;
  onSkip?(serial: string): void;
  /** A frame was analyzed (metrics). */
  onAnalyzed?(serial: string): void;
  /** A frame that did not decode, or an `onEvent` that threw. */
  onError?(serial: string, err: unknown): void;
  /** Epoch ms; frames are dated when offered. Default `Date.now`. */
  now?(): number;
  /** Decodes in flight across all cameras; default 1. */
  concurrency?: number;
  /** Analysis picture width; default {@link MOTION_WIDTH}. */
  width?: number;
  events?: MotionEventOptions;
  model?: MotionModelOptions;
  /**
   * The decoder: the hub's niced decode process (hub/motion_decoder.ts), sharp in-process
   * (hub/motion_decode.ts `decodeLuma`, tests and the bench), or a fake for the scheduling.
   */
  decode(jpeg: Uint8Array, width: number): Promise<LumaImage>;
}

interface Camera {
  serial: string;
  model: MotionModel;
  machine: MotionEventMachine<Uint8Array>;
  pending: { jpeg: Uint8Array; at: number } | undefined;
  busy: boolean;
  /** Earliest time of the next analysis. */
  dueAt: number;
  analyzed: number;
  skipped: number;
  failed: number;
}

/** How often open events are checked for cameras whose frames stopped coming. */
const SWEEP_MS = 1_000;

export class MotionAnalyzer {
  #o: MotionAnalyzerOptions;
  #now: () => number;
  #decode: (jpeg: Uint8Array, width: number) => Promise<LumaImage>;
  #concurrency: number;
  #width: number;
  #cameras = new Map<string, Camera>();
  #inFlight = new Set<Promise<void>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #sweep: ReturnType<typeof setInterval> | undefined;
  #waiters: { serial: string | undefined; resolve: () => void }[] = [];
  #closed = false;

  constructor(options: MotionAnalyzerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#decode = options.decode;
    this.#concurrency = options.concurrency ?? 1;
    this.#width = options.width ?? MOTION_WIDTH;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new RangeError(`Invalid motion concurrency: "${this.#concurrency}"`);
    }
  }

  /** Takes a camera's newest frame; returns at once. `jpeg` must not change afterwards. */
  offer(serial: string, jpeg: Uint8Array): void {
    if (this.#closed) return;
    const settings = this.#o.settingsOf(serial);
    if (!settings?.enabled) {
      this.forget(serial);
      return;
    }
    let cam = this.#cameras.get(serial);
    if (cam === undefined) {
      cam = {
        serial,
        model: new MotionModel(this.#o.model),
        machine: new MotionEventMachine(this.#o.events),
        pending: undefined,
        busy: false,
        dueAt: -Infinity,
        analyzed: 0,
        skipped: 0,
        failed: 0,
      };
      this.#cameras.set(serial, cam);
    }
    const now = this.#now();
    // A waiting frame replaced after its camera was due, while the decode slots were busy, is a
    // skip: the analysis fell behind. Otherwise it is the rate limit thinning the frames (or a
    // frame that came with the timer that would have taken the one it replaces).
    const full = cam.busy || this.#inFlight.size >= this.#concurrency;
    if (cam.pending !== undefined && now > cam.dueAt && full) {
      cam.skipped++;
      this.#o.onSkip?.(serial);
    }
    cam.pending = { jpeg, at: now };
    this.#pump();
  }

  /** Drops a camera (gone, or motion turned off): ends its open event, if any, now. */
  forget(serial: string): void {
    const cam = this.#cameras.get(serial);
    if (cam === undefined) return;
    this.#cameras.delete(serial);
    const end = cam.machine.finish();
    if (end) this.#emit(serial, end);
    this.#settle();
  }

  stats(serial: string): MotionCameraStats | undefined {
    const cam = this.#cameras.get(serial);
    if (cam === undefined) return undefined;
    const { analyzed, skipped, failed, busy } = cam;
    const held = cam.pending === undefined ? 0 : 1;
    return { analyzed, skipped, failed, held, busy, active: cam.machine.active };
  }

  /**
   * Resolves once no decode is in flight and no waiting frame is due (of `serial` only, when
   * given); frames held for their camera's next turn do not count. For tests and the bench.
   */
  settled(serial?: string): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ serial, resolve });
      this.#settle();
    });
  }

  /** Stops taking frames, waits for the decodes in flight, and ends the open events. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    for (const serial of [...this.#cameras.keys()]) this.forget(serial);
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  /** Starts what may start now; arms the timer for the next camera that is not due yet. */
  #pump(): void {
    if (this.#closed) return;
    const now = this.#now();
    let wakeAt = Infinity;
    while (this.#inFlight.size < this.#concurrency) {
      let next: Camera | undefined;
      for (const cam of this.#cameras.values()) {
        if (cam.busy || cam.pending === undefined) continue;
        if (cam.dueAt > now) wakeAt = Math.min(wakeAt, cam.dueAt);
        else if (next === undefined || cam.dueAt < next.dueAt) next = cam;
      }
      if (next === undefined) break;
      this.#start(next, now);
    }
    if (wakeAt !== this.#timerAt) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = wakeAt;
      if (wakeAt < Infinity) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#timerAt = Infinity;
          this.#pump();
        }, wakeAt - now);
      }
    }
  }

  #start(cam: Camera, now: number): void {
    const frame = cam.pending!;
    cam.pending = undefined;
    cam.busy = true;
    const settings = this.#o.settingsOf(cam.serial);
    cam.dueAt = now + 1000 / (settings?.fps ?? 1);
    const done: Promise<void> = this.#decode(frame.jpeg, this.#width).then(
      (image) => {
        if (this.#closed || this.#cameras.get(cam.serial) !== cam) return;
        const current = this.#o.settingsOf(cam.serial);
        if (!current?.enabled) return;
        const sample = cam.model.analyze(image, frame.at, current);
        cam.analyzed++;
        this.#o.onAnalyzed?.(cam.serial);
        const transition = cam.machine.update(sample, frame.jpeg);
        if (transition) this.#emit(cam.serial, transition);
      },
      (err) => {
        cam.failed++;
        this.#o.onError?.(cam.serial, err);
      },
    ).finally(() => {
      cam.busy = false;
      this.#inFlight.delete(done);
      this.#pump();
      this.#settle();
    });
    this.#inFlight.add(done);
  }

  #emit(serial: string, t: MotionTransition<Uint8Array>): void {
    const { peakRef, ...rest } = t;
    try {
      this.#o.onEvent({ serial, ...rest, peakJpeg: peakRef });
    } catch (err) {
      this.#o.onError?.(serial, err);
    }
    this.#armSweep();
  }

  /** Runs the idle check only while some event is open, so an idle hub has no timer. */
  #armSweep(): void {
    const anyActive = [...this.#cameras.values()].some((c) => c.machine.active);
    if (anyActive && this.#sweep === undefined && !this.#closed) {
      this.#sweep = setInterval(() => {
        const now = this.#now();
        for (const cam of this.#cameras.values()) {
          const end = cam.machine.idle(now);
          if (end) this.#emit(cam.serial, end);
        }
      }, SWEEP_MS);
    } else if (!anyActive && this.#sweep !== undefined) {
      clearInterval(this.#sweep);
      this.#sweep = undefined;
    }
  }

  #settle(): void {
    if (this.#waiters.length === 0) return;
    const now = this.#now();
    const idle = (cam: Camera) => !cam.busy && !(cam.pending !== undefined && cam.dueAt <= now);
    const cameras = [...this.#cameras.values()];
    const allIdle = cameras.every(idle) && this.#inFlight.size === 0;
    this.#waiters = this.#waiters.filter((w) => {
      const cam = w.serial === undefined ? undefined : this.#cameras.get(w.serial);
      const done = this.#closed ||
        (w.serial === undefined ? allIdle : cam === undefined || idle(cam));
      if (done) w.resolve();
      return !done;
    });
  }
}
