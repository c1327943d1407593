/**
 * Latencies in 1 ms bins. Frame stamps are whole milliseconds (Date.now() in the camera), so
 * finer bins would only pretend; a histogram keeps every sample of a long run in a fixed
 * amount of memory and merges across viewer processes exactly.
 */

/** Latencies above this land in the last bin; the true maximum is kept apart. */
export const MAX_BIN_MS = 120_000;

export interface HistogramJson {
  /** [ms, count] pairs, non-empty bins only. */
  bins: [number, number][];
  count: number;
  max: number;
  min: number;
  sum: number;
}

export class LatencyHistogram {
  #bins = new Uint32Array(MAX_BIN_MS + 1);
  count = 0;
  max = -Infinity;
  min = Infinity;
  sum = 0;

  add(ms: number): void {
    // Two processes read the same wall clock, but a stamp taken a hair before a clock step
    // can show a negative latency; it counts as 0.
    const v = ms < 0 ? 0 : ms;
    this.#bins[v > MAX_BIN_MS ? MAX_BIN_MS : Math.floor(v)]++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  /** The smallest bin value at or below which a fraction `q` (0..1) of the samples lie. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.#bins.length; i++) {
      seen += this.#bins[i];
      if (seen >= rank) return i;
    }
    return MAX_BIN_MS;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < this.#bins.length; i++) this.#bins[i] += other.#bins[i];
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
    if (other.min < this.min) this.min = other.min;
  }

  summary(): { count: number; p50: number | null; p99: number | null; max: number | null } {
    return {
      count: this.count,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      max: this.count ? this.max : null,
    };
  }

  toJSON(): HistogramJson {
    const bins: [number, number][] = [];
    for (let i = 0; i < this.#bins.length; i++) if (this.#bins[i]) bins.push([i, this.#bins[i]]);
    return { bins, count: this.count, max: this.max, min: this.min, sum: this.sum };
  }

  static fromJSON(j: HistogramJson): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [ms, n] of j.bins) h.#bins[ms] += n;
    h.count = j.count;
    h.max = j.count ? j.max : -Infinity;
    h.min = j.count ? j.min : Infinity;
    h.sum = j.sum;
    return h;
  }
}
