/**
 * The {@link MotionFeed} the hub's motion service publishes to: each notice goes to every
 * listener in turn, synchronously; a listener that throws is reported and the others still
 * get the notice.
 */
import type { MotionFeed, MotionNotice } from "./motion_notice.ts";

export class MotionFanout implements MotionFeed {
  #listeners = new Set<(notice: MotionNotice) => void>();
  #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  subscribe(listener: (notice: MotionNotice) => void): () => void {
    // A wrapper per subscription: the same function subscribed twice is two subscriptions.
    const entry = (n: MotionNotice) => listener(n);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  publish(notice: MotionNotice): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(notice);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
