/**
 * Frames per second and kilobits per second over a sliding window, for one camera. A ring of
 * fixed buckets makes `add()` O(1) with no allocation: it runs once per relayed frame.
 */
export class RateWindow {
  readonly windowMs: number;
  readonly bucketMs: number;
  #n: number;
  /** Bucket number (`floor(t / bucketMs)`) each slot currently holds, or -1 when empty. */
  #ids: Float64Array;
  #frames: Float64Array;
  #bytes: Float64Array;
  /** Time of the first add since construction or reset; NaN before it. */
  #since = NaN;

  constructor(windowMs = 5000, bucketMs = 250) {
    if (!(bucketMs > 0) || !Number.isFinite(bucketMs)) {
      throw new RangeError(`Invalid rate bucket: ${bucketMs} ms`);
    }
    if (!(windowMs >= bucketMs) || !Number.isFinite(windowMs)) {
      throw new RangeError(`Invalid rate window: ${windowMs} ms < bucket ${bucketMs} ms`);
    }
    this.windowMs = windowMs;
    this.bucketMs = bucketMs;
    this.#n = Math.ceil(windowMs / bucketMs);
    this.#ids = new Float64Array(this.#n).fill(-1);
    this.#frames = new Float64Array(this.#n);
    this.#bytes = new Float64Array(this.#n);
  }

  /** Records one frame of `bytes` bytes received at `now` (milliseconds, any epoch). */
  add(now: number, bytes: number): void {
    const id = Math.floor(now / this.bucketMs);
    const slot = id % this.#n;
    if (this.#ids[slot] !== id) {
      this.#ids[slot] = id;
      this.#frames[slot] = 0;
      this.#bytes[slot] = 0;
    }
    this.#frames[slot]++;
    this.#bytes[slot] += bytes;
    if (this.#since !== this.#since) this.#since = now; // NaN check without a call
  }

  /** Frames per second at `now`. */
  fps(now: number): number {
    return this.#rate(now, this.#frames);
  }

  /** Kilobits (1000 bits) per second at `now`. */
  kbps(now: number): number {
    return (this.#rate(now, this.#bytes) * 8) / 1000;
  }

  /** Forgets everything, as for a camera that just (re)connected. */
  reset(): void {
    this.#ids.fill(-1);
    this.#frames.fill(0);
    this.#bytes.fill(0);
    this.#since = NaN;
  }

  #rate(now: number, values: Float64Array): number {
    if (this.#since !== this.#since) return 0;
    const newest = Math.floor(now / this.bucketMs);
    const oldest = newest - this.#n + 1;
    let sum = 0;
    for (let i = 0; i < this.#n; i++) {
      const id = this.#ids[i];
      if (id >= oldest && id <= newest) sum += values[i];
    }
    // The live buckets span from the start of the oldest one to now; a window younger than
    // that (a camera that just started) is divided by its own age, so 1 s at 15 fps reads 15.
    // One bucket is the least it is divided by, so a lone first frame cannot read as 1000 fps.
    const span = now - oldest * this.bucketMs;
    const age = now - this.#since;
    const covered = Math.max(this.bucketMs, Math.min(span, age));
    return (sum * 1000) / covered;
  }
}
