/**
 * Scenario (d): the wall with D simulated cameras at F fps in headless Chromium. A fresh hub,
 * the cameras process (the same stamped frames as the relay steps), and bench/browser_process.ts
 * driving Chromium through playwright-core; the counts come from outside the app.
 */
import { renderFrames } from "../sim/frames.ts";
import { benchSerial } from "./bench_pki.ts";
import { Child, sleepUntil } from "./child_io.ts";
import { type BenchEnv, freePort, startHub } from "./load_step.ts";
import { descendants, sampleProc } from "./proc_stats.ts";
import type { BrowserResult } from "./report.ts";

export interface BrowserOptions {
  cameras: number;
  fps: number;
  seconds: number;
  size: "qvga" | "vga";
  /** Seconds of streaming before counting starts (tiles get their first frames). */
  warmupS?: number;
  hubArgs?: string[];
  hubRoot?: string;
  log?: (line: string) => void;
}

const DENO = Deno.execPath();
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** CPU seconds of a process and all its descendants (Chromium is a tree of processes). */
function treeCpuS(pid: number): number {
  let total = 0;
  for (const p of [pid, ...descendants(pid)]) total += sampleProc(p)?.cpuS ?? 0;
  return total;
}

async function framesFor(env: BenchEnv, size: "qvga" | "vga"): Promise<string> {
  if (size === "vga") return env.framesDir;
  const dir = `${env.tmp}/frames_qvga`;
  try {
    await Deno.stat(dir);
    return dir;
  } catch {
    await Deno.mkdir(dir);
    const frames = renderFrames({ serial: benchSerial(0), size: "qvga", count: 6 });
    for (const [i, f] of frames.entries()) await Deno.writeFile(`${dir}/f${i}.jpg`, f);
    return dir;
  }
}

export async function runBrowserScenario(env: BenchEnv, o: BrowserOptions): Promise<BrowserResult> {
  try {
    await Deno.stat(`${env.root}/islands/Wall.tsx`);
  } catch {
    return { ran: false, reason: "the wall (islands/Wall.tsx) does not exist yet" };
  }
  try {
    await Deno.stat("/usr/bin/chromium");
  } catch {
    return { ran: false, reason: "no Chromium at /usr/bin/chromium" };
  }
  const warmupS = o.warmupS ?? 5;
  const framesDir = await framesFor(env, o.size);
  const port = freePort();
  const children: Child[] = [];
  try {
    const hub = await startHub(
      env,
      { hub: "trustcam", hubArgs: o.hubArgs, hubRoot: o.hubRoot },
      port,
    );
    children.push(hub);
    const deadline = String(Math.ceil(warmupS + o.seconds + 180));
    const cameras = new Child("cameras", DENO, [
      "run",
      "-A",
      "bench/cameras_process.ts",
      "--port",
      String(port),
      "--creds",
      env.credsPath,
      "--frames",
      framesDir,
      "--cameras",
      String(o.cameras),
      "--fps",
      String(o.fps),
      "--deadline-s",
      deadline,
    ], { cwd: env.root });
    children.push(cameras);
    const camReady = await cameras.message("ready", 60_000);
    // Cameras are online before the page loads, so the server renders the full wall.
    const browser = new Child("browser", DENO, [
      "run",
      "-A",
      "bench/browser_process.ts",
      "--port",
      String(port),
      "--creds",
      env.credsPath,
      "--tiles",
      String(o.cameras),
      "--deadline-s",
      deadline,
    ], { cwd: env.root });
    children.push(browser);
    await browser.message("ready", 120_000);

    const startAt = Date.now() + 300;
    const measureFrom = startAt + warmupS * 1000;
    const measureTo = measureFrom + o.seconds * 1000;
    await browser.send({ type: "start", measureFrom, measureTo });
    await cameras.send({
      type: "start",
      startAt,
      measureFrom,
      measureTo,
      stopAt: measureTo + 1000,
    });
    await sleepUntil(measureFrom);
    const hub0 = sampleProc(hub.pid);
    const proxy0 = sampleProc(browser.pid);
    const tree0 = treeCpuS(browser.pid);
    const t0 = performance.now();
    await sleepUntil(measureTo);
    const hub1 = sampleProc(hub.pid);
    const proxy1 = sampleProc(browser.pid);
    const tree1 = treeCpuS(browser.pid);
    const elapsed = (performance.now() - t0) / 1000;
    const r = await browser.message("result", 60_000);
    await cameras.message("result", 30_000);
    const received = Number(r.received);
    const painted = Number(r.painted);
    const seconds = Number(r.seconds);
    const pct = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? undefined : round(((b - a) / elapsed) * 100, 0);
    const proxyPct = pct(proxy0?.cpuS, proxy1?.cpuS);
    const chromiumPct = round(
      (((tree1 - tree0) - ((proxy1?.cpuS ?? 0) - (proxy0?.cpuS ?? 0))) /
        elapsed) * 100,
      0,
    );
    return {
      ran: true,
      size: o.size,
      seconds: round(seconds),
      cameras: o.cameras,
      fps: o.fps,
      frameBytes: Number(camReady.frameBytes),
      viewport: String(r.viewport),
      tiles: Number(r.tilesReceiving),
      received,
      painted,
      receivedPerS: round(received / seconds),
      paintedPerS: round(painted / seconds),
      paintedPct: received ? round((painted / received) * 100) : 0,
      longTasks: Number(r.longTasks),
      longTaskMs: Number(r.longTaskMs),
      longestTaskMs: Number(r.longestMs),
      heapStartMb: Number(r.heapStartMb),
      heapMb: Number(r.heapMb),
      hubCpuPct: pct(hub0?.cpuS, hub1?.cpuS),
      chromiumCpuPct: chromiumPct,
      proxyCpuPct: proxyPct,
      pageErrors: r.pageErrors as string[],
    };
  } finally {
    for (const c of children.slice().reverse()) await c.kill();
  }
}
