/**
 * One sweep step judged on several runs of the same load: each figure is the median of the
 * runs (column by column) with its min-max spread, and the step is sustained when its
 * medians meet the rule. One unlucky run (a 0.29% loss blip from a neighbour's work) then no
 * longer moves the maximum by a bisection step. Pure: the runs come in as results.
 */
import type { StepResult } from "./load_step.ts";

export interface Rule {
  p99Ms: number;
  lossPct: number;
}

/** Smallest and largest value over the runs. */
export interface Spread {
  min: number;
  max: number;
}

/** The figures of one run, kept beside the medians. */
export interface RunFigures {
  sustained: boolean;
  why: string;
  lossPct: number;
  lost: number;
  p50: number | null;
  p99: number | null;
  maxMs: number | null;
  hubCpuPct: number;
  hubCpuUsPerFrame: number | null;
  otherCpuPct: number;
}

export interface RepeatedStep extends StepResult {
  sustained: boolean;
  why: string;
  /** runs measured; every number of the step is the median over them */
  runs: number;
  /** runs that met the rule on their own */
  runsSustained: number;
  /** min-max over the runs; null for a figure some run lacks (no frames, no CPU reading) */
  spread: {
    lossPct: Spread;
    p50: Spread | null;
    p99: Spread | null;
    maxMs: Spread | null;
    hubCpuPct: Spread;
    hubCpuUsPerFrame: Spread | null;
  };
  perRun: RunFigures[];
}

/** The sweep's rule for "sustained": p99 under the bound and (almost) nothing lost. */
export function sustained(r: StepResult, rule: Rule): { ok: boolean; why: string } {
  if (r.viewersClosed > 0) return { ok: false, why: `${r.viewersClosed} viewers closed` };
  if (r.latency.p99 === null) return { ok: false, why: "no frames" };
  if (r.lossPct >= rule.lossPct) {
    return { ok: false, why: `loss ${r.lossPct}% >= ${rule.lossPct}%` };
  }
  if (r.latency.p99 >= rule.p99Ms) {
    return { ok: false, why: `p99 ${r.latency.p99} ms >= ${rule.p99Ms} ms` };
  }
  return { ok: true, why: `p99 ${r.latency.p99} ms, loss ${r.lossPct}%` };
}

/**
 * The median, a missing value (null) counting as the worst; null when the middle is missing.
 * An even count gives the mean of the two middle values.
 */
export function median(values: (number | null)[]): number | null {
  if (values.length === 0) throw new RangeError("Median of no values");
  const sorted = [...values].sort((a, b) =>
    a === null ? (b === null ? 0 : 1) : b === null ? -1 : a - b
  );
  const mid = sorted.length >> 1;
  if (sorted.length % 2) return sorted[mid];
  const [a, b] = [sorted[mid - 1], sorted[mid]];
  return a === null || b === null ? null : Math.round(((a + b) / 2) * 1000) / 1000;
}

export function spreadOf(values: (number | null)[]): Spread | null {
  if (values.some((v) => v === null)) return null;
  const v = values as number[];
  return { min: Math.min(...v), max: Math.max(...v) };
}

/** Median of every numeric field (and of latency's), the rest from the first run. */
function medianResult(runs: StepResult[]): StepResult {
  const out: Record<string, unknown> = { ...runs[0] };
  const rows = runs as unknown as Record<string, unknown>[];
  for (const [key, value] of Object.entries(runs[0])) {
    if (typeof value === "number" || value === null) {
      out[key] = median(rows.map((r) => r[key] as number | null));
    }
  }
  const l = runs.map((r) => r.latency);
  out.latency = {
    count: median(l.map((x) => x.count)),
    p50: median(l.map((x) => x.p50)),
    p99: median(l.map((x) => x.p99)),
    max: median(l.map((x) => x.max)),
  };
  // Identity of the load, never a median: the same in every run.
  for (const key of ["hub", "cameras", "fps", "viewers", "stalled", "seconds"]) {
    out[key] = (runs[0] as unknown as Record<string, unknown>)[key];
  }
  delete out.histogram;
  delete out.slow;
  return out as unknown as StepResult;
}

/** Judges `runs` of one load (at least one) on their medians. */
export function judgeRuns(runs: StepResult[], rule: Rule): RepeatedStep {
  if (runs.length === 0) throw new RangeError("A step needs at least one run");
  const m = medianResult(runs);
  const verdict = sustained(m, rule);
  const perRun = runs.map((r): RunFigures => {
    const v = sustained(r, rule);
    return {
      sustained: v.ok,
      why: v.why,
      lossPct: r.lossPct,
      lost: r.lost,
      p50: r.latency.p50,
      p99: r.latency.p99,
      maxMs: r.latency.max,
      hubCpuPct: r.hubCpuPct,
      hubCpuUsPerFrame: r.hubCpuUsPerFrame,
      otherCpuPct: r.otherCpuPct,
    };
  });
  return {
    ...m,
    sustained: verdict.ok,
    why: runs.length > 1 ? `medians: ${verdict.why}` : verdict.why,
    runs: runs.length,
    runsSustained: perRun.filter((r) => r.sustained).length,
    spread: {
      lossPct: spreadOf(perRun.map((r) => r.lossPct))!,
      p50: spreadOf(perRun.map((r) => r.p50)),
      p99: spreadOf(perRun.map((r) => r.p99)),
      maxMs: spreadOf(perRun.map((r) => r.maxMs)),
      hubCpuPct: spreadOf(perRun.map((r) => r.hubCpuPct))!,
      hubCpuUsPerFrame: spreadOf(perRun.map((r) => r.hubCpuUsPerFrame)),
    },
    perRun,
  };
}
