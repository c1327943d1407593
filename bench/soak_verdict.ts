/**
 * The soak's judgement of a sampled series (hub RSS, open fds, timers, ...): after a warm-up,
 * does it stay flat? Pure: samples in, verdict out.
 *
 * What is left after the warm-up is cut into thirds. A leak shows as the last third sitting
 * above the second (the first third still settles: caches, JIT, pools), or as a climb through
 * all three thirds that adds up to more than the tolerance even when each step stays under
 * it. Medians, not means, so one sample taken while a burst of clients was connected moves
 * nothing. A series may fall as much as it likes: memory handed back is no leak.
 */
import { SOAK_SERIES, type SoakResult, type SoakSeries } from "./soak_report.ts";

export interface SeriesSample {
  /** seconds since the soak started */
  tS: number;
  value: number;
}

/** A rise is tolerated up to `abs`, or `rel` of the second third's median when larger. */
export interface Tolerance {
  abs: number;
  rel?: number;
}

export interface Flatness {
  /** null: too few samples after the warm-up to judge */
  flat: boolean | null;
  /** why it is not flat (or not judged); null when flat */
  why: string | null;
  /** samples after the warm-up */
  samples: number;
  /** medians of the thirds after the warm-up; null when not judged */
  thirds: [number, number, number] | null;
  /** last third's median minus the second third's */
  rise: number | null;
  /** the rise allowed, in the series' unit */
  tolerance: number | null;
  /** least-squares slope after the warm-up, unit per minute (for the reader; not judged) */
  slopePerMin: number | null;
  min: number | null;
  max: number | null;
}

/** Fewer samples than this after the warm-up leave a series unjudged (two per third). */
export const MIN_JUDGED_SAMPLES = 6;

export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError("Median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Least-squares slope of value over time, per minute; null for fewer than two points. */
export function slopePerMinute(samples: SeriesSample[]): number | null {
  if (samples.length < 2) return null;
  const n = samples.length;
  const mt = samples.reduce((a, s) => a + s.tS, 0) / n;
  const mv = samples.reduce((a, s) => a + s.value, 0) / n;
  let num = 0, den = 0;
  for (const s of samples) {
    num += (s.tS - mt) * (s.value - mv);
    den += (s.tS - mt) ** 2;
  }
  return den === 0 ? null : (num / den) * 60;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Judges one series: flat after `warmupS` within `tol`. */
export function judgeFlat(all: SeriesSample[], warmupS: number, tol: Tolerance): Flatness {
  const judged = all.filter((s) => s.tS >= warmupS).sort((a, b) => a.tS - b.tS);
  const values = judged.map((s) => s.value);
  const base: Flatness = {
    flat: null,
    why: null,
    samples: judged.length,
    thirds: null,
    rise: null,
    tolerance: null,
    slopePerMin: null,
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
  };
  if (judged.length < MIN_JUDGED_SAMPLES) {
    return {
      ...base,
      why: `${judged.length} samples after the ${warmupS} s warm-up, ${MIN_JUDGED_SAMPLES} needed`,
    };
  }
  const n = values.length;
  const cut = (k: number) => Math.round((k * n) / 3);
  const thirds = [0, 1, 2].map((k) => median(values.slice(cut(k), cut(k + 1)))) as [
    number,
    number,
    number,
  ];
  const tolerance = Math.max(tol.abs, (tol.rel ?? 0) * Math.abs(thirds[1]));
  const rise = thirds[2] - thirds[1];
  const slope = slopePerMinute(judged);
  const out: Flatness = {
    ...base,
    flat: true,
    thirds: thirds.map(round) as [number, number, number],
    rise: round(rise),
    tolerance: round(tolerance),
    slopePerMin: slope === null ? null : round(slope),
  };
  const [a, b, c] = out.thirds!;
  if (rise > tolerance) {
    return {
      ...out,
      flat: false,
      why: `last third's median ${c} is ${round(rise)} above the second's ${b} (allowed ${
        round(tolerance)
      })`,
    };
  }
  if (thirds[0] < thirds[1] && thirds[1] < thirds[2] && thirds[2] - thirds[0] > tolerance) {
    return {
      ...out,
      flat: false,
      why: `climbs through every third: ${a} -> ${b} -> ${c} (allowed ${round(tolerance)})`,
    };
  }
  return out;
}

/** Several named series judged together: flat when every judged one is (null if none is). */
export function judgeAll(
  results: Record<string, Flatness>,
): { flat: boolean | null; failed: string[] } {
  const entries = Object.entries(results);
  const failed = entries.filter(([, f]) => f.flat === false).map(([k, f]) => `${k}: ${f.why}`);
  if (failed.length) return { flat: false, failed };
  if (entries.some(([, f]) => f.flat === null)) {
    return {
      flat: null,
      failed: entries.filter(([, f]) => f.flat === null).map(([k, f]) => `${k}: ${f.why}`),
    };
  }
  return { flat: true, failed: [] };
}

/**
 * How much each series may rise from the second third to the last. RSS: 10% or 8 MiB;
 * the counts: what the churn alone moves them by when a sample lands mid-session (a viewer
 * holds a socket, a WebSocket and a subscription per camera it watches; a stream holds one
 * of each), since a leak of one per session would pass them within a minute or two.
 */
export const SOAK_TOLERANCE: Record<SoakSeries, Tolerance> = {
  rssMb: { abs: 8, rel: 0.1 },
  fds: { abs: 6 },
  timers: { abs: 6 },
  wsDevices: { abs: 2 },
  wsViewers: { abs: 3 },
  streams: { abs: 2 },
  busSubscriptions: { abs: 20 },
};

/** Judges every series and the checks: the soak passes when both hold. */
export function judgeSoak(
  r: Omit<SoakResult, "series" | "flat" | "checksOk" | "ok" | "failures">,
): SoakResult {
  const series = {} as Record<SoakSeries, Flatness>;
  for (const name of SOAK_SERIES) {
    const points = r.samples.flatMap((s) =>
      s[name] === null ? [] : [{ tS: s.tS, value: s[name] as number }]
    );
    series[name] = judgeFlat(points, r.warmupS, SOAK_TOLERANCE[name]);
  }
  const { flat, failed } = judgeAll(series);
  const failures = [...failed];
  const a = r.activity;
  const badRev = r.revocations.filter((c) => !c.ok).length;
  const badPol = r.policyReloads.filter((c) => !c.ok).length;
  if (badRev) failures.push(`${badRev} of ${r.revocations.length} revocations not cut in time`);
  if (badPol) failures.push(`${badPol} of ${r.policyReloads.length} policy reloads not applied`);
  if (r.revocations.length === 0) failures.push("no revocation was checked");
  if (r.policyReloads.length === 0) failures.push("no policy reload was checked");
  if (a.policyLeakedFrames) failures.push(`${a.policyLeakedFrames} frames leaked past a reload`);
  if (a.scrapeFailures) failures.push(`${a.scrapeFailures} /metrics scrapes failed`);
  const refused = a.viewerFailures + a.mjpegFailures + a.cameraReconnectFailures;
  if (refused) {
    failures.push(
      `clients failed: ${a.viewerFailures} viewers, ${a.mjpegFailures} MJPEG readers, ` +
        `${a.cameraReconnectFailures} camera dials`,
    );
  }
  const checksOk = failures.length === failed.length;
  return { ...r, series, flat, checksOk, ok: flat === true && checksOk, failures };
}
