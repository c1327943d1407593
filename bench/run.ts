/**
 * `deno task bench`: trustcam's relay under load, the bare TLS ceiling, a stalled viewer and
 * the browser wall, each in separate processes on 127.0.0.1; results to bench/results/.
 * See bench/README.md for what each scenario means and the latest figures.
 */
import { parseArgs } from "node:util";
import { parseHubOptions } from "../lib/hub_options.ts";
import { renderFrames } from "../sim/frames.ts";
import { benchSerial, createBenchPki } from "./bench_pki.ts";
import { Child } from "./child_io.ts";
import {
  type BenchEnv,
  type HubKind,
  runLoadStep,
  type StepOptions,
  type StepResult,
} from "./load_step.ts";
import { judgeRuns, type RepeatedStep, sustained } from "./repeated_step.ts";
import { RunQueue } from "./run_queue.ts";
import { machineInfo, sampleMachine } from "./proc_stats.ts";
import { sweepViewers } from "./sweep.ts";
import { type BenchReport, type BrowserResult, writeReport } from "./report.ts";
import { runBrowserScenario } from "./browser_scenario.ts";
import { runSoak } from "./soak_scenario.ts";
import { benchRecordingRelay, benchSeek } from "./recording_scenario.ts";
import { runExportBench } from "./export_bench.ts";
import { benchMotionRelay } from "./motion_scenario.ts";
import { benchNats } from "./nats_scenario.ts";
import { benchMotionLatency } from "./motion_latency.ts";
import { benchThin } from "./thin_scenario.ts";
import { runLeak } from "./leak_scenario.ts";

export const USAGE = `Usage: deno task bench [options]

Runs the benchmarks (each step starts its own hub, cameras and viewers processes on
127.0.0.1). A full run with default settings writes bench/results/latest.{md,json} and a
dated copy; any other run writes bench/results/scratch/ (ignored by git).

Scenarios:
  relay     trustcam at cameras x fps x 8 viewers (the target), then a sweep for the most
            viewers it sustains: p99 < 50 ms and < 0.1% of frames lost
  ceiling   the same sweep through a bare node:tls fan-out (bench/bare_tls_hub.ts), its runs
            interleaved with trustcam's
  stalled   one viewer stops reading for --stall-seconds while healthy viewers watch
  browser   the wall in headless Chromium: frames painted vs received, long tasks, heap
  recording the relay at 8 viewers with --record continuous vs off (runs interleaved): p99,
            loss, hub CPU, bytes and fsyncs written; then seek latency (recording.jpg) 1 h
            back in a synthetic 24 h archive of 16 cameras (2 h with --quick); MP4 export
            speed as a multiple of real time (bench/retention_bench.ts, run apart, times
            retention sweeps over 100k segments)
  motion    the relay at 8 viewers with --motion on vs off (runs interleaved): p99, loss,
            hub CPU and RSS; then detection latency (a square starts crossing a device's
            frames -> the viewer's motion message); bench/motion_bench.ts, run apart, times
            the analysis itself
  nats      one hub on the in-process bus vs on NATS (runs interleaved): p99, loss, hub and
            NATS CPU per delivered frame; then cameras on hub A with the viewers on hub B,
            and three hubs all-to-all, on a nats-server the scenario starts (Debian's)
  thin      thin links: a wall of every camera on one connection at full size, tile size
            and tile size capped to 5 fps, on one hub: bytes/s, latency, a full viewer's p99
            beside it, hub CPU (hub + resize worker) per reduced frame
  leak      the wall in Chromium at 4 cameras x --fps for --leak-seconds: bitmaps, object
            URLs and decodes in flight bounded by the tiles, heap after GC and DOM flat
            (tests/wall_leak_test.ts checks the same for 10 s; exit status 1 on a leak)
  soak      only when asked for (--only soak, or bench/soak.ts): minutes of camera
            reconnects, viewer churn, revocations and policy reloads; the hub's RSS, fds
            and timers must stay flat after the warm-up (exit status 1 when they do not)

Options:
  --quick                ~2 minute run: 5 s steps, one run each, a shorter sweep, 15 s stall
                         and browser
  --only LIST            comma-separated scenarios to run (default: all but soak)
  --cameras D            cameras (default 16)
  --fps F                frames per second per camera (default 15)
  --viewers V            relay/ceiling: one step at V viewers instead of the sweep
  --seconds S            measured seconds per step (default 10, quick 5)
  --runs N               runs per relay/ceiling step, judged on their medians (default 3,
                         quick 1)
  --stall-seconds S      how long the stalled viewer stalls (default 60, quick 15)
  --browser-seconds S    how long the wall is watched (default 60, quick 15)
  --browser-size S       qvga or vga frames for the browser scenario (default vga)
  --soak-minutes M       how long the soak runs (default 10, quick 2)
  --leak-seconds S       how long the leak check watches the wall (default 30, quick 10)
  --thin-nice LIST       thin: one tile phase per level, the resize worker reniced to that
                         many steps above the hub (e.g. 0,10,19: how its niceness was chosen)
  --max-viewers N        the sweep never goes past N viewers (default 192)
  --hub-arg ARG          pass ARG to the trustcam hub (repeatable), e.g. --hub-arg=--viewer-buffer-bytes=262144
  --viewer-client C      lean (Deno TLS + a scanner, default) or ws (the \`ws\` package, which
                         saturates its process near 56 viewers, before either hub does)
  --viewer-buffer-bytes N  both hubs skip a viewer with more than N bytes queued
                         (default: trustcam's own default, given to the bare hub too)
  --viewer-processes N   split the viewers over N processes (default 1, best on 2 cores)
  --hub-root DIR         run main.ts from another checkout (before/after experiments)
  --out DIR              results directory (default bench/results; other than full default
                         runs go to DIR/scratch)
  --no-wait-quiet        start each step at once, even while other processes load the box
  --no-save              print the table, write nothing
  -h, --help             show this help`;

const SCENARIOS = [
  "relay",
  "ceiling",
  "stalled",
  "browser",
  "recording",
  "motion",
  "nats",
  "thin",
  "leak",
  "soak",
] as const;
type Scenario = typeof SCENARIOS[number];
/** What a run without --only runs: the soak takes 10 minutes of its own, so it is asked for. */
const DEFAULT_SCENARIOS: readonly Scenario[] = [
  "relay",
  "ceiling",
  "stalled",
  "browser",
  "recording",
  "motion",
  "nats",
  "thin",
  "leak",
];

/** The sweep's rule for "sustained load" (issue 6). */
export const SWEEP_RULE = { p99Ms: 50, lossPct: 0.1 };
/** Both sweeps pass through this viewer count, where the hubs' CPU per frame is compared. */
const REFERENCE_VIEWERS = 32;
/** Frames in the shared loop every camera cycles through. */
const LOOP_FRAMES = 6;

interface Flags {
  quick: boolean;
  only: Scenario[];
  cameras: number;
  fps: number;
  viewers: number | null;
  seconds: number;
  runs: number;
  stallSeconds: number;
  browserSeconds: number;
  browserSize: "qvga" | "vga";
  soakMinutes: number;
  leakSeconds: number;
  thinNice: number[];
  maxViewers: number;
  hubArgs: string[];
  hubRoot: string | undefined;
  viewerProcesses: number;
  viewerClient: "lean" | "ws";
  viewerBufferBytes: number | undefined;
  out: string;
  save: boolean;
  waitQuiet: boolean;
}

function parseFlags(args: string[]): Flags | null {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", multiple: true },
      cameras: { type: "string" },
      fps: { type: "string" },
      viewers: { type: "string" },
      seconds: { type: "string" },
      runs: { type: "string" },
      "stall-seconds": { type: "string" },
      "browser-seconds": { type: "string" },
      "browser-size": { type: "string" },
      "soak-minutes": { type: "string" },
      "leak-seconds": { type: "string" },
      "thin-nice": { type: "string" },
      "max-viewers": { type: "string" },
      "hub-arg": { type: "string", multiple: true },
      "hub-root": { type: "string" },
      "viewer-processes": { type: "string" },
      "viewer-client": { type: "string" },
      "viewer-buffer-bytes": { type: "string" },
      out: { type: "string" },
      "no-save": { type: "boolean", default: false },
      "no-wait-quiet": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return null;
  const num = (name: string, v: string | undefined, dflt: number, min: number, max: number) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new RangeError(`Invalid --${name}: "${v}": expected a number from ${min} to ${max}`);
    }
    return n;
  };
  const only = (values.only ?? []).flatMap((s) => s.split(",")).filter(Boolean);
  for (const s of only) {
    if (!(SCENARIOS as readonly string[]).includes(s)) {
      throw new RangeError(`Unknown scenario: "${s}": expected ${SCENARIOS.join(", ")}`);
    }
  }
  const size = values["browser-size"] ?? "vga";
  if (size !== "vga" && size !== "qvga") {
    throw new RangeError(`Invalid --browser-size: "${size}": expected qvga or vga`);
  }
  const client = values["viewer-client"] ?? "lean";
  if (client !== "lean" && client !== "ws") {
    throw new RangeError(`Invalid --viewer-client: "${client}": expected lean or ws`);
  }
  const q = values.quick;
  if (values.runs !== undefined && !/^\d+$/.test(values.runs)) {
    throw new RangeError(`Invalid --runs: "${values.runs}": expected a whole number from 1 to 9`);
  }
  return {
    quick: q,
    only: only.length ? only as Scenario[] : [...DEFAULT_SCENARIOS],
    cameras: num("cameras", values.cameras, 16, 1, 64),
    fps: num("fps", values.fps, 15, 1, 60),
    viewers: values.viewers === undefined ? null : num("viewers", values.viewers, 8, 1, 512),
    seconds: num("seconds", values.seconds, q ? 5 : 10, 2, 600),
    runs: num("runs", values.runs, q ? 1 : 3, 1, 9),
    stallSeconds: num("stall-seconds", values["stall-seconds"], q ? 15 : 60, 2, 600),
    browserSeconds: num("browser-seconds", values["browser-seconds"], q ? 15 : 60, 5, 600),
    browserSize: size,
    soakMinutes: num("soak-minutes", values["soak-minutes"], q ? 2 : 10, 1, 600),
    leakSeconds: num("leak-seconds", values["leak-seconds"], q ? 10 : 30, 6, 3600),
    thinNice: (values["thin-nice"] ?? "").split(",").filter(Boolean).map((v) =>
      num("thin-nice", v, 0, 0, 39)
    ),
    maxViewers: num("max-viewers", values["max-viewers"], 192, 1, 512),
    hubArgs: values["hub-arg"] ?? [],
    hubRoot: values["hub-root"],
    viewerProcesses: num("viewer-processes", values["viewer-processes"], 1, 1, 8),
    viewerClient: client,
    viewerBufferBytes: values["viewer-buffer-bytes"] === undefined
      ? undefined
      : num("viewer-buffer-bytes", values["viewer-buffer-bytes"], 0, 1024, 64 * 1024 * 1024),
    out: values.out ?? "bench/results",
    save: !values["no-save"],
    waitQuiet: !values["no-wait-quiet"],
  };
}

function fmtMs(v: number | null): string {
  return v === null ? "-" : `${v}`;
}

function range(s: { min: number; max: number } | null): string {
  return s === null ? "-" : `${s.min}-${s.max}`;
}

function describe(r: StepResult): string {
  const l = r.latency;
  return `p50 ${fmtMs(l.p50)} / p99 ${fmtMs(l.p99)} / max ${fmtMs(l.max)} ms, ` +
    `${r.delivered}/${r.expected} delivered (loss ${r.lossPct}%), hub CPU ${r.hubCpuPct}% ` +
    `RSS ${r.rssPeakMb} MB, viewers CPU ${r.viewersCpuPct}%, box ${r.machineBusyPct}% busy`;
}

/** CPU the whole box used over `ms`, in % of one core (no bench process runs meanwhile). */
async function boxCpuPct(ms: number): Promise<number> {
  const a = sampleMachine();
  await new Promise((r) => setTimeout(r, ms));
  const b = sampleMachine();
  return Math.round(
    ((b.busy - a.busy) / (b.total - a.total)) * navigator.hardwareConcurrency * 100,
  );
}

/** Other work on the box above this (% of one core) makes a step wait, within a budget. */
const QUIET_CPU_PCT = 30;
const QUIET_WAIT_STEP_S = 30;
const QUIET_WAIT_TOTAL_S = 150;

async function gitCommit(root: string): Promise<{ hash: string; dirty: boolean }> {
  const git = async (...args: string[]) => {
    const out = await new Deno.Command("git", { args, cwd: root, stdout: "piped", stderr: "null" })
      .output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  };
  const hash = await git("rev-parse", "--short", "HEAD") ?? "unknown";
  const status = await git("status", "--porcelain");
  return { hash, dirty: status === null || status.length > 0 };
}

/** Runs the bench with command-line `args`; resolves the exit status. */
export async function main(args: string[]): Promise<number> {
  let flags: Flags | null;
  try {
    flags = parseFlags(args);
  } catch (err) {
    console.error(`error: ${(err as Error).message}\nRun with --help for the options.`);
    return 2;
  }
  if (!flags) {
    console.log(USAGE);
    return 0;
  }
  const f = flags;
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const began = performance.now();
  const startedAt = new Date();
  const say = (s: string) =>
    console.log(`[${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${s}`);

  // The ceiling gets the same per-viewer buffer limit as trustcam: what the hub would use.
  const hubBuffer = f.viewerBufferBytes ??
    parseHubOptions([], Deno.env.toObject()).viewerBufferBytes;
  const tmp = await Deno.makeTempDir({ prefix: "trustcam_bench_" });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) Deno.exit(130);
    interrupted = true;
    console.error("Interrupted: stopping every bench process");
    void Child.killAll().finally(() => {
      try {
        Deno.removeSync(tmp, { recursive: true });
      } catch {
        // Best effort.
      }
      Deno.exit(130);
    });
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);

  const report: BenchReport = {
    version: 2,
    startedAt: startedAt.toISOString(),
    durationS: 0,
    command: `deno task bench${args.length ? " " + args.join(" ") : ""}`,
    mode: f.quick ? "quick" : "full",
    complete: DEFAULT_SCENARIOS.every((s) => f.only.includes(s)) && f.viewers === null,
    custom: f.viewerBufferBytes !== undefined || f.hubArgs.length > 0 || f.hubRoot !== undefined ||
      f.viewerClient !== "lean" || f.viewerProcesses !== 1 || f.cameras !== 16 || f.fps !== 15 ||
      f.browserSize !== "vga" || f.maxViewers !== 192 || f.runs !== (f.quick ? 1 : 3) ||
      args.some((a) => a.startsWith("--seconds")) ||
      (f.only.includes("soak") && f.soakMinutes !== (f.quick ? 2 : 10)) ||
      (f.only.includes("leak") && f.leakSeconds !== (f.quick ? 10 : 30)),
    machine: machineInfo(),
    deno: `${Deno.version.deno} (V8 ${Deno.version.v8})`,
    commit: await gitCommit(root),
    config: {
      cameras: f.cameras,
      fps: f.fps,
      frameSize: "vga",
      frameBytes: 0,
      stepSeconds: f.seconds,
      runsPerStep: f.runs,
      warmupSeconds: 2,
      sweepRule: SWEEP_RULE,
      hubArgs: f.hubArgs,
      hubRoot: f.hubRoot ?? null,
      viewerProcesses: f.viewerProcesses,
      viewerClient: f.viewerClient,
      viewerBufferBytes: hubBuffer,
      viewerBufferIsHubDefault: f.viewerBufferBytes === undefined,
    },
    steps: [],
  };

  try {
    say(`Preparing: PKI and ${LOOP_FRAMES} VGA frames in ${tmp}`);
    const pki = await createBenchPki(tmp, { devices: Math.max(f.cameras, 16), viewers: 64 });
    const framesDir = `${tmp}/frames`;
    await Deno.mkdir(framesDir);
    const frames = renderFrames({ serial: benchSerial(0), size: "vga", count: LOOP_FRAMES });
    for (const [i, fr] of frames.entries()) await Deno.writeFile(`${framesDir}/f${i}.jpg`, fr);
    report.config.frameBytes = Math.round(
      frames.reduce((a, fr) => a + fr.byteLength, 0) / frames.length,
    );
    const env: BenchEnv = {
      root,
      tmp,
      certsDir: pki.certsDir,
      credsPath: pki.credsPath,
      framesDir,
    };

    let quietBudgetS = f.waitQuiet ? QUIET_WAIT_TOTAL_S : 0;
    /** A shared dev box runs tests too: wait (bounded) for it to calm down before a step. */
    const waitQuiet = async () => {
      const end = performance.now() + Math.min(QUIET_WAIT_STEP_S, quietBudgetS) * 1000;
      let busy = await boxCpuPct(500);
      if (busy <= QUIET_CPU_PCT || quietBudgetS <= 0) return;
      say(`  other processes use ${busy}% of a core: waiting for a quieter box (bounded)`);
      const t0 = performance.now();
      while (busy > QUIET_CPU_PCT && performance.now() < end) busy = await boxCpuPct(1000);
      quietBudgetS -= (performance.now() - t0) / 1000;
      if (busy > QUIET_CPU_PCT) say(`  still ${busy}% busy: measuring anyway (see "other CPU")`);
    };

    let stepNo = 0;
    let retriesLeft = f.quick ? 1 : 3;
    type Load = {
      hub: HubKind;
      viewers: number;
      seconds?: number;
      stalled?: number;
      afterS?: number;
      /** trustcam only, after --hub-arg's */
      hubArgs?: string[];
      cluster?: StepOptions["cluster"];
      busPids?: number[];
    };
    /** One run of a load, once more (within a budget) when it failed on a busy box. */
    const runOnce = async (no: number, scenario: string, o: Load, which: string) => {
      await waitQuiet();
      const load = `${o.hub} ${f.cameras} cams x ${f.fps} fps x ${o.viewers} viewers` +
        (o.stalled ? ` + ${o.stalled} stalled` : "");
      say(`step ${no} [${scenario}] ${load}, ${o.seconds ?? f.seconds} s${which} ...`);
      const run = () =>
        runLoadStep(env, {
          hub: o.hub,
          cameras: f.cameras,
          fps: f.fps,
          viewers: o.viewers,
          seconds: o.seconds ?? f.seconds,
          stalled: o.stalled,
          afterS: o.afterS,
          hubArgs: o.hub === "trustcam" ? [...f.hubArgs, ...(o.hubArgs ?? [])] : [],
          hubRoot: f.hubRoot,
          viewerProcesses: f.viewerProcesses,
          viewerClient: f.viewerClient,
          viewerBufferBytes: hubBuffer,
          cluster: o.cluster,
          busPids: o.busPids,
        });
      let r = await run();
      if (!sustained(r, SWEEP_RULE).ok && r.otherCpuPct > QUIET_CPU_PCT && retriesLeft > 0) {
        // Someone else's work, not the hub, may have failed this run: once more, quieter.
        retriesLeft--;
        say(`  failed while other processes used ${r.otherCpuPct}% of a core: once more`);
        report.steps.push({
          scenario: `${scenario} (noisy, rerun)`,
          ...judgeRuns([r], SWEEP_RULE),
          sustained: false,
          why: "box busy",
        });
        await waitQuiet();
        r = await run();
      }
      const verdict = sustained(r, SWEEP_RULE);
      say(`  ${describe(r)} -> ${verdict.ok ? "sustained" : `not sustained (${verdict.why})`}`);
      return r;
    };
    /**
     * A step: `runs` runs of one load, judged on their medians. With a queue, each run waits
     * its turn, so the two sweeps' runs alternate.
     */
    const step = async (
      scenario: string,
      o: Load,
      runs = 1,
      queue?: RunQueue,
    ): Promise<RepeatedStep> => {
      const no = ++stepNo;
      const results: StepResult[] = [];
      for (let i = 0; i < runs; i++) {
        const which = runs > 1 ? `, run ${i + 1} of ${runs}` : "";
        const once = () => runOnce(no, scenario, o, which);
        results.push(await (queue ? queue.run(once) : once()));
      }
      const s = judgeRuns(results, SWEEP_RULE);
      if (runs > 1) {
        const sp = s.spread;
        say(
          `step ${no} [${scenario}] ${o.viewers} viewers: median of ${runs}: p99 ` +
            `${fmtMs(s.latency.p99)} ms (${range(sp.p99)}), loss ${s.lossPct}% ` +
            `(${range(sp.lossPct)}) -> ${s.sustained ? "sustained" : "not sustained"} ` +
            `(${s.runsSustained} of ${runs} runs sustained)`,
        );
      }
      report.steps.push({ scenario, ...s });
      return s;
    };

    const queue = new RunQueue();
    const sweep = async (scenario: "relay" | "ceiling", hub: HubKind, start: number) => {
      const known = new Map<number, boolean>();
      for (const s of report.steps) {
        if (s.scenario.startsWith(scenario) && s.stalled === 0) known.set(s.viewers, s.sustained);
      }
      const res = await sweepViewers(async (v) => {
        return (await step(scenario, { hub, viewers: v }, f.runs, queue)).sustained;
      }, {
        start,
        cap: f.maxViewers,
        resolution: f.quick ? 0.34 : 0.15,
        maxSteps: f.quick ? 3 : 7,
        known,
      });
      const perViewer = f.cameras * f.fps;
      say(
        `[${scenario}] max sustained: ${res.max} viewers = ${res.max * perViewer} frames/s` +
          (res.firstFail !== null ? ` (fails at ${res.firstFail})` : " (cap reached)"),
      );
      return { ...res, framesPerS: res.max * perViewer, runsPerStep: f.runs };
    };

    if (f.only.includes("relay") && f.viewers === null) {
      await step("relay target", {
        hub: "trustcam",
        viewers: 8,
        seconds: f.quick ? f.seconds : 2 * f.seconds,
      });
    }
    // Both hubs' steps share one queue, so drift on the box hits them alike.
    const parallel: Promise<unknown>[] = [];
    if (f.only.includes("relay")) {
      parallel.push(
        f.viewers !== null
          ? step("relay", { hub: "trustcam", viewers: f.viewers }, f.runs, queue)
          : sweep("relay", "trustcam", 8).then((r) => report.relay = r),
      );
    }
    if (f.only.includes("ceiling")) {
      // From 32, so both hubs are measured at the same reference load (CPU per frame below).
      parallel.push(
        f.viewers !== null
          ? step("ceiling", { hub: "bare", viewers: f.viewers }, f.runs, queue)
          : sweep("ceiling", "bare", REFERENCE_VIEWERS).then((r) => report.ceiling = r),
      );
    }
    await Promise.all(parallel).catch((err) => {
      // The first failure, not the refusals of the runs queued behind it.
      throw queue.error ?? err;
    });
    if (report.relay && report.ceiling && report.ceiling.max > 0) {
      report.ratio = Math.round((report.relay.max / report.ceiling.max) * 100) / 100;
      say(`trustcam / bare TLS ceiling = ${report.ratio}`);
    }
    // The hubs' own cost, apart from the clients sharing the box: CPU per delivered frame at
    // the reference load, else the largest viewer count both sustained.
    const common = report.steps.filter((s) =>
      s.hub === "trustcam" && s.sustained && s.stalled === 0 &&
      report.steps.some((b) => b.hub === "bare" && b.sustained && b.viewers === s.viewers)
    ).sort((a, b) => b.viewers - a.viewers);
    const both = common.find((s) => s.viewers === REFERENCE_VIEWERS) ?? common[0];
    if (both) {
      const bare = report.steps.find((b) =>
        b.hub === "bare" && b.sustained && b.viewers === both.viewers
      )!;
      report.cpuPerFrame = {
        viewers: both.viewers,
        trustcamUs: both.hubCpuUsPerFrame,
        bareUs: bare.hubCpuUsPerFrame,
        trustcamSpread: both.spread.hubCpuUsPerFrame,
        bareSpread: bare.spread.hubCpuUsPerFrame,
        ratio: both.hubCpuUsPerFrame && bare.hubCpuUsPerFrame
          ? Math.round((bare.hubCpuUsPerFrame / both.hubCpuUsPerFrame) * 100) / 100
          : null,
      };
      say(
        `hub CPU per delivered frame at ${both.viewers} viewers: trustcam ` +
          `${both.hubCpuUsPerFrame} us, bare ${bare.hubCpuUsPerFrame} us`,
      );
    }
    if (f.only.includes("stalled")) {
      const healthy = 4;
      const baseline = await step("stalled baseline", {
        hub: "trustcam",
        viewers: healthy,
        seconds: Math.min(20, f.stallSeconds),
      });
      const stalled = await step("stalled", {
        hub: "trustcam",
        viewers: healthy,
        seconds: f.stallSeconds,
        stalled: 1,
        afterS: 5,
      });
      report.stalled = {
        healthyViewers: healthy,
        stallSeconds: f.stallSeconds,
        baselineP99Ms: baseline.latency.p99,
        stalledP99Ms: stalled.latency.p99,
        p99DeltaMs: baseline.latency.p99 === null || stalled.latency.p99 === null
          ? null
          : stalled.latency.p99 - baseline.latency.p99,
        baselineRssPeakMb: baseline.rssPeakMb,
        rssStartMb: stalled.rssStartMb,
        rssPeakMb: stalled.rssPeakMb,
        rssAfterMb: stalled.rssAfterMb,
        rssCostMb: Math.round((stalled.rssPeakMb - baseline.rssPeakMb) * 10) / 10,
        healthyLossPct: stalled.lossPct,
        skippedForStalled: stalled.hubSkipped,
      };
      say(
        `[stalled] healthy p99 ${baseline.latency.p99} -> ${stalled.latency.p99} ms, hub RSS ` +
          `peak ${baseline.rssPeakMb} -> ${stalled.rssPeakMb} MB (after ${stalled.rssAfterMb})`,
      );
    }
    if (f.only.includes("browser")) {
      await waitQuiet();
      say(
        `[browser] wall, ${f.cameras} cams x ${f.fps} fps (${f.browserSize}), ${f.browserSeconds} s`,
      );
      const b: BrowserResult = await runBrowserScenario(env, {
        cameras: f.cameras,
        fps: f.fps,
        seconds: f.browserSeconds,
        size: f.browserSize,
        hubArgs: ["--viewer-buffer-bytes", String(hubBuffer), ...f.hubArgs],
        hubRoot: f.hubRoot,
        log: say,
      });
      report.browser = b;
      say(
        b.ran
          ? `[browser] painted ${b.paintedPerS}/s of ${b.receivedPerS}/s received (${b.paintedPct}%), ` +
            `${b.longTasks} long tasks, heap ${b.heapMb} MB`
          : `[browser] not run: ${b.reason}`,
      );
    }
    /** One run of an A/B comparison (recording, motion): the sides interleave run by run. */
    const abStep = async (
      label: string,
      s: Pick<Load, "viewers" | "seconds" | "hubArgs" | "cluster" | "busPids">,
    ) => {
      const r = await runOnce(++stepNo, label, { hub: "trustcam", ...s }, "");
      report.steps.push({ scenario: label, ...judgeRuns([r], SWEEP_RULE) });
      return r;
    };
    const abOptions = {
      cameras: f.cameras,
      fps: f.fps,
      viewers: 8,
      seconds: f.seconds,
      runs: f.runs,
      hubArgs: f.hubArgs,
      runStep: abStep,
      log: say,
    };
    if (f.only.includes("recording")) {
      say(`[recording] relay with and without --record continuous, then seek latency`);
      const relay = await benchRecordingRelay(env, abOptions);
      await waitQuiet();
      const seek = await benchSeek(env, {
        cameras: 16,
        hours: f.quick ? 2 : 24,
        fps: 15,
        samples: f.quick ? 20 : 100,
        log: say,
      });
      await waitQuiet();
      say(`[recording] MP4 export of ${f.quick ? 1 : 2} min of VGA at 15 fps`);
      const exported = await runExportBench({ minutes: f.quick ? 1 : 2, fps: 15 });
      say(
        `[recording] export: ${exported.frames} frames in ${exported.seconds.toFixed(1)} s = ` +
          `${exported.realTimeMultiple.toFixed(1)}x real time`,
      );
      report.recording = { ...relay, seek, export: exported };
    }
    if (f.only.includes("motion")) {
      say(`[motion] relay with --motion on vs off`);
      const relay = await benchMotionRelay(abOptions);
      await waitQuiet();
      say(`[motion] detection latency through a hub, ${f.quick ? 2 : 5} events`);
      const latency = await benchMotionLatency(env, { events: f.quick ? 2 : 5, log: say });
      report.motion = { ...relay, latency };
    }
    if (f.only.includes("nats")) {
      say(`[nats] one hub on the in-process bus vs NATS, then two and three hubs on NATS`);
      report.nats = await benchNats(abOptions);
    }
    if (f.only.includes("thin")) {
      await waitQuiet();
      say(`[thin] a ${f.cameras}-camera wall at full size, tile, tile@5`);
      report.thin = await benchThin(env, {
        cameras: f.cameras,
        fps: f.fps,
        seconds: f.seconds,
        runs: f.runs,
        hubArgs: f.hubArgs,
        hubRoot: f.hubRoot,
        niceLevels: f.thinNice,
        log: say,
      });
    }
    if (f.only.includes("leak")) {
      await waitQuiet();
      say(`[leak] the wall at 4 cams x ${f.fps} fps for ${f.leakSeconds} s`);
      const l = await runLeak({ cameras: 4, fps: f.fps, seconds: f.leakSeconds, log: say });
      report.leak = l;
      say(l.ok ? "[leak] no leak: every check held" : `[leak] failed: ${l.failures.join("; ")}`);
    }
    if (f.only.includes("soak")) {
      await waitQuiet();
      say(`[soak] ${f.soakMinutes} min, ${f.cameras} cams x ${f.fps} fps, with churn`);
      const k = await runSoak(env, {
        minutes: f.soakMinutes,
        cameras: f.cameras,
        fps: f.fps,
        hubArgs: f.hubArgs,
        hubRoot: f.hubRoot,
        log: say,
      });
      report.soak = k;
      say(
        k.ok
          ? "[soak] flat after warm-up, every check passed"
          : `[soak] failed: ${k.failures.join("; ")}`,
      );
    }
  } finally {
    await Child.killAll();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }

  report.durationS = Math.round((performance.now() - began) / 1000);
  const dir = f.out.startsWith("/") ? f.out : `${root}/${f.out}`;
  const written = await writeReport(report, { dir, save: f.save, root });
  console.log("\n" + written.markdown);
  for (const p of written.paths) say(`wrote ${p}`);
  say(`done in ${report.durationS} s`);
  return (report.soak && !report.soak.ok) || (report.leak && !report.leak.ok) ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
