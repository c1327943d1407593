/**
 * Reconnect delays: exponential growth with a cap, and jitter so that many cameras (or
 * browser tabs) dropped by the same hub restart do not all come back in the same instant.
 * Pure and free of Deno/Node APIs: the browser UI imports it too.
 */

export const DEFAULT_BACKOFF_BASE_MS = 500;
export const DEFAULT_BACKOFF_MAX_MS = 30_000;
/** Equal jitter: half of each delay is fixed, half is random. */
export const DEFAULT_BACKOFF_JITTER = 0.5;

export interface BackoffOptions {
  /** Delay ceiling for attempt 0; doubles with each attempt. Default 500 ms. */
  baseMs?: number;
  /** Cap on the delay. Default 30 s. */
  maxMs?: number;
  /**
   * Share of the delay that is random, from 0 to 1. 0: no jitter; 0.5 (default): "equal
   * jitter", a delay in [d/2, d]; 1: "full jitter", a delay in [0, d]. Equal jitter keeps a
   * floor, so a hub that refuses at once is never hammered in a tight loop.
   */
  jitter?: number;
  /** Source of randomness in [0, 1); default Math.random. Tests inject their own. */
  random?: () => number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): with d =
 * min(maxMs, baseMs * 2^attempt), a value in [d * (1 - jitter), d].
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const max = opts.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
  const jitter = opts.jitter ?? DEFAULT_BACKOFF_JITTER;
  const random = opts.random ?? Math.random;
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`Backoff attempt must be a non-negative integer: "${attempt}"`);
  }
  if (!(base >= 0) || !Number.isFinite(base)) {
    throw new RangeError(`Backoff base must be a finite number >= 0: "${base}"`);
  }
  if (!(max >= 0) || !Number.isFinite(max)) {
    throw new RangeError(`Backoff maximum must be a finite number >= 0: "${max}"`);
  }
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new RangeError(`Backoff jitter must be between 0 and 1: "${jitter}"`);
  }
  // Past 2^60 the cap has long won; bounding the exponent keeps 0 * 2^n finite.
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 60));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling * (1 - jitter * r));
}
