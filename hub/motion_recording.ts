/**
 * The `motion` recording mode: a camera in it is recorded while one of its motion events is
 * open, from `preRollMs` before the event's start to `postRollMs` after its end.
 *
 * The pre-roll: while such a camera is not being recorded, the frames the recorder's gate
 * refuses come here and the last `preRollMs` of them are kept, by reference (the bus's
 * buffers are never written to), at most `ringBytes` per camera (older frames beyond are
 * dropped and counted). When an event starts they go to the recorder with their capture
 * times, ahead of the live frames that follow; so the recording starts before the motion
 * that the analyzer, working on frames already received, could only see afterwards.
 *
 * Listens to the {@link MotionFeed}: with motion detection off (or off for the camera) no
 * event starts and a camera in `motion` mode records nothing.
 */
import type { MotionFeed, MotionNotice } from "../lib/motion_notice.ts";

export interface MotionRecordingOptions {
  preRollMs: number;
  postRollMs: number;
  /** Pre-roll bytes kept per camera at most; default 16 MiB. */
  ringBytes?: number;
  feed: MotionFeed;
  /** Whether the camera's recording mode in force is `motion`. */
  isMotionMode(serial: string): boolean;
  /** Where the pre-roll goes when an event starts. */
  record(serial: string, jpeg: Uint8Array, time: number): void;
  /** A pre-roll frame was dropped for the byte cap (metrics). */
  onDropped?(serial: string): void;
  /** The camera's `recording` flag changed (an event started; a post-roll ended). */
  onChange?(serial: string): void;
  /** Epoch ms; default `Date.now`. */
  now?(): number;
}

interface Held {
  jpeg: Uint8Array;
  time: number;
}

interface Ring {
  frames: Held[];
  /** Index of the oldest kept frame in `frames` (dropped ones are cut in batches). */
  head: number;
  bytes: number;
  dropped: number;
}

export const DEFAULT_RING_BYTES = 16 * 1024 * 1024;

export class MotionRecording {
  #o: MotionRecordingOptions;
  #now: () => number;
  #ringBytes: number;
  #rings = new Map<string, Ring>();
  /** Cameras with an event open. */
  #open = new Set<string>();
  /** Cameras in their post-roll: until when (epoch ms), and the timer that tells the pages. */
  #until = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();
  #dropped = new Map<string, number>();
  #off: () => void;

  constructor(o: MotionRecordingOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#ringBytes = o.ringBytes ?? DEFAULT_RING_BYTES;
    this.#off = o.feed.subscribe((n) => this.#onNotice(n));
  }

  /** Whether a `motion`-mode camera is to be recorded now: an event open, or its post-roll. */
  recording(serial: string): boolean {
    if (this.#open.has(serial)) return true;
    const until = this.#until.get(serial);
    return until !== undefined && this.#now() < until.at;
  }

  /** A frame the recorder's gate refused: kept for the pre-roll if the camera is in motion. */
  refused(serial: string, jpeg: Uint8Array, time: number): void {
    if (!this.#o.isMotionMode(serial) || this.#o.preRollMs <= 0) {
      this.#rings.delete(serial);
      return;
    }
    let ring = this.#rings.get(serial);
    if (ring === undefined) {
      ring = { frames: [], head: 0, bytes: 0, dropped: 0 };
      this.#rings.set(serial, ring);
    }
    ring.frames.push({ jpeg, time });
    ring.bytes += jpeg.length;
    const oldest = time - this.#o.preRollMs;
    while (ring.head < ring.frames.length - 1) {
      const f = ring.frames[ring.head];
      const tooMany = ring.bytes > this.#ringBytes;
      if (f.time >= oldest && !tooMany) break;
      if (tooMany && f.time >= oldest) {
        ring.dropped++;
        this.#dropped.set(serial, (this.#dropped.get(serial) ?? 0) + 1);
        this.#o.onDropped?.(serial);
      }
      ring.bytes -= f.jpeg.length;
      ring.head++;
    }
    // Cut the array now and then rather than shifting it per frame.
    if (ring.head > 64 && ring.head * 2 > ring.frames.length) {
      ring.frames = ring.frames.slice(ring.head);
      ring.head = 0;
    }
  }

  /** Frames and bytes held for a camera's pre-roll now, and those dropped for the byte cap. */
  stats(serial: string): { frames: number; bytes: number; dropped: number } {
    const ring = this.#rings.get(serial);
    return {
      frames: ring ? ring.frames.length - ring.head : 0,
      bytes: ring?.bytes ?? 0,
      dropped: this.#dropped.get(serial) ?? 0,
    };
  }

  close(): void {
    this.#off();
    for (const { timer } of this.#until.values()) clearTimeout(timer);
    this.#until.clear();
    this.#rings.clear();
    this.#open.clear();
  }

  #onNotice(n: MotionNotice): void {
    const serial = n.camera;
    if (n.state === "start") {
      const wasRecording = this.recording(serial);
      this.#open.add(serial);
      const until = this.#until.get(serial);
      if (until) clearTimeout(until.timer);
      this.#until.delete(serial);
      const ring = this.#rings.get(serial);
      this.#rings.delete(serial);
      if (ring && this.#o.isMotionMode(serial)) {
        for (let i = ring.head; i < ring.frames.length; i++) {
          this.#o.record(serial, ring.frames[i].jpeg, ring.frames[i].time);
        }
      }
      if (!wasRecording) this.#o.onChange?.(serial);
      return;
    }
    if (!this.#open.delete(serial)) return;
    const at = this.#now() + this.#o.postRollMs;
    // The flag turns false when the post-roll is over: the pages hear of it then.
    const timer = setTimeout(() => {
      this.#until.delete(serial);
      this.#o.onChange?.(serial);
    }, this.#o.postRollMs);
    this.#until.set(serial, { at, timer });
  }
}
