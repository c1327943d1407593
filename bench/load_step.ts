/**
 * One load step: a fresh hub (trustcam's main.ts or the bare TLS fan-out) in its own
 * process, the viewers process, then the cameras process; a warm-up, a measured window, and
 * every process ended whatever happens. The hub's CPU and RSS come from /proc, sampled.
 */
import https from "node:https";
import { loadBenchCreds, viewerCred } from "./bench_pki.ts";
import { Child, sleepUntil } from "./child_io.ts";
import { LatencyHistogram } from "./latency_histogram.ts";
import {
  type ProcSample,
  ProcSampler,
  sampleMachine,
  sampleProc,
  sampleTree,
} from "./proc_stats.ts";

export type HubKind = "trustcam" | "bare";

/** What every step shares: paths made once per run. */
export interface BenchEnv {
  /** project root (where main.ts is) */
  root: string;
  tmp: string;
  certsDir: string;
  credsPath: string;
  framesDir: string;
}

export interface StepOptions {
  hub: HubKind;
  cameras: number;
  fps: number;
  viewers: number;
  /** measured seconds */
  seconds: number;
  warmupS?: number;
  /** Viewers that upgrade and never read, for the whole window (trustcam only). */
  stalled?: number;
  /** Seconds the cameras keep streaming after the window (the stalled viewer is gone by then). */
  afterS?: number;
  /** Skip a viewer with more than this many bytes queued (both hubs); hub default if unset. */
  viewerBufferBytes?: number;
  /** Extra trustcam hub flags, e.g. ["--stall-ms", "10000"]. */
  hubArgs?: string[];
  /** Run main.ts from this checkout instead (before/after experiments on a copy). */
  hubRoot?: string;
  /** Deno flags for the hub, e.g. ["--v8-flags=--max-semi-space-size=32"]. */
  hubDenoFlags?: string[];
  /** Append the hub's output to this file. */
  hubLogFile?: string;
  /** lean (Deno TLS + bench/frame_scanner.ts, default) or ws (the `ws` package). */
  viewerClient?: "lean" | "ws";
  /** Viewers are split over this many processes (default 1). */
  viewerProcesses?: number;
  log?: (line: string) => void;
  /**
   * Several trustcam hubs on one NATS server (each started with `--bus natsUrl`): one camera
   * process per entry of `cameraHubs` and one viewer process per entry of `viewerHubs`, each
   * talking to the hub of that index; cameras and viewers are shared out evenly.
   */
  cluster?: { natsUrl: string; hubs: number; cameraHubs: number[]; viewerHubs: number[] };
  /** Processes whose CPU is reported apart as `busCpuPct` (the NATS server). */
  busPids?: number[];
}

export interface StepResult {
  hub: HubKind;
  cameras: number;
  fps: number;
  viewers: number;
  stalled: number;
  seconds: number;
  frameBytes: number;
  /** cameras x fps x seconds x viewers */
  nominal: number;
  /** frames the cameras sent (or dropped because the hub was not taking them) x viewers */
  expected: number;
  delivered: number;
  lost: number;
  lossPct: number;
  /** frames the cameras dropped because their socket to the hub was backed up */
  cameraSkipped: number;
  latency: { count: number; p50: number | null; p99: number | null; max: number | null };
  /** hub process: CPU seconds in the window, RSS at its start, peak within it, VmHWM at its end */
  hubCpuS: number;
  hubCpuPct: number;
  rssStartMb: number;
  rssPeakMb: number;
  hwmMb: number;
  /** RSS a few seconds after the window (after the stalled viewer left), when afterS is set */
  rssAfterMb: number | null;
  /** all viewer processes together */
  viewersCpuPct: number;
  /** the `busPids` processes together (the NATS server); 0 without */
  busCpuPct: number;
  viewerProcesses: number;
  camerasCpuPct: number;
  machineBusyPct: number;
  /** CPU used by processes outside this step (other work on the box), % of one core */
  otherCpuPct: number;
  /** how late the sender's timers fired at worst (a busy box shows here first) */
  senderLateMaxMs: number;
  viewersClosed: number;
  outOfOrder: number;
  /** hub CPU time per frame delivered to a viewer, microseconds */
  hubCpuUsPerFrame: number | null;
  /** frames the hub skipped for behind viewers, all cameras (trustcam's /api/cameras) */
  hubSkipped: number | null;
  histogram?: ReturnType<LatencyHistogram["toJSON"]>;
  /** [stamp time - window start ms, latency ms] of frames at or over 5 ms (diagnosis) */
  slow?: [number, number][];
}

const DENO = Deno.execPath();

/** CPU of several processes together (null when none could be read). */
function sumProcs(children: Child[]): ProcSample | null {
  return sumPids(children.map((c) => c.pid));
}

/** CPU of several hubs with their children (decode processes) together. */
function sumTrees(hubs: Child[]): ProcSample | null {
  const trees = hubs.map((h) => sampleTree(h.pid));
  if (trees.some((t) => t === null)) return null;
  const [first, ...rest] = trees as ProcSample[];
  return { ...first, cpuS: rest.reduce((a, t) => a + t.cpuS, first.cpuS) };
}

function sumPids(pids: number[]): ProcSample | null {
  let cpuS = 0;
  let any = false;
  for (const pid of pids) {
    const s = sampleProc(pid);
    if (s) {
      cpuS += s.cpuS;
      any = true;
    }
  }
  return any ? { cpuS, rssMb: 0, hwmMb: 0 } : null;
}

export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function startHub(
  env: BenchEnv,
  o: Pick<
    StepOptions,
    "hub" | "hubArgs" | "hubRoot" | "hubDenoFlags" | "hubLogFile" | "viewerBufferBytes"
  >,
  port: number,
): Promise<Child> {
  const buffer = o.viewerBufferBytes === undefined
    ? []
    : ["--viewer-buffer-bytes", String(o.viewerBufferBytes)];
  if (o.hub === "bare") {
    const hub = new Child("bare hub", DENO, [
      "run",
      "-A",
      "bench/bare_tls_hub.ts",
      "--certs",
      env.certsDir,
      "--port",
      String(port),
      ...buffer,
    ], { cwd: env.root });
    await hub.message("ready", 30_000);
    return hub;
  }
  const dataDir = await Deno.makeTempDir({ dir: env.tmp, prefix: "data_" });
  const hub = new Child("hub", DENO, [
    "run",
    "-A",
    ...(o.hubDenoFlags ?? []),
    `${o.hubRoot ?? env.root}/main.ts`,
    "--no-demo",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--certs",
    env.certsDir,
    "--data",
    dataDir,
    ...buffer,
    ...(o.hubArgs ?? []),
  ], { cwd: o.hubRoot ?? env.root, logFile: o.hubLogFile });
  await hub.line(/ listen url=/, 60_000);
  return hub;
}

/** bench/cameras_process.ts against the hub on `port` (it prints `ready` once all connect). */
export function startCamerasProcess(
  env: BenchEnv,
  port: number,
  o: {
    cameras: number;
    fps: number;
    deadlineS: number;
    proto?: string;
    reconnectMs?: number;
    firstCamera?: number;
  },
): Child {
  return new Child("cameras", DENO, [
    "run",
    "-A",
    "bench/cameras_process.ts",
    ...(o.proto ? ["--proto", o.proto] : []),
    "--port",
    String(port),
    "--creds",
    env.credsPath,
    "--frames",
    env.framesDir,
    "--cameras",
    String(o.cameras),
    ...(o.firstCamera ? ["--first-camera", String(o.firstCamera)] : []),
    "--fps",
    String(o.fps),
    ...(o.reconnectMs === undefined ? [] : ["--reconnect-every-ms", String(o.reconnectMs)]),
    "--deadline-s",
    String(o.deadlineS),
  ], { cwd: env.root });
}

export async function runLoadStep(env: BenchEnv, o: StepOptions): Promise<StepResult> {
  const warmupS = o.warmupS ?? 2;
  const stalled = o.stalled ?? 0;
  const afterS = o.afterS ?? 0;
  const proto = o.hub === "bare" ? "bare" : "ws";
  const cluster = o.cluster;
  if (cluster && o.hub !== "trustcam") throw new Error("A cluster step needs trustcam hubs");
  const hubCount = cluster?.hubs ?? 1;
  const ports = Array.from({ length: hubCount }, () => freePort());
  const children: Child[] = [];
  let sampler: ProcSampler | undefined;
  try {
    const hubs: Child[] = [];
    for (const p of ports) {
      const hubArgs = cluster ? [...(o.hubArgs ?? []), "--bus", cluster.natsUrl] : o.hubArgs;
      const h = await startHub(env, { ...o, hubArgs }, p);
      children.push(h);
      hubs.push(h);
    }
    const hub = hubs[0];
    sampler = new ProcSampler(hub.pid, 200);
    const deadline = String(Math.ceil(warmupS + o.seconds + afterS + 120));
    // One process by default: on 2 cores, two viewer processes plus the hub thrash (64
    // viewers: sustained with one, 16-21% lost with two, for both hubs).
    const viewerHubs = cluster?.viewerHubs ??
      Array.from({ length: Math.max(1, Math.min(o.viewers, o.viewerProcesses ?? 1)) }, () => 0);
    const procs = viewerHubs.length;
    const viewerProcs: Child[] = [];
    for (let p = 0; p < procs; p++) {
      const first = Math.floor((p * o.viewers) / procs);
      const count = Math.floor(((p + 1) * o.viewers) / procs) - first;
      const child = new Child(`viewers ${p + 1}`, DENO, [
        "run",
        "-A",
        "bench/viewers_process.ts",
        "--proto",
        proto,
        "--port",
        String(ports[viewerHubs[p]]),
        "--creds",
        env.credsPath,
        "--client",
        o.viewerClient ?? "lean",
        "--first",
        String(first),
        "--viewers",
        String(count),
        "--stalled",
        String(p === 0 ? stalled : 0),
        "--deadline-s",
        deadline,
      ], { cwd: env.root });
      children.push(child);
      viewerProcs.push(child);
    }
    await Promise.all(viewerProcs.map((v) => v.message("ready", 60_000)));
    const cameraHubs = cluster?.cameraHubs ?? [0];
    const cameraProcs: Child[] = [];
    for (let p = 0; p < cameraHubs.length; p++) {
      const first = Math.floor((p * o.cameras) / cameraHubs.length);
      const count = Math.floor(((p + 1) * o.cameras) / cameraHubs.length) - first;
      const child = startCamerasProcess(env, ports[cameraHubs[p]], {
        proto,
        cameras: count,
        firstCamera: first,
        fps: o.fps,
        deadlineS: Number(deadline),
      });
      children.push(child);
      cameraProcs.push(child);
    }
    const camReady = (await Promise.all(cameraProcs.map((c) => c.message("ready", 60_000))))[0];

    const startAt = Date.now() + 300;
    const measureFrom = startAt + warmupS * 1000;
    const measureTo = measureFrom + o.seconds * 1000;
    const camerasStop = measureTo + afterS * 1000 + 200;
    // Frames stamped before measureTo still on their way get 1.5 s more to arrive.
    const viewersStop = Math.max(camerasStop, measureTo + 1500);
    for (const v of viewerProcs) {
      await v.send({
        type: "start",
        measureFrom,
        measureTo,
        stopAt: viewersStop,
        stallUntil: stalled ? measureTo : undefined,
      });
    }
    for (const c of cameraProcs) {
      await c.send({ type: "start", startAt, measureFrom, measureTo, stopAt: camerasStop });
    }

    await sleepUntil(measureFrom);
    const hub0 = sumTrees(hubs);
    const bus0 = sumPids(o.busPids ?? []);
    const view0 = sumProcs(viewerProcs);
    const cam0 = sumProcs(cameraProcs);
    const mach0 = sampleMachine();
    const t0 = performance.now();
    sampler.resetPeak();
    const rssStartMb = sampler.last?.rssMb ?? 0;
    await sleepUntil(measureTo);
    sampler.sample();
    const hub1 = sumTrees(hubs);
    const bus1 = sumPids(o.busPids ?? []);
    const view1 = sumProcs(viewerProcs);
    const cam1 = sumProcs(cameraProcs);
    const mach1 = sampleMachine();
    const elapsedS = (performance.now() - t0) / 1000;
    const rssPeakMb = sampler.maxRssMb;
    let rssAfterMb: number | null = null;
    if (afterS > 0) {
      await sleepUntil(measureTo + afterS * 1000);
      rssAfterMb = sampler.sample()?.rssMb ?? null;
    }
    if (!hub0 || !hub1) throw new Error(`A hub exited during the step${tail(hub)}`);
    let hubSkipped: number | null = null;
    if (o.hub === "trustcam") {
      // A camera counts at the hub that holds it (the others count nothing for it).
      for (const p of ports) {
        const n = await skippedAtHub(env, p);
        if (n !== null) hubSkipped = (hubSkipped ?? 0) + n;
      }
    }

    const camResults = await Promise.all(cameraProcs.map((c) => c.message("result", 30_000)));
    const camRes = {
      cameras: camResults.flatMap((r) => r.cameras as unknown[]),
      lateMaxMs: Math.max(...camResults.map((r) => Number(r.lateMaxMs))),
    };
    const viewRes = await Promise.all(viewerProcs.map((v) => v.message("result", 30_000)));
    const cpuPct = (a: typeof hub0 | null, b: typeof hub0 | null) =>
      a && b ? round(((b.cpuS - a.cpuS) / elapsedS) * 100, 0) : 0;

    const cams = camRes.cameras as {
      serial: string;
      sentInWindow: number;
      skippedInWindow: number;
    }[];
    const views = viewRes.flatMap((r) =>
      r.viewers as {
        closed: boolean;
        outOfOrder: number;
        counts: Record<string, number>;
      }[]
    );
    let expected = 0;
    let delivered = 0;
    let lost = 0;
    let cameraSkipped = 0;
    for (const c of cams) cameraSkipped += c.skippedInWindow;
    for (const v of views) {
      for (const c of cams) {
        const want = c.sentInWindow + c.skippedInWindow;
        const got = v.counts[c.serial] ?? 0;
        expected += want;
        delivered += got;
        lost += Math.max(0, want - got);
      }
    }
    const busyShare = (mach1.busy - mach0.busy) / (mach1.total - mach0.total);
    const hist = new LatencyHistogram();
    for (const r of viewRes) hist.merge(LatencyHistogram.fromJSON(r.histogram as never));
    return {
      hub: o.hub,
      cameras: o.cameras,
      fps: o.fps,
      viewers: o.viewers,
      stalled,
      seconds: o.seconds,
      frameBytes: Number(camReady.frameBytes),
      nominal: o.cameras * o.fps * o.seconds * o.viewers,
      expected,
      delivered,
      lost,
      lossPct: expected ? round((lost / expected) * 100, 3) : 100,
      cameraSkipped,
      latency: hist.summary(),
      hubCpuS: round(hub1.cpuS - hub0.cpuS, 2),
      hubCpuPct: cpuPct(hub0, hub1),
      rssStartMb: round(rssStartMb),
      rssPeakMb: round(rssPeakMb),
      hwmMb: round(hub1.hwmMb),
      rssAfterMb: rssAfterMb === null ? null : round(rssAfterMb),
      viewersCpuPct: cpuPct(view0, view1),
      busCpuPct: cpuPct(bus0, bus1),
      camerasCpuPct: cpuPct(cam0, cam1),
      machineBusyPct: round(busyShare * 100, 0),
      otherCpuPct: Math.max(
        0,
        round(
          busyShare * navigator.hardwareConcurrency * 100 - cpuPct(hub0, hub1) -
            cpuPct(view0, view1) - cpuPct(cam0, cam1) - cpuPct(bus0, bus1),
          0,
        ),
      ),
      senderLateMaxMs: Number(camRes.lateMaxMs),
      viewersClosed: views.filter((v) => v.closed).length,
      outOfOrder: views.reduce((a, v) => a + v.outOfOrder, 0),
      hubCpuUsPerFrame: delivered ? round(((hub1.cpuS - hub0.cpuS) / delivered) * 1e6, 1) : null,
      hubSkipped,
      histogram: hist.toJSON(),
      viewerProcesses: procs,
      slow: viewRes.flatMap((r) =>
        (r.slow as [number, number][]).map(([t, l]): [number, number] => [t - measureFrom, l])
      ),
    };
  } finally {
    sampler?.stop();
    // Clients first, so the hubs see ordinary disconnects, then the hubs.
    for (const c of children.slice(hubCount).reverse()) await c.kill();
    for (const c of children.slice(0, hubCount)) await c.kill();
  }
}

/** Frames the hub skipped for behind viewers, summed over cameras; null when unreadable. */
async function skippedAtHub(env: BenchEnv, port: number): Promise<number | null> {
  const creds = await loadBenchCreds(env.credsPath);
  const cred = viewerCred(creds, 0);
  return await new Promise((resolve) => {
    const req = https.request({
      host: "127.0.0.1",
      port,
      path: "/api/cameras",
      ca: creds.caPem,
      cert: cred.chainPem,
      key: cred.keyPem,
      servername: "localhost",
      agent: false,
      timeout: 5000,
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => body += c);
      res.on("end", () => {
        try {
          const cams = (JSON.parse(body) as { cameras: { skipped: number }[] }).cameras;
          resolve(cams.reduce((a, c) => a + c.skipped, 0));
        } catch {
          resolve(null);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", () => resolve(null));
    req.end();
  });
}

function tail(c: Child): string {
  return c.lines.length ? `\n  ${c.lines.slice(-10).join("\n  ")}` : "";
}
