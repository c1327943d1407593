/**
 * The benchmark's results: one JSON document and the same figures as a markdown table, with
 * the issue's targets and whether each is met. A full run with default settings is written to
 * bench/results/latest.{json,md} and a dated copy; every other run to bench/results/scratch/.
 */
import type { MachineInfo } from "./proc_stats.ts";
import type { RepeatedStep, Spread } from "./repeated_step.ts";
import type { SweepResult } from "./sweep.ts";
import { soakMarkdown, type SoakResult } from "./soak_report.ts";
import { recordingMarkdown, type RecordingResult } from "./recording_report.ts";
import { motionMarkdown, type MotionRelayResult } from "./motion_scenario.ts";
import { thinMarkdown, type ThinResult } from "./thin_scenario.ts";
import { leakMarkdown, type LeakResult } from "./leak_scenario.ts";
import { natsMarkdown, type NatsResult } from "./nats_scenario.ts";

export interface BrowserResult {
  ran: boolean;
  reason?: string;
  size?: "qvga" | "vga";
  seconds?: number;
  cameras?: number;
  fps?: number;
  tiles?: number;
  received?: number;
  painted?: number;
  receivedPerS?: number;
  paintedPerS?: number;
  paintedPct?: number;
  longTasks?: number;
  longTaskMs?: number;
  longestTaskMs?: number;
  heapMb?: number;
  heapStartMb?: number;
  hubCpuPct?: number;
  /** every Chromium process, % of one core */
  chromiumCpuPct?: number;
  /** playwright's client-certificate TLS proxy (the browser process), % of one core */
  proxyCpuPct?: number;
  frameBytes?: number;
  viewport?: string;
  pageErrors?: string[];
}

export interface StalledSummary {
  healthyViewers: number;
  stallSeconds: number;
  baselineP99Ms: number | null;
  stalledP99Ms: number | null;
  p99DeltaMs: number | null;
  baselineRssPeakMb: number;
  rssStartMb: number;
  rssPeakMb: number;
  rssAfterMb: number | null;
  rssCostMb: number;
  healthyLossPct: number;
  /** frames the hub skipped (for the stalled viewer) during the run */
  skippedForStalled: number | null;
}

export type SweepSummary = SweepResult & { framesPerS: number; runsPerStep: number };

export type ReportStep = RepeatedStep & { scenario: string };

export interface BenchReport {
  /** 2: steps carry runs, medians and their spread */
  version: 2;
  startedAt: string;
  durationS: number;
  command: string;
  mode: "full" | "quick";
  /** every scenario, with sweeps */
  complete: boolean;
  /** run with non-default settings: never written as latest.* */
  custom: boolean;
  machine: MachineInfo;
  deno: string;
  commit: { hash: string; dirty: boolean };
  config: {
    cameras: number;
    fps: number;
    frameSize: "vga";
    frameBytes: number;
    stepSeconds: number;
    /** runs per relay/ceiling step (interleaved between the hubs), judged on their medians */
    runsPerStep: number;
    warmupSeconds: number;
    sweepRule: { p99Ms: number; lossPct: number };
    hubArgs: string[];
    hubRoot: string | null;
    viewerProcesses: number;
    viewerClient: "lean" | "ws";
    viewerBufferBytes: number;
    viewerBufferIsHubDefault: boolean;
  };
  steps: ReportStep[];
  relay?: SweepSummary;
  ceiling?: SweepSummary;
  /** trustcam's max sustained load / the bare TLS ceiling's */
  ratio?: number;
  /** hub CPU per delivered frame, both hubs at the same sustained load; ratio = bare / trustcam */
  cpuPerFrame?: {
    viewers: number;
    trustcamUs: number | null;
    bareUs: number | null;
    trustcamSpread: Spread | null;
    bareSpread: Spread | null;
    ratio: number | null;
  };
  stalled?: StalledSummary;
  browser?: BrowserResult;
  recording?: RecordingResult;
  motion?: MotionRelayResult;
  nats?: NatsResult;
  thin?: ThinResult;
  leak?: LeakResult;
  /** only when the soak was asked for (`--only soak`) */
  soak?: SoakResult;
  targets?: Target[];
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

export function targetsOf(r: BenchReport): Target[] {
  const t: Target[] = [];
  const target = r.steps.find((s) => s.scenario === "relay target");
  t.push({
    name: `${r.config.cameras} cameras x ${r.config.fps} fps x 8 viewers`,
    goal: "p99 < 20 ms, zero loss for healthy viewers",
    measured: target
      ? `p99 ${target.latency.p99} ms, ${target.lost} of ${target.expected} frames lost`
      : "not run",
    met: target
      ? target.latency.p99 !== null && target.latency.p99 < 20 && target.lost === 0
      : null,
  });
  const atMax = (hub: "trustcam" | "bare", s: SweepSummary) => {
    const step = sweepStep(r, hub, s.max);
    return step ? `${step.runsSustained} of ${step.runs}` : "-";
  };
  t.push({
    name: "Maximum sustained load vs bare TLS",
    goal: ">= 50% of the bare node:tls fan-out",
    measured: r.ratio !== undefined && r.relay && r.ceiling
      ? `${Math.round(r.ratio * 100)}% (${r.relay.max} vs ${r.ceiling.max}${
        r.ceiling.capped ? "+" : ""
      } viewers at ${r.config.cameras} x ${r.config.fps}; ${
        r.config.runsPerStep > 1
          ? `median of ${r.config.runsPerStep} interleaved runs per step, ` +
            `${atMax("trustcam", r.relay)} and ${atMax("bare", r.ceiling)} runs sustained there`
          : "one run per step"
      })`
      : "not run",
    met: r.ratio !== undefined ? r.ratio >= 0.5 : null,
  });
  const s = r.stalled;
  t.push({
    name: "Stalled viewer: hub memory",
    goal: "< 16 MB RSS",
    measured: s
      ? `${s.rssCostMb} MB (peak ${s.rssPeakMb} MB vs ${s.baselineRssPeakMb} MB without it)`
      : "not run",
    met: s ? s.rssCostMb < 16 : null,
  });
  t.push({
    name: "Stalled viewer: the others' p99",
    goal: "moves by < 5 ms",
    measured: s && s.p99DeltaMs !== null
      ? `${
        s.p99DeltaMs >= 0 ? "+" : ""
      }${s.p99DeltaMs} ms (${s.baselineP99Ms} -> ${s.stalledP99Ms} ms)`
      : "not run",
    met: s && s.p99DeltaMs !== null ? s.p99DeltaMs < 5 : null,
  });
  const b = r.browser;
  t.push({
    name: `Browser wall at ${r.config.cameras} x ${r.config.fps} fps`,
    goal: ">= 95% of received frames painted",
    measured: b?.ran
      ? `${b.paintedPct}% (${b.paintedPerS} of ${b.receivedPerS} frames/s, ${b.size})`
      : `not run${b?.reason ? `: ${b.reason}` : ""}`,
    met: b?.ran ? (b.paintedPct ?? 0) >= 95 : null,
  });
  const l = r.leak;
  if (l) {
    const heap = (x: { heapBytes: number } | undefined) =>
      x ? (x.heapBytes / 1024 / 1024).toFixed(2) : "-";
    t.push({
      name: `Wall leak check: ${l.cameras} x ${l.fps} fps for ${l.runMs / 1000} s`,
      goal: "bitmaps, URLs, decodes <= tiles; heap after GC +2 MiB at most; DOM +-20 nodes",
      measured: `max ${l.maxBitmapsOpen} bitmaps / ${l.maxUrlsOpen} URLs / ` +
        `${l.maxDecodesInFlight} decodes, heap ${heap(l.samples[0])} -> ` +
        `${heap(l.samples[l.samples.length - 1])} MiB`,
      met: l.ok,
    });
  }
  const k = r.soak;
  if (k) {
    t.push({
      name: `Soak: ${k.minutes} min of churn at ${k.cameras} x ${k.fps} fps`,
      goal: "RSS, fds and timers flat after warm-up; revocations and reloads cut in time",
      measured:
        `RSS ${k.series.rssMb.thirds?.join(" / ") ?? "-"} MiB, fds ${
          k.series.fds.thirds?.join(" / ") ?? "-"
        }, timers ${k.series.timers.thirds?.join(" / ") ?? "-"} (medians of the thirds); ` +
        `${k.revocations.filter((c) => c.ok).length} of ${k.revocations.length} revocations, ` +
        `${k.policyReloads.filter((c) => c.ok).length} of ${k.policyReloads.length} reloads`,
      met: k.flat === null ? null : k.ok,
    });
  }
  return t;
}

const met = (m: boolean | null) => m === null ? "–" : m ? "yes" : "**no**";
const n = (v: number | null | undefined) => v === null || v === undefined ? "-" : String(v);

/** The step a sweep judged at `viewers` (not a noisy run it replaced). */
export function sweepStep(
  r: BenchReport,
  hub: "trustcam" | "bare",
  viewers: number,
): ReportStep | undefined {
  return r.steps.findLast((s) =>
    s.hub === hub && s.stalled === 0 && s.viewers === viewers && !s.scenario.endsWith("rerun)")
  );
}

/** "14 [13–15]": a median and, over several runs, the range it came from. */
export function withSpread(
  value: number | null,
  spread: Spread | null,
  runs: number,
  unit = "",
): string {
  const v = `${n(value)}${value === null ? "" : unit}`;
  if (runs < 2) return v;
  return spread ? `${v} [${spread.min}–${spread.max}${unit}]` : `${v} [some run: -]`;
}

export function toMarkdown(r: BenchReport): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push(`# trustcam benchmark: ${r.startedAt}`, "");
  lines.push(
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, Linux ${m.kernel}, ` +
      `load average at start ${m.loadavg.join(" / ")}`,
    `- Deno ${r.deno}; commit ${r.commit.hash}${r.commit.dirty ? " (uncommitted changes)" : ""}`,
    `- Command: \`${r.command}\` (${r.mode}${
      r.custom ? ", custom settings" : ""
    }, ${r.durationS} s)`,
    `- Load: ${r.config.cameras} cameras x ${r.config.fps} fps, VGA JPEG frames of ` +
      `${Math.round(r.config.frameBytes / 1000)} KB; ${r.config.stepSeconds} s measured per step ` +
      `after ${r.config.warmupSeconds} s warm-up; sustained = p99 < ${r.config.sweepRule.p99Ms} ms ` +
      `and < ${r.config.sweepRule.lossPct}% lost` +
      (r.config.runsPerStep > 1
        ? `; relay and ceiling steps are judged on the medians of ${r.config.runsPerStep} ` +
          `runs, the two hubs' runs interleaved`
        : "; one run per step") +
      (r.config.hubArgs.length ? `; hub flags ${r.config.hubArgs.join(" ")}` : "") +
      `; viewers: ${r.config.viewerClient} clients in ${r.config.viewerProcesses} process` +
      (r.config.viewerProcesses > 1 ? "es" : "") +
      `; both hubs skip a viewer with more than ${r.config.viewerBufferBytes} bytes queued` +
      (r.config.viewerBufferIsHubDefault ? " (trustcam's default)" : ""),
    "",
  );
  const targets = r.targets ?? targetsOf(r);
  lines.push("## Targets (2-core machine)", "");
  lines.push("| target | goal | measured | met |", "| --- | --- | --- | --- |");
  for (const t of targets) lines.push(`| ${t.name} | ${t.goal} | ${t.measured} | ${met(t.met)} |`);
  lines.push("");
  if (r.relay || r.ceiling) {
    lines.push("## Maximum sustained load", "");
    lines.push(
      "| hub | max viewers | frames/s delivered | runs sustained at max | p99 ms at max | lost at max | first failing | runs sustained at first failing | why it failed | steps |",
    );
    lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
    const hubs = [["trustcam", "trustcam", r.relay], ["bare node:tls", "bare", r.ceiling]] as const;
    for (const [name, hub, s] of hubs) {
      if (!s) continue;
      const at = sweepStep(r, hub, s.max);
      const fail = s.firstFail === null ? undefined : sweepStep(r, hub, s.firstFail);
      lines.push(
        `| ${name} | ${s.max}${s.capped ? "+" : ""} | ${s.framesPerS} | ${
          at ? `${at.runsSustained} of ${at.runs}` : "-"
        } | ${at ? withSpread(at.latency.p99, at.spread.p99, at.runs) : "-"} | ${
          at ? withSpread(at.lossPct, at.spread.lossPct, at.runs, "%") : "-"
        } | ${n(s.firstFail)} | ${fail ? `${fail.runsSustained} of ${fail.runs}` : "-"} | ${
          fail ? fail.why : "-"
        } | ${s.steps} |`,
      );
    }
    if (r.ratio !== undefined) lines.push("", `trustcam / ceiling: **${r.ratio}**`);
    const c = r.cpuPerFrame;
    if (c) {
      lines.push(
        "",
        `Both limits include the viewers process, which shares the ${r.machine.cores} cores. The ` +
          `hubs' own cost at ${r.config.cameras} x ${r.config.fps} x ${c.viewers}: trustcam ` +
          `${withSpread(c.trustcamUs, c.trustcamSpread, r.config.runsPerStep, " µs")} of CPU ` +
          `per delivered frame, bare TLS ` +
          `${withSpread(c.bareUs, c.bareSpread, r.config.runsPerStep, " µs")} ` +
          `(trustcam runs at ${c.ratio === null ? "-" : Math.round(c.ratio * 100)}% of the bare ` +
          `fan-out's efficiency).`,
      );
    }
    lines.push("");
  }
  if (r.steps.length) {
    lines.push("## Steps", "");
    lines.push(
      "| scenario | hub | cams x fps x viewers | runs (sustained) | delivered / expected | lost | p50 ms | p99 ms | max ms | hub CPU % (µs/frame) | hub RSS start / peak MB | viewers / cameras CPU % | other CPU % | sustained |",
    );
    lines.push(
      "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    );
  }
  for (const s of r.steps) {
    const sp = s.spread;
    lines.push(
      `| ${s.scenario} | ${s.hub} | ${s.cameras} x ${s.fps} x ${s.viewers}${
        s.stalled ? ` + ${s.stalled} stalled` : ""
      } | ${
        s.runs > 1 ? `${s.runs} (${s.runsSustained})` : "1"
      } | ${s.delivered} / ${s.expected} | ${s.lost} (${
        withSpread(s.lossPct, sp.lossPct, s.runs, "%")
      }) | ${withSpread(s.latency.p50, sp.p50, s.runs)} | ${
        withSpread(s.latency.p99, sp.p99, s.runs)
      } | ${withSpread(s.latency.max, sp.maxMs, s.runs)} | ${
        withSpread(s.hubCpuPct, sp.hubCpuPct, s.runs)
      } (${
        withSpread(s.hubCpuUsPerFrame, sp.hubCpuUsPerFrame, s.runs)
      }) | ${s.rssStartMb} / ${s.rssPeakMb} | ${s.viewersCpuPct} / ${s.camerasCpuPct} | ${s.otherCpuPct} | ${
        s.sustained ? "yes" : `no: ${s.why}`
      } |`,
    );
  }
  if (r.steps.length) {
    lines.push(
      "",
      "CPU figures are % of one core over the measured window (the box has " +
        `${r.machine.cores}); "other" is what processes outside the step used meanwhile.` +
        (r.steps.some((s) => s.runs > 1)
          ? " A step of several runs shows each figure's median over them, the min–max range " +
            "in brackets, and how many runs met the rule on their own; the step is sustained " +
            "when its medians meet it."
          : ""),
      "",
    );
  }
  if (r.stalled) {
    const s = r.stalled;
    lines.push("## Stalled viewer", "");
    lines.push(
      `One viewer upgrades and reads nothing for ${s.stallSeconds} s while ${r.config.cameras} ` +
        `cameras stream to ${s.healthyViewers} healthy viewers. Hub RSS: ${s.rssStartMb} MB at the ` +
        `start of the window, peak ${s.rssPeakMb} MB (the same load without it: ${s.baselineRssPeakMb} MB), ` +
        `${n(s.rssAfterMb)} MB 5 s after it left. Healthy p99 ${
          n(s.baselineP99Ms)
        } ms without it, ` +
        `${n(s.stalledP99Ms)} ms with it; healthy viewers lost ${s.healthyLossPct}%. The hub ` +
        `skipped ${n(s.skippedForStalled)} frames for the stalled viewer.`,
      "",
    );
  }
  if (r.soak) lines.push(...soakMarkdown(r.soak));
  if (r.recording) lines.push(...recordingMarkdown(r.recording));
  if (r.motion) lines.push(...motionMarkdown(r.motion));
  if (r.nats) lines.push(...natsMarkdown(r.nats));
  if (r.thin) lines.push(...thinMarkdown(r.thin));
  if (r.leak) lines.push(...leakMarkdown(r.leak));
  if (r.browser) {
    const b = r.browser;
    lines.push("## Browser wall", "");
    if (!b.ran) lines.push(`Not run: ${b.reason}`, "");
    else {
      lines.push(
        "| frames | tiles receiving | received/s | painted/s | painted % | long tasks (total ms, longest ms) | JS heap start / end MB | CPU % hub / Chromium / cert proxy |",
      );
      lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
      lines.push(
        `| ${b.size} (${
          Math.round((b.frameBytes ?? 0) / 1000)
        } KB), ${b.cameras} x ${b.fps} fps, ${b.seconds} s | ${b.tiles} | ${b.receivedPerS} | ${b.paintedPerS} | ${b.paintedPct} | ${b.longTasks} (${b.longTaskMs}, ${b.longestTaskMs}) | ${b.heapStartMb} / ${b.heapMb} | ${
          n(b.hubCpuPct)
        } / ${n(b.chromiumCpuPct)} / ${n(b.proxyCpuPct)} |`,
      );
      lines.push(
        "",
        `Viewport ${b.viewport}. Counted from outside the app: drawImage calls, binary WebSocket ` +
          `messages, 'longtask' entries, CDP JSHeapUsedSize. Playwright hands client certificates ` +
          `to Chromium through a TLS proxy in the driving process, so every frame crosses one ` +
          `more TLS hop than in a real browser; its CPU is listed apart.`,
      );
      if (b.pageErrors?.length) lines.push("", `Page errors: ${b.pageErrors.join("; ")}`);
      lines.push("");
    }
  }
  return lines.join("\n");
}

/** Where `writeReport` puts runs that are not full default runs; git ignores it. */
export const SCRATCH_DIR = "scratch";

/** A run of the soak alone at its default length and settings: kept as soak.{json,md}. */
export function isDefaultSoak(r: BenchReport): boolean {
  return r.soak !== undefined && r.steps.length === 0 && !r.browser && !r.custom &&
    r.mode === "full" && r.soak.minutes === 10;
}

/**
 * A full run with default settings: latest.{json,md} and a dated copy in `dir`. A default
 * soak alone: soak.{json,md} in `dir` and a dated copy in scratch. Any other run (quick,
 * partial, custom): a dated copy with a suffix in `dir`/scratch only.
 */
export async function writeReport(
  r: BenchReport,
  opts: { dir: string; save: boolean; root: string },
): Promise<{ markdown: string; paths: string[] }> {
  r.targets = targetsOf(r);
  const markdown = toMarkdown(r);
  const paths: string[] = [];
  if (!opts.save) return { markdown, paths };
  const kept = r.complete && !r.custom && r.mode === "full";
  const dir = kept ? opts.dir : `${opts.dir}/${SCRATCH_DIR}`;
  await Deno.mkdir(dir, { recursive: true });
  const stamp = r.startedAt.replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z");
  const base = `${dir}/${stamp}${r.mode === "quick" ? "-quick" : ""}${
    r.complete ? "" : "-partial"
  }${r.custom ? "-custom" : ""}`;
  const json = JSON.stringify(r, null, 2) + "\n";
  await Deno.writeTextFile(`${base}.json`, json);
  await Deno.writeTextFile(`${base}.md`, markdown + "\n");
  paths.push(`${base}.json`, `${base}.md`);
  if (kept) {
    await Deno.writeTextFile(`${opts.dir}/latest.json`, json);
    await Deno.writeTextFile(`${opts.dir}/latest.md`, markdown + "\n");
    paths.push(`${opts.dir}/latest.json`, `${opts.dir}/latest.md`);
  }
  if (isDefaultSoak(r)) {
    await Deno.writeTextFile(`${opts.dir}/soak.json`, json);
    await Deno.writeTextFile(`${opts.dir}/soak.md`, markdown + "\n");
    paths.push(`${opts.dir}/soak.json`, `${opts.dir}/soak.md`);
  }
  const rel = (p: string) => p.startsWith(opts.root + "/") ? p.slice(opts.root.length + 1) : p;
  return { markdown, paths: paths.map(rel) };
}
