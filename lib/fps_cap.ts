/**
 * `--record-max-fps`: which frames of each camera continuous recording keeps when it may keep at
 * most `maxFps` a second. Pure, with the caller's clock.
 *
 * Each camera has a next slot, `1000 / maxFps` ms after the previous one; the first frame at
 * the slot, or up to a quarter interval before it, is kept and the slot moves on by one
 * interval, so a 15 fps camera capped at 2 keeps 2 a second on average, and a camera sending
 * at the cap keeps every frame despite jitter. A plain minimum gap between kept frames would
 * keep fewer (every 8th frame of that camera, 533 ms apart: 1.9 a second) and lose every
 * other frame of one at the cap that sends a little early. Since the slot advances by the
 * interval, not from the kept frame, the early margin never adds up to more than `maxFps` a
 * second. A camera that sent nothing for a whole interval starts a new schedule at its next
 * frame, so a pause earns no burst.
 */
export class FpsCap {
  readonly intervalMs: number;
  #early: number;
  #next = new Map<string, number>();

  constructor(maxFps: number) {
    if (!(maxFps > 0) || !Number.isFinite(maxFps)) {
      throw new RangeError(`Invalid frame rate cap: ${maxFps}`);
    }
    this.intervalMs = 1000 / maxFps;
    this.#early = this.intervalMs / 4;
  }

  /** Whether to keep `key`'s frame at `time` (ms); a kept frame takes the slot. */
  keep(key: string, time: number): boolean {
    const next = this.#next.get(key);
    if (next !== undefined && time < next - this.#early) return false;
    const behind = next === undefined || time >= next + this.intervalMs;
    this.#next.set(key, (behind ? time : next) + this.intervalMs);
    return true;
  }

  /** Forgets `key`'s schedule: its next frame is kept. */
  reset(key: string): void {
    this.#next.delete(key);
  }
}
