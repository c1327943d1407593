/**
 * Pacing of recorded playback (`recording.mjpeg?speed=`): frames go out at their recorded
 * intervals divided by the speed. Pure: the caller gives the clock and does the waiting.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 16;

/** The `speed` parameter: 1 when absent; 400 `TC_ERR_BAD_SPEED` unless a number in range. */
export function parseSpeed(raw: string | null): number {
  if (raw === null) return 1;
  const speed = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    throw new TrustcamError(
      "TC_ERR_BAD_SPEED",
      `Invalid speed: ${quote(raw)}: expected a number from ${MIN_SPEED} to ${MAX_SPEED}`,
    );
  }
  return speed;
}

/**
 * When each frame is due. The schedule is anchored at the first frame; a reader that fell
 * more than `maxLagMs` behind (it stopped reading for a while) gets a new anchor at the frame
 * it takes next, so it resumes at the recorded pace instead of in a burst.
 */
export class Pacer {
  #anchor: { time: number; at: number } | undefined;

  constructor(readonly speed: number, readonly maxLagMs = 1000) {}

  /** Milliseconds to wait before sending the frame captured at `time`, the clock at `now`. */
  delay(time: number, now: number): number {
    if (!this.#anchor) {
      this.#anchor = { time, at: now };
      return 0;
    }
    const due = this.#anchor.at + (time - this.#anchor.time) / this.speed;
    if (now - due > this.maxLagMs) {
      this.#anchor = { time, at: now };
      return 0;
    }
    return Math.max(0, due - now);
  }
}
