/**
 * One {@link TokenBucket} per key (a viewer's CN), for actions that must not be flooded by any
 * one certificate. Keys come from verified certificates, but the map still stays bounded: a
 * bucket left alone long enough to be full again is the same as a new one, so it is dropped.
 */
import { TokenBucket } from "./control.ts";

export interface KeyedBucketsOptions {
  /** Tokens refilled per second, per key. */
  ratePerSec: number;
  /** Tokens a key may spend at once. */
  burst: number;
  /** Clock in milliseconds; injected by tests. */
  now?: () => number;
  /** Keys kept before idle (full) buckets are swept; default 1024. */
  sweepAt?: number;
}

export class KeyedBuckets {
  readonly ratePerSec: number;
  readonly burst: number;
  #buckets = new Map<string, { bucket: TokenBucket; lastTake: number }>();
  #now: () => number;
  #sweepAt: number;
  /** Time an untouched bucket needs to refill from empty. */
  #refillMs: number;

  constructor(o: KeyedBucketsOptions) {
    // TokenBucket validates the rate and the burst.
    new TokenBucket(o.ratePerSec, o.burst);
    this.ratePerSec = o.ratePerSec;
    this.burst = o.burst;
    this.#now = o.now ?? Date.now;
    this.#sweepAt = o.sweepAt ?? 1024;
    this.#refillMs = (o.burst / o.ratePerSec) * 1000;
  }

  /** Takes one token for `key` now; false when that key spent its tokens. */
  take(key: string): boolean {
    const now = this.#now();
    let entry = this.#buckets.get(key);
    if (!entry) {
      if (this.#buckets.size >= this.#sweepAt) this.#sweep(now);
      entry = { bucket: new TokenBucket(this.ratePerSec, this.burst), lastTake: now };
      this.#buckets.set(key, entry);
    }
    entry.lastTake = now;
    return entry.bucket.take(now);
  }

  /** Keys held; a bucket full again is dropped at the next sweep. */
  get size(): number {
    return this.#buckets.size;
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#buckets) {
      if (now - entry.lastTake >= this.#refillMs) this.#buckets.delete(key);
    }
  }
}
