/**
 * The soak (issue 10): a hub under 16 cameras x 15 fps for minutes while cameras reconnect
 * and restart, viewers and MJPEG readers come and go, viewer certificates are revoked with
 * the CLI's functions and the policy file is rewritten. Every 10 s the hub's RSS and open
 * fds (from /proc) and its timers, WebSockets, streams and bus subscriptions (from /metrics)
 * are sampled; after the warm-up each series must stay flat (bench/soak_verdict.ts).
 *
 * The hub gets its own copy of the bench's certificates (revocations write to it) and a
 * policy file; every process and client started here is ended before it returns, also on
 * failure.
 */
import type { BenchCreds } from "./bench_pki.ts";
import { benchSerial, loadBenchCreds, viewerCred } from "./bench_pki.ts";
import { Child } from "./child_io.ts";
import { LatencyHistogram } from "./latency_histogram.ts";
import { type BenchEnv, freePort, startCamerasProcess, startHub } from "./load_step.ts";
import { sampleProc } from "./proc_stats.ts";
import { get, type HubTarget, parseMetrics, sleep } from "./soak_clients.ts";
import {
  checkRevocation,
  churnMjpeg,
  churnViewers,
  noteError,
  PolicyToggle,
} from "./soak_churn.ts";
import type { SoakActivity, SoakResult, SoakSample } from "./soak_report.ts";
import { judgeSoak } from "./soak_verdict.ts";

export interface SoakOptions {
  minutes: number;
  cameras: number;
  fps: number;
  /** default: a fifth of the soak, at most 120 s */
  warmupS?: number;
  sampleEveryS?: number;
  hubArgs?: string[];
  hubRoot?: string;
  log?: (line: string) => void;
}

const DENO = Deno.execPath();
/** Bench viewer certificates by role (bench_pki.ts issues 64). */
const STEADY_VIEWERS = 4;
const CHURN_VIEWERS = { first: 8, count: 40, workers: 3 };
const CHURN_MJPEG = { first: 48, count: 8, workers: 2 };
const TOGGLED = 61;
const SCRAPER = 62;

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function countFds(pid: number): number {
  let n = 0;
  for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
  return n;
}

function startCameras(env: BenchEnv, port: number, o: SoakOptions, reconnectMs: number) {
  return startCamerasProcess(env, port, {
    cameras: o.cameras,
    fps: o.fps,
    reconnectMs,
    deadlineS: o.minutes * 60 + 300,
  });
}

/** Starts cameras and waits until every one is connected and sending until `endAt`. */
async function camerasUntil(c: Child, endAt: number): Promise<void> {
  await c.message("ready", 60_000);
  const now = Date.now();
  await c.send({
    type: "start",
    startAt: now + 100,
    measureFrom: now,
    measureTo: now,
    stopAt: endAt,
  });
}

export async function runSoak(env: BenchEnv, o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? console.log;
  const durationS = Math.round(o.minutes * 60);
  const warmupS = o.warmupS ?? Math.min(120, Math.round(durationS / 5));
  const sampleEveryS = o.sampleEveryS ?? 10;
  const intervals = {
    cameraReconnectEveryMs: 5000,
    cameraRestartEveryS: Math.min(120, Math.round(durationS / 3)),
    revokeEveryS: 30,
    policyEveryS: 20,
  };
  const dir = await Deno.makeTempDir({ dir: env.tmp, prefix: "soak_" });
  const certsDir = `${dir}/certs`;
  const copy = await new Deno.Command("cp", { args: ["-a", env.certsDir, certsDir] }).output();
  if (!copy.success) throw new Error(`Cannot copy "${env.certsDir}" to "${certsDir}"`);
  const creds: BenchCreds = await loadBenchCreds(env.credsPath);
  const serials = Array.from({ length: o.cameras }, (_, i) => benchSerial(i));
  const half = Math.ceil(serials.length / 2);
  const port = freePort();
  const target: HubTarget = { port, caPem: creds.caPem };
  const scraper = viewerCred(creds, SCRAPER);
  const toggle = new PolicyToggle(
    target,
    `${dir}/policy.json`,
    [serials.slice(0, half), serials.slice(half)],
    viewerCred(creds, TOGGLED),
    scraper.cn,
  );
  const activity: SoakActivity = {
    cameraReconnects: 0,
    cameraReconnectFailures: 0,
    cameraRestarts: 0,
    viewerSessions: 0,
    viewerFrames: 0,
    viewerFailures: 0,
    mjpegSessions: 0,
    mjpegBytes: 0,
    mjpegFailures: 0,
    scrapeFailures: 0,
    policyLeakedFrames: 0,
    errors: [],
  };
  const result: Omit<SoakResult, "series" | "flat" | "checksOk" | "ok" | "failures"> = {
    minutes: o.minutes,
    warmupS,
    sampleEveryS,
    cameras: o.cameras,
    fps: o.fps,
    steadyViewers: STEADY_VIEWERS,
    churnViewers: CHURN_VIEWERS.workers,
    mjpegReaders: CHURN_MJPEG.workers,
    intervals,
    loadavgStart: Deno.loadavg().map((x) => round(x, 2)),
    loadavgEnd: [],
    samples: [],
    activity,
    revocations: [],
    policyReloads: [],
    steady: { p50: null, p99: null, max: null, framesPerS: 0 },
    hubCpuPct: 0,
  };
  const stop = new AbortController();
  const loops: Promise<void>[] = [];
  const children: Child[] = [];
  let cameras: Child | undefined;
  try {
    await toggle.write();
    const hub = await startHub({ ...env, certsDir }, {
      hub: "trustcam",
      hubArgs: ["--policy", toggle.path, ...(o.hubArgs ?? [])],
      hubRoot: o.hubRoot,
    }, port);
    children.push(hub);
    const viewers = new Child("steady viewers", DENO, [
      "run",
      "-A",
      "bench/viewers_process.ts",
      "--port",
      String(port),
      "--creds",
      env.credsPath,
      "--viewers",
      String(STEADY_VIEWERS),
      "--deadline-s",
      String(durationS + 300),
    ], { cwd: env.root });
    children.push(viewers);
    await viewers.message("ready", 60_000);
    await toggle.start();

    const began = performance.now();
    const startEpoch = Date.now();
    const endAt = startEpoch + durationS * 1000;
    const atS = () => Math.round((performance.now() - began) / 1000);
    cameras = startCameras(env, port, o, intervals.cameraReconnectEveryMs);
    await camerasUntil(cameras, endAt);
    await viewers.send({
      type: "start",
      measureFrom: startEpoch + warmupS * 1000,
      measureTo: endAt,
      stopAt: endAt + 1500,
    });
    log(`[soak] ${durationS} s: hub pid ${hub.pid} on port ${port}, warm-up ${warmupS} s`);

    const churn = { serials, minS: 5, maxS: 20 };
    const credRange = (first: number, count: number) =>
      Array.from({ length: count }, (_, i) => viewerCred(creds, first + i));
    loops.push(churnViewers(
      target,
      {
        ...churn,
        workers: CHURN_VIEWERS.workers,
        creds: credRange(CHURN_VIEWERS.first, CHURN_VIEWERS.count),
        seed: 1,
      },
      activity,
      stop.signal,
    ));
    loops.push(churnMjpeg(
      target,
      {
        ...churn,
        workers: CHURN_MJPEG.workers,
        creds: credRange(CHURN_MJPEG.first, CHURN_MJPEG.count),
        minS: 5,
        maxS: 15,
        seed: 2,
      },
      activity,
      stop.signal,
    ));
    const every = (firstS: number, everyS: number, fn: (k: number) => Promise<void>) =>
      loops.push((async () => {
        for (let k = 0;; k++) {
          await sleep(began + (firstS + k * everyS) * 1000 - performance.now(), stop.signal);
          if (stop.signal.aborted) return;
          await fn(k).catch((err) => noteError(activity, err));
        }
      })());
    every(10, intervals.policyEveryS, async (k) => {
      const check = await toggle.reload(k, atS());
      result.policyReloads.push(check);
      if (!check.ok) log(`[soak] policy reload failed: ${JSON.stringify(check)}`);
    });
    every(15, intervals.revokeEveryS, async (k) => {
      const cn = `soak-revoked-${String(k + 1).padStart(3, "0")}`;
      const check = await checkRevocation(target, certsDir, cn, serials[k % serials.length], atS());
      result.revocations.push(check);
      if (!check.ok) log(`[soak] revocation failed: ${JSON.stringify(check)}`);
    });
    every(intervals.cameraRestartEveryS, intervals.cameraRestartEveryS, async () => {
      if (durationS - atS() < 20) return;
      const old = cameras!;
      // Its stdin closed, the cameras process reports its reconnects and exits at once:
      // every camera drops without a close frame.
      await old.finish(3000);
      countReconnects(activity, await old.message("stopped", 1).catch(() => null));
      cameras = startCameras(env, port, o, intervals.cameraReconnectEveryMs);
      await camerasUntil(cameras, endAt);
      activity.cameraRestarts++;
    });

    let cpu0 = sampleProc(hub.pid)!.cpuS;
    const cpuStart = cpu0;
    let t0 = performance.now();
    for (let i = 0; i * sampleEveryS <= durationS; i++) {
      await sleep(began + i * sampleEveryS * 1000 - performance.now());
      const proc = sampleProc(hub.pid);
      if (!proc || hub.exited) throw new Error(`The hub exited during the soak${tail(hub)}`);
      const now = performance.now();
      const s: SoakSample = {
        tS: i * sampleEveryS,
        rssMb: round(proc.rssMb),
        fds: countFds(hub.pid),
        timers: null,
        wsDevices: null,
        wsViewers: null,
        streams: null,
        busSubscriptions: null,
        hubCpuPct: round(((proc.cpuS - cpu0) / ((now - t0) / 1000)) * 100, 0),
        load1: round(Deno.loadavg()[0], 2),
      };
      cpu0 = proc.cpuS;
      t0 = now;
      try {
        const res = await get(target, scraper, "/metrics");
        if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
        const m = parseMetrics(res.body);
        s.timers = m.get("trustcam_process_timers") ?? null;
        s.wsDevices = m.get('trustcam_connections{role="device"}') ?? null;
        s.wsViewers = m.get('trustcam_connections{role="viewer"}') ?? null;
        s.streams = m.get("trustcam_streams") ?? null;
        s.busSubscriptions = m.get("trustcam_bus_subscriptions") ?? null;
      } catch (err) {
        activity.scrapeFailures++;
        noteError(activity, err);
      }
      result.samples.push(s);
      log(
        `[soak] t=${s.tS}s RSS ${s.rssMb} MiB, fds ${s.fds}, timers ${s.timers}, ws ` +
          `${s.wsDevices}/${s.wsViewers}, streams ${s.streams}, bus ${s.busSubscriptions}, ` +
          `hub CPU ${s.hubCpuPct}%, load ${s.load1}`,
      );
    }
    result.hubCpuPct = round(((cpu0 - cpuStart) / durationS) * 100, 0);
    stop.abort();
    await Promise.all(loops);
    activity.policyLeakedFrames = toggle.leaked;
    await toggle.close();
    countReconnects(activity, await cameras.message("result", 30_000));
    const steady = await viewers.message("result", 30_000);
    const hist = LatencyHistogram.fromJSON(steady.histogram as never);
    const summary = hist.summary();
    const got = (steady.viewers as { counts: Record<string, number> }[])
      .reduce((a, v) => a + Object.values(v.counts).reduce((x, y) => x + y, 0), 0);
    result.steady = {
      p50: summary.p50,
      p99: summary.p99,
      max: summary.max,
      framesPerS: round(got / STEADY_VIEWERS / Math.max(1, durationS - warmupS)),
    };
  } finally {
    stop.abort();
    await Promise.allSettled(loops);
    await toggle.close().catch(() => {});
    // Clients first, so the hub sees ordinary disconnects, then the hub.
    await cameras?.kill();
    for (const c of children.slice(1).reverse()) await c.kill();
    for (const c of children.slice(0, 1)) await c.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  result.loadavgEnd = Deno.loadavg().map((x) => round(x, 2));
  return judgeSoak(result);
}

/** Adds a cameras process's reconnect counts (its `result` or `stopped`) to the activity. */
function countReconnects(activity: SoakActivity, msg: Record<string, unknown> | null): void {
  activity.cameraReconnects += Number(msg?.reconnects ?? 0);
  activity.cameraReconnectFailures += Number(msg?.reconnectFailures ?? 0);
}

function tail(c: Child): string {
  return c.lines.length ? `\n  ${c.lines.slice(-10).join("\n  ")}` : "";
}
