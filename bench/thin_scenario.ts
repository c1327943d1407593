/**
 * The thin-link scenario of `deno task bench` (issue 14, item 3): what a wall of every camera
 * costs its link at full size, at tile size, and at tile size capped to 5 fps, side by side on
 * one hub, and what the hub pays per reduced frame.
 *
 * One hub, the bench cameras (VGA) streaming throughout. Each run has three phases, each with
 * a fresh wall viewer (bench/thin_viewer.ts) beside a reference viewer of every camera at full
 * size: `full` (the reference alone: its bytes are the full wall's),
 * `tile` and `tile@5`. Per phase: the wall's bytes and frames per second and its latency (camera
 * stamp to receipt), the reference viewer's p99 (does resizing slow the relay?), the CPU of
 * the hub and its children (the resize worker), and the reduced frames the hub made (from
 * /metrics). CPU per reduced frame = (hub CPU in the tile phase - in the full phase) / frames
 * made. Medians over the runs.
 */
import { type BenchEnv, freePort, startCamerasProcess, startHub } from "./load_step.ts";
import { Child } from "./child_io.ts";
import { descendants, sampleProc, sampleTree } from "./proc_stats.ts";
import { loadBenchCreds, viewerCred } from "./bench_pki.ts";
import { get, parseMetrics } from "./soak_clients.ts";
import { RESIZE_NICE } from "../hub/reduced_streams.ts";

const DENO = Deno.execPath();

export type ThinMode = "full" | "tile" | "tile@5";

export interface ThinPhase {
  /** The mode, and the worker's niceness above the hub's when the run sets it. */
  label: string;
  mode: ThinMode;
  /** The wall's bytes per second, frames per second, latency. */
  bytesPerSec: number;
  framesPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** The full-size reference viewer's p99 during the phase. */
  referenceP99Ms: number | null;
  /** Hub + resize worker CPU, % of one core. */
  hubCpuPct: number;
  /** The resize worker's share of it. */
  workerCpuPct: number;
  /** Reduced frames made per second (all sizes). */
  reducedPerSec: number;
  widths: Record<string, number>;
}

export interface ThinResult {
  cameras: number;
  fps: number;
  seconds: number;
  runs: number;
  /** Medians per mode. */
  phases: ThinPhase[];
  /** full bytes / tile bytes, and / tile@5 bytes. */
  tileRatio: number;
  tile5Ratio: number;
  /** (hub CPU tile - hub CPU full) / reduced frames, ms of CPU. */
  cpuMsPerReduced: number | null;
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function startViewer(env: BenchEnv, port: number, o: {
  cameras: number;
  viewer: number;
  mode: ThinMode;
}): Child {
  const [size, fps] = o.mode.split("@");
  return new Child(`viewer ${o.mode}`, DENO, [
    "run",
    "-A",
    "bench/thin_viewer.ts",
    "--port",
    String(port),
    "--creds",
    env.credsPath,
    "--cameras",
    String(o.cameras),
    "--viewer",
    String(o.viewer),
    "--size",
    size,
    ...(fps ? ["--max-fps", fps] : []),
  ], { cwd: env.root });
}

export async function benchThin(env: BenchEnv, o: {
  cameras: number;
  fps: number;
  seconds: number;
  runs: number;
  hubArgs: string[];
  hubRoot?: string;
  /**
   * Tile phases with the resize worker reniced to each of these levels above the hub's (one
   * phase per level, same hub, same minutes of the box): how its niceness was chosen.
   */
  niceLevels?: number[];
  log: (line: string) => void;
}): Promise<ThinResult> {
  const plan: { label: string; mode: ThinMode; nice?: number }[] = [
    { label: "full", mode: "full" },
    ...(o.niceLevels?.length
      ? o.niceLevels.map((nice) => ({
        label: `tile, worker +${nice}`,
        mode: "tile" as const,
        nice,
      }))
      : [{ label: "tile", mode: "tile" as const }]),
    { label: "tile@5", mode: "tile@5" },
  ];
  const creds = await loadBenchCreds(env.credsPath);
  const scraper = viewerCred(creds, 63);
  const port = freePort();
  const hub = await startHub(env, {
    hub: "trustcam",
    hubArgs: [...o.hubArgs, "--record", "off", "--motion", "off"],
    hubRoot: o.hubRoot,
  }, port);
  const children: Child[] = [hub];
  const reducedMade = async () => {
    const res = await get({ port, caPem: creds.caPem }, scraper, "/metrics");
    let n = 0;
    for (const [k, v] of parseMetrics(res.body)) {
      if (k.startsWith("trustcam_reduced_frames_total")) n += v;
    }
    return n;
  };
  const samples = new Map<string, ThinPhase[]>(plan.map((p) => [p.label, []]));
  try {
    const cams = startCamerasProcess(env, port, {
      cameras: o.cameras,
      fps: o.fps,
      deadlineS: 3600,
    });
    children.push(cams);
    await cams.message("ready", 60_000);
    const now = Date.now();
    await cams.send({
      type: "start",
      startAt: now,
      measureFrom: now,
      measureTo: now + 1,
      stopAt: now + 3_600_000,
    });
    for (let run = 0; run < o.runs; run++) {
      for (const { label, mode, nice } of plan) {
        // Fresh viewers per phase: one measuring window per process.
        const ref = startViewer(env, port, { cameras: o.cameras, viewer: 0, mode: "full" });
        children.push(ref);
        await ref.message("ready", 30_000);
        const wall = mode === "full"
          ? undefined
          : startViewer(env, port, { cameras: o.cameras, viewer: 1, mode });
        if (wall) {
          children.push(wall);
          await wall.message("ready", 30_000);
        }
        // Phases without a level run at the hub's own setting (a level set before stays else).
        if (o.niceLevels?.length && mode !== "full") {
          await reniceWorker(hub.pid, nice ?? RESIZE_NICE);
        }
        // Two seconds for the stream to settle (the worker starts on the first tile phase).
        const from = Date.now() + 2000;
        const to = from + o.seconds * 1000;
        await Promise.all(
          [ref, wall].filter((c) => c !== undefined).map((c) =>
            c.send({ type: "start", measureFrom: from, measureTo: to })
          ),
        );
        await new Promise((r) => setTimeout(r, from - Date.now()));
        const cpu0 = sampleTree(hub.pid)?.cpuS ?? 0;
        const own0 = sampleProc(hub.pid)?.cpuS ?? 0;
        const made0 = await reducedMade();
        await new Promise((r) => setTimeout(r, to - Date.now()));
        const cpu1 = sampleTree(hub.pid)?.cpuS ?? 0;
        const own1 = sampleProc(hub.pid)?.cpuS ?? 0;
        const made1 = await reducedMade();
        const refResult = await ref.message("result", 30_000);
        const wallResult = wall ? await wall.message("result", 30_000) : refResult;
        const phase: ThinPhase = {
          label,
          mode,
          bytesPerSec: Number(wallResult.bytesPerSec),
          framesPerSec: Number(wallResult.framesPerSec),
          p50Ms: wallResult.p50Ms as number | null,
          p99Ms: wallResult.p99Ms as number | null,
          referenceP99Ms: refResult.p99Ms as number | null,
          hubCpuPct: round(((cpu1 - cpu0) / o.seconds) * 100),
          workerCpuPct: round(((cpu1 - cpu0 - (own1 - own0)) / o.seconds) * 100),
          reducedPerSec: round((made1 - made0) / o.seconds),
          widths: wallResult.widths as Record<string, number>,
        };
        samples.get(label)!.push(phase);
        o.log(
          `[thin] run ${run + 1} ${label}: ${round(phase.bytesPerSec / 1e6, 2)} MB/s, ` +
            `${phase.framesPerSec} fps, p99 ${phase.p99Ms} ms (reference ${phase.referenceP99Ms}), ` +
            `hub CPU ${phase.hubCpuPct}% (worker ${phase.workerCpuPct}%), ` +
            `${phase.reducedPerSec} reduced/s`,
        );
        for (const c of [ref, wall]) {
          if (!c) continue;
          await c.finish(3000);
          children.splice(children.indexOf(c), 1);
        }
      }
    }
  } finally {
    for (const c of children.reverse()) await c.finish(5000);
  }
  const phases = plan.map(({ label, mode }): ThinPhase => {
    const list = samples.get(label)!;
    const med = (f: (p: ThinPhase) => number | null) => round(median(list.map((p) => f(p) ?? NaN)));
    return {
      label,
      mode,
      bytesPerSec: Math.round(median(list.map((p) => p.bytesPerSec))),
      framesPerSec: med((p) => p.framesPerSec),
      p50Ms: med((p) => p.p50Ms),
      p99Ms: med((p) => p.p99Ms),
      referenceP99Ms: med((p) => p.referenceP99Ms),
      hubCpuPct: med((p) => p.hubCpuPct),
      workerCpuPct: med((p) => p.workerCpuPct),
      reducedPerSec: med((p) => p.reducedPerSec),
      widths: list.at(-1)?.widths ?? {},
    };
  });
  const full = phases[0];
  const tile = phases[1];
  const tile5 = phases[phases.length - 1];
  const cpuDelta = (tile.hubCpuPct - full.hubCpuPct) / 100;
  return {
    cameras: o.cameras,
    fps: o.fps,
    seconds: o.seconds,
    runs: o.runs,
    phases,
    tileRatio: round(full.bytesPerSec / tile.bytesPerSec),
    tile5Ratio: round(full.bytesPerSec / tile5.bytesPerSec),
    cpuMsPerReduced: tile.reducedPerSec > 0
      ? round((cpuDelta / tile.reducedPerSec) * 1000, 2)
      : null,
  };
}

/** Sets the resize worker's threads to `above` the hub's niceness (util-linux renice). */
async function reniceWorker(hubPid: number, above: number): Promise<void> {
  const niceOf = (pid: number) => {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
  };
  const worker = descendants(hubPid).find((pid) => {
    try {
      return Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes("motion_decoder_child.ts");
    } catch {
      return false;
    }
  });
  if (worker === undefined) throw new Error("No resize worker under the hub");
  const nice = Math.max(-20, Math.min(19, niceOf(hubPid) + above));
  // Linux's niceness is per thread: every thread the worker has (libvips' pool included).
  const tids = [...Deno.readDirSync(`/proc/${worker}/task`)].map((e) => e.name);
  const out = await new Deno.Command("renice", {
    args: ["-n", String(nice), "-p", ...tids],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`renice failed: ${new TextDecoder().decode(out.stderr)}`);
}

/** The report's "Thin links" section. */
export function thinMarkdown(r: ThinResult): string[] {
  const n = (v: number | null) => v === null || Number.isNaN(v) ? "-" : String(v);
  return [
    "## Thin links",
    "",
    `A wall of ${r.cameras} cameras (VGA, ${r.fps} fps) on one connection, ${r.runs} runs of ` +
    `${r.seconds} s per mode, medians; a full-size reference viewer beside the wall.`,
    "",
    "| wall asks | MB/s | KB/frame | fps (all cameras) | p50 ms | p99 ms | reference p99 ms | hub CPU % (worker) | reduced/s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.phases.map((p) =>
      `| ${p.label} | ${round(p.bytesPerSec / 1e6, 2)} | ` +
      `${p.framesPerSec > 0 ? round(p.bytesPerSec / p.framesPerSec / 1000) : "-"} | ` +
      `${p.framesPerSec} | ${n(p.p50Ms)} | ${n(p.p99Ms)} | ${n(p.referenceP99Ms)} | ` +
      `${p.hubCpuPct} (${p.workerCpuPct}) | ${p.reducedPerSec} |`
    ),
    "",
    `Tile: ${r.tileRatio}x fewer bytes than full; tile@5: ${r.tile5Ratio}x. Hub CPU (hub + resize ` +
    `worker) per reduced frame: ${n(r.cpuMsPerReduced)} ms.`,
    "",
  ];
}
