/**
 * The frames a simulated camera cycles through: pre-rendered ones as given, or a loop it
 * encodes itself and redraws off the send path when the clock in the picture changes.
 */

import { type FrameSize, renderFrame } from "./frames.ts";
import { TimerSet } from "./timer_set.ts";

/** What one self-rendered loop cost. */
export interface LoopRender {
  frames: number;
  /** Encoding time, without the waits between frames. */
  ms: number;
  avgBytes: number;
  /** The time the loop shows. */
  clock: Date;
}

export interface FrameLoopOptions {
  serial: string;
  size: FrameSize;
  /** Frames in a self-rendered loop. */
  count: number;
  /** How often a self-rendered loop is redrawn (the picture shows HH:MM). */
  renderPeriodMs: number;
  /** Pre-rendered frames, cycled as they are (no clock updates). */
  frames?: Uint8Array[];
  onRendered?: (render: LoopRender) => void;
}

export class FrameLoop {
  readonly #opts: FrameLoopOptions;
  readonly #timers = new TimerSet();
  #frames: Uint8Array[];
  #started = false;
  #stopped = false;
  // Resolves the wait between two encodes, so stop() ends a render at once.
  #wake: (() => void) | undefined;

  constructor(opts: FrameLoopOptions) {
    this.#opts = opts;
    this.#frames = opts.frames ?? [];
  }

  /** Whether there are frames to send: given ones, or once the first loop is encoded. */
  get ready(): boolean {
    return this.#frames.length > 0;
  }

  /** Frame `index` of the loop on show (indices wrap around). */
  frame(index: number): Uint8Array {
    return this.#frames[index % this.#frames.length];
  }

  /**
   * Renders the first loop (unless frames were given) and then keeps the clock true.
   * Resolves whether frames are ready: false when stopped first.
   */
  async start(): Promise<boolean> {
    if (this.#started || this.#stopped) return this.ready;
    this.#started = true;
    if (this.#opts.frames) return true;
    const now = Date.now();
    const t0 = performance.now();
    const frames = await this.#render(new Date(now));
    if (!frames) return false;
    this.#frames = frames;
    this.#scheduleClockUpdate(now, performance.now() - t0);
    return true;
  }

  /** Cancels pending renders and swaps; the loop on show stays. */
  stop(): void {
    this.#stopped = true;
    this.#timers.clear();
    this.#wake?.();
  }

  /**
   * Encodes a loop one frame per macrotask, so sending (this camera's and others') is held
   * up by one encode at most. Resolves undefined when stopped midway.
   */
  async #render(clock: Date): Promise<Uint8Array[] | undefined> {
    const { serial, size, count } = this.#opts;
    const opts = { serial, size, count, clock };
    const frames: Uint8Array[] = [];
    let busyMs = 0;
    for (let i = 0; i < count; i++) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timers.later(resolve, 0);
      });
      this.#wake = undefined;
      if (this.#stopped) return undefined;
      const t0 = performance.now();
      frames.push(renderFrame(opts, i));
      busyMs += performance.now() - t0;
    }
    const avgBytes = Math.round(frames.reduce((n, f) => n + f.byteLength, 0) / frames.length);
    this.#opts.onRendered?.({ frames: frames.length, ms: busyMs, avgBytes, clock });
    return frames;
  }

  /**
   * Renders the next period's loop ahead of time and swaps it in on the boundary. Rendering
   * starts early enough to finish: the last render's time, tripled, and at least 5 s before
   * (plus a random spread).
   */
  #scheduleClockUpdate(shown: number, lastRenderMs: number): void {
    const period = this.#opts.renderPeriodMs;
    // The first boundary after both now and the loop on show (a swap timer may fire early).
    const next = Math.floor(Math.max(Date.now(), shown) / period) * period + period;
    // A random extra lead spreads many cameras' renders over the minute instead of all
    // encoding at once and delaying each other's frames.
    const lead = Math.max(5_000, 3 * lastRenderMs) + Math.random() * Math.min(20_000, period / 3);
    this.#timers.later(async () => {
      const t0 = performance.now();
      const frames = await this.#render(new Date(next));
      if (!frames) return;
      const took = performance.now() - t0;
      this.#timers.later(() => {
        this.#frames = frames;
        this.#scheduleClockUpdate(next, took);
      }, next - Date.now());
    }, next - lead - Date.now());
  }
}
