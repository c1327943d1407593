/**
 * Turns a camera's stream of {@link MotionSample}s into motion events with hysteresis, so one
 * walk past is one event: an event starts after `startFrames` consecutive motion samples (or
 * at once on a score of `startScore`, so a big change is announced without waiting) and ends
 * once `endAfterMs` passed without motion. Its start and end times are those of the first and
 * last motion samples, not of the decisions, so they match the motion within one analysis
 * interval whatever the hysteresis.
 *
 * Each sample comes with an opaque `ref` (the hub passes the JPEG); the event keeps the one of
 * its peak sample, for the thumbnail.
 */
import type { MotionRect } from "./motion_settings.ts";
import type { MotionSample } from "./motion_model.ts";

export interface MotionEventOptions {
  startFrames?: number;
  startScore?: number;
  endAfterMs?: number;
}

export const DEFAULT_MOTION_EVENT_OPTIONS: Readonly<Required<MotionEventOptions>> = Object
  .freeze({ startFrames: 2, startScore: 0.05, endAfterMs: 5_000 });

/** What is known of an event when it starts and when it ends. */
export interface MotionTransition<T> {
  state: "start" | "end";
  /** Time of the event's first motion sample, epoch ms. */
  startedAt: number;
  /** `end` only: time of its last motion sample. */
  endedAt?: number;
  /** Highest score so far (changed fraction of the unmasked picture, 0-1) and its time. */
  peakScore: number;
  peakAt: number;
  /** Where the peak sample's motion was, normalized 0-1. */
  peakBox: MotionRect;
  /** The union of every motion sample's box so far. */
  box: MotionRect;
  /** The `ref` given with the peak sample. */
  peakRef: T;
}

interface Run<T> {
  startedAt: number;
  lastMotionAt: number;
  frames: number;
  peakScore: number;
  peakAt: number;
  peakBox: MotionRect;
  box: MotionRect;
  peakRef: T;
}

export class MotionEventMachine<T> {
  #opts: Required<MotionEventOptions>;
  /** The motion samples seen since the last still one, or the open event. */
  #run: Run<T> | undefined;
  #active = false;

  constructor(options: MotionEventOptions = {}) {
    this.#opts = { ...DEFAULT_MOTION_EVENT_OPTIONS, ...options };
  }

  /** Whether an event has started and not ended. */
  get active(): boolean {
    return this.#active;
  }

  /** Feeds one sample; returns the transition it causes, if any. */
  update(sample: MotionSample, ref: T): MotionTransition<T> | undefined {
    const run = this.#run;
    if (!sample.motion || sample.box === undefined) {
      if (!this.#active) this.#run = undefined;
      return this.idle(sample.at);
    }
    if (run === undefined) {
      this.#run = {
        startedAt: sample.at,
        lastMotionAt: sample.at,
        frames: 1,
        peakScore: sample.score,
        peakAt: sample.at,
        peakBox: sample.box,
        box: sample.box,
        peakRef: ref,
      };
    } else {
      run.lastMotionAt = sample.at;
      run.frames++;
      run.box = union(run.box, sample.box);
      if (sample.score > run.peakScore) {
        run.peakScore = sample.score;
        run.peakAt = sample.at;
        run.peakBox = sample.box;
        run.peakRef = ref;
      }
    }
    const r = this.#run!;
    if (
      !this.#active && (r.frames >= this.#opts.startFrames || r.peakScore >= this.#opts.startScore)
    ) {
      this.#active = true;
      return transition("start", r);
    }
    return undefined;
  }

  /**
   * Ends the open event if `endAfterMs` passed since its last motion; for a camera whose
   * frames stopped coming, where no sample would end it.
   */
  idle(now: number): MotionTransition<T> | undefined {
    const run = this.#run;
    if (!this.#active || run === undefined) return undefined;
    if (now - run.lastMotionAt < this.#opts.endAfterMs) return undefined;
    return this.finish();
  }

  /** Ends the open event now, whatever the hysteresis (camera gone, motion turned off). */
  finish(): MotionTransition<T> | undefined {
    const run = this.#run;
    const wasActive = this.#active;
    this.#run = undefined;
    this.#active = false;
    if (!wasActive || run === undefined) return undefined;
    return { ...transition("end", run), endedAt: run.lastMotionAt };
  }
}

function transition<T>(state: "start" | "end", r: Run<T>): MotionTransition<T> {
  return {
    state,
    startedAt: r.startedAt,
    peakScore: r.peakScore,
    peakAt: r.peakAt,
    peakBox: r.peakBox,
    box: r.box,
    peakRef: r.peakRef,
  };
}

function union(a: MotionRect, b: MotionRect): MotionRect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    w: Math.max(a.x + a.w, b.x + b.w) - x,
    h: Math.max(a.y + a.h, b.y + b.h) - y,
  };
}
