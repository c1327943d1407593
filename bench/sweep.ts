/**
 * Finds the largest viewer count a hub sustains with few steps: double from a start point
 * until a step fails (or halve until one passes), then bisect between the last pass and the
 * first failure. Pure: the caller supplies the step.
 */

export interface SweepOptions {
  start: number;
  /** never try more viewers than this */
  cap: number;
  /** stop bisecting when hi - lo <= max(1, lo * resolution) */
  resolution: number;
  maxSteps: number;
  /** a result already measured at some viewer counts (e.g. the target step) */
  known?: Map<number, boolean>;
}

export interface SweepResult {
  /** largest passing viewer count, 0 when none passed */
  max: number;
  /** smallest failing viewer count, null when none failed up to the cap */
  firstFail: number | null;
  steps: number;
  capped: boolean;
}

export async function sweepViewers(
  pass: (viewers: number) => Promise<boolean>,
  o: SweepOptions,
): Promise<SweepResult> {
  let steps = 0;
  const seen = new Map(o.known ?? []);
  const test = async (v: number): Promise<boolean> => {
    const k = seen.get(v);
    if (k !== undefined) return k;
    steps++;
    const ok = await pass(v);
    seen.set(v, ok);
    return ok;
  };
  let lo = 0;
  let hi: number | null = null;
  if (await test(o.start)) {
    lo = o.start;
    while (steps < o.maxSteps && lo < o.cap) {
      const v = Math.min(o.cap, lo * 2);
      if (await test(v)) lo = v;
      else {
        hi = v;
        break;
      }
    }
  } else {
    hi = o.start;
    while (steps < o.maxSteps && hi > 1) {
      const v = Math.floor(hi / 2);
      if (await test(v)) {
        lo = v;
        break;
      }
      hi = v;
    }
  }
  while (hi !== null && lo > 0 && steps < o.maxSteps && hi - lo > Math.max(1, lo * o.resolution)) {
    const mid = Math.round((lo + hi) / 2);
    if (await test(mid)) lo = mid;
    else hi = mid;
  }
  return { max: lo, firstFail: hi, steps, capped: hi === null && lo >= o.cap };
}
