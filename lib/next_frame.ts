/**
 * The next frame of one camera on the bus, waited for with a bound: a snapshot of a camera that
 * another hub holds (issue 13) has no frame in this hub's cache, and a NATS bus brings its frames
 * only while someone here subscribes. The subscription lives exactly as long as the wait, so a
 * snapshot leaves nothing subscribed behind it.
 */
import type { Bus, BusFrame } from "./bus.ts";

/** How long a snapshot waits for a frame from another hub (a want round trip, then a frame). */
export const REMOTE_FRAME_WAIT_MS = 2000;

export interface NextFrameOptions {
  /** Gives up after this many ms. */
  timeoutMs: number;
  /**
   * Gives up at once when one is aborted (the client went away, the hub stops). Listened to
   * and let go of directly, not through `AbortSignal.any()`: the hub's shutdown signal lives as
   * long as the hub, and must keep nothing of a finished wait.
   */
  signals?: AbortSignal[];
}

/** Resolves with the next frame of `serial`, or undefined on timeout or abort. */
export function nextFrame(
  bus: Bus,
  serial: string,
  o: NextFrameOptions,
): Promise<BusFrame | undefined> {
  if (!(o.timeoutMs >= 0)) throw new RangeError(`Invalid frame wait: "${o.timeoutMs}"`);
  const signals = o.signals ?? [];
  if (signals.some((s) => s.aborted)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let settled = false;
    let unsubscribe = () => {};
    const finish = (frame?: BusFrame) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", giveUp);
      unsubscribe();
      resolve(frame);
    };
    const giveUp = () => finish();
    const timer = setTimeout(giveUp, o.timeoutMs);
    for (const s of signals) s.addEventListener("abort", giveUp, { once: true });
    unsubscribe = bus.subscribe(serial, { frame: finish });
    // A bus that delivered within subscribe() had no unsubscribe to call yet.
    if (settled) unsubscribe();
  });
}

/**
 * When this hub received `frame`, as wall-clock ISO 8601 (ms): `receivedAt` is on the
 * monotonic clock (`performance.now()`), headers carry wall-clock time.
 */
export function receivedTime(frame: BusFrame): string {
  return new Date(performance.timeOrigin + frame.receivedAt).toISOString();
}
