/**
 * What motion analysis costs, in this process (no hub, no TLS):
 *
 * 1. Per frame, one at a time: the decode (sharp, greyscale at 64 px with shrink-on-load) plus
 *    the model, on a simulated camera's VGA JPEG (~60 KB) and on a 720p JPEG with sensor-like
 *    noise (~150 KB): median wall µs, and CPU µs per frame (all threads, libvips's included);
 *    beside them a full-size greyscale decode of the same JPEG, for scale.
 * 2. In total: C cameras sending at F fps, analyzed by one MotionAnalyzer at the default 5 fps
 *    for S seconds on the real clock: CPU of the process as a share of one core, minus the
 *    same run with motion off (the pacing loop alone); frames analyzed and skipped; RSS.
 *
 *   deno run -A bench/motion_bench.ts [--frames 300] [--cameras 16] [--camera-fps 10]
 *     [--seconds 10] [--concurrency 1] [--json bench/results/motion.json]
 */
import { parseArgs } from "node:util";
import sharp from "sharp";
import { decodeLuma } from "../hub/motion_decode.ts";
import { MotionAnalyzer } from "../hub/motion_analyzer.ts";
import { MotionModel } from "../lib/motion_model.ts";
import { DEFAULT_MOTION_SETTINGS } from "../lib/motion_settings.ts";
import { renderFrames } from "../sim/frames.ts";
import { sampleProc } from "./proc_stats.ts";

export interface PerFrameFigures {
  size: "vga" | "720p";
  bytes: number;
  /** Decode + model, one frame at a time. */
  medianUs: number;
  p95Us: number;
  cpuUs: number;
  /** The model alone (JavaScript, on the main thread). */
  modelMedianUs: number;
  /** A full-size greyscale decode of the same JPEG, for scale. */
  fullDecodeCpuUs: number;
}

export interface TotalFigures {
  cameras: number;
  cameraFps: number;
  analysisFps: number;
  seconds: number;
  concurrency: number;
  /** Process CPU, % of one core: with motion on, off, and the difference. */
  cpuOnPct: number;
  cpuOffPct: number;
  motionCpuPct: number;
  analyzedPerS: number;
  skipped: number;
  maxHeld: number;
  /** Resident set before and after the run with motion on. */
  rssBeforeMb: number;
  rssAfterMb: number;
}

const SERIALS = Array.from(
  { length: 64 },
  (_, i) => `0123A1B2C3D4E5${i.toString(16).padStart(4, "0").toUpperCase()}`,
);

/** VGA frames of the simulator, and 720p ones: the simulator's picture scaled, plus noise. */
async function testFrames(): Promise<Record<"vga" | "720p", Uint8Array[]>> {
  const vga = renderFrames({ serial: SERIALS[0], size: "vga", count: 6 });
  const hd: Uint8Array[] = [];
  for (const [i, jpeg] of vga.entries()) {
    const { data } = await sharp(jpeg).resize(1280, 720, { fit: "fill" }).raw()
      .toBuffer({ resolveWithObject: true });
    let s = 0x9e3779b1 ^ i;
    for (let p = 0; p < data.length; p++) {
      s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + p) >>> 0;
      data[p] = Math.max(0, Math.min(255, data[p] + ((s >>> 27) - 16)));
    }
    const out = await sharp(data, { raw: { width: 1280, height: 720, channels: 3 } })
      .jpeg({ quality: 80 }).toBuffer();
    hd.push(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  }
  return { vga, "720p": hd };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function cpuS(): number {
  return sampleProc(Deno.pid)?.cpuS ?? NaN;
}

export async function perFrame(
  size: "vga" | "720p",
  frames: Uint8Array[],
  n: number,
): Promise<PerFrameFigures> {
  const model = new MotionModel();
  const settings = DEFAULT_MOTION_SETTINGS;
  for (let i = 0; i < 30; i++) {
    model.analyze(await decodeLuma(frames[i % frames.length]), i * 200, settings);
  }
  const times: number[] = [];
  const modelTimes: number[] = [];
  const c0 = cpuS();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const img = await decodeLuma(frames[i % frames.length]);
    const t1 = performance.now();
    model.analyze(img, (30 + i) * 200, settings);
    const t2 = performance.now();
    times.push((t2 - t0) * 1000);
    modelTimes.push((t2 - t1) * 1000);
  }
  const cpuUs = ((cpuS() - c0) * 1e6) / n;
  const f0 = cpuS();
  for (let i = 0; i < n; i++) {
    await sharp(frames[i % frames.length]).greyscale().raw().toBuffer();
  }
  const fullDecodeCpuUs = ((cpuS() - f0) * 1e6) / n;
  times.sort((a, b) => a - b);
  modelTimes.sort((a, b) => a - b);
  return {
    size,
    bytes: Math.round(frames.reduce((s, f) => s + f.length, 0) / frames.length),
    medianUs: quantile(times, 0.5),
    p95Us: quantile(times, 0.95),
    cpuUs,
    modelMedianUs: quantile(modelTimes, 0.5),
    fullDecodeCpuUs,
  };
}

/** C cameras paced at F fps, spread evenly over the frame period, into one analyzer. */
async function paced(
  frames: Uint8Array[],
  o: { cameras: number; cameraFps: number; seconds: number; concurrency: number; on: boolean },
) {
  const settings = { ...DEFAULT_MOTION_SETTINGS, enabled: o.on };
  const analyzer = new MotionAnalyzer({
    settingsOf: () => settings,
    onEvent: () => {},
    concurrency: o.concurrency,
    decode: decodeLuma,
  });
  const serials = SERIALS.slice(0, o.cameras);
  const periodMs = 1000 / (o.cameraFps * o.cameras);
  let maxHeld = 0;
  let tick = 0;
  const start = performance.now();
  const c0 = cpuS();
  await new Promise<void>((done) => {
    const step = () => {
      const now = performance.now();
      // Catch up after a late timer, as cameras would keep sending.
      while (start + tick * periodMs <= now) {
        const serial = serials[tick % serials.length];
        analyzer.offer(serial, frames[Math.floor(tick / serials.length) % frames.length]);
        maxHeld = Math.max(maxHeld, analyzer.stats(serial)?.held ?? 0);
        tick++;
      }
      if (now - start >= o.seconds * 1000) done();
      else setTimeout(step, Math.max(0, start + tick * periodMs - performance.now()));
    };
    step();
  });
  const elapsedS = (performance.now() - start) / 1000;
  const cpuPct = ((cpuS() - c0) / elapsedS) * 100;
  let analyzed = 0;
  let skipped = 0;
  for (const s of serials) {
    const st = analyzer.stats(s);
    analyzed += st?.analyzed ?? 0;
    skipped += st?.skipped ?? 0;
  }
  await analyzer.close();
  return { cpuPct, analyzedPerS: analyzed / elapsedS, skipped, maxHeld };
}

export async function total(
  frames: Uint8Array[],
  o: { cameras: number; cameraFps: number; seconds: number; concurrency: number },
): Promise<TotalFigures> {
  const off = await paced(frames, { ...o, on: false });
  const rssBeforeMb = sampleProc(Deno.pid)?.rssMb ?? NaN;
  const on = await paced(frames, { ...o, on: true });
  const rssAfterMb = sampleProc(Deno.pid)?.rssMb ?? NaN;
  return {
    ...o,
    analysisFps: DEFAULT_MOTION_SETTINGS.fps,
    cpuOnPct: on.cpuPct,
    cpuOffPct: off.cpuPct,
    motionCpuPct: on.cpuPct - off.cpuPct,
    analyzedPerS: on.analyzedPerS,
    skipped: on.skipped,
    maxHeld: on.maxHeld,
    rssBeforeMb,
    rssAfterMb,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      frames: { type: "string", default: "300" },
      cameras: { type: "string", default: "16" },
      "camera-fps": { type: "string", default: "10" },
      seconds: { type: "string", default: "10" },
      concurrency: { type: "string", default: "1" },
      json: { type: "string" },
    },
  });
  const frames = await testFrames();
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  console.log(`cores ${navigator.hardwareConcurrency}, load average ${load}`);
  const per: PerFrameFigures[] = [];
  for (const size of ["vga", "720p"] as const) {
    per.push(await perFrame(size, frames[size], Number(values.frames)));
  }
  console.log("size   bytes  median µs  p95 µs  CPU µs/frame  model µs  full decode CPU µs");
  for (const f of per) {
    console.log(
      `${f.size.padEnd(5)} ${String(f.bytes).padStart(6)}  ${f.medianUs.toFixed(0).padStart(9)}  ` +
        `${f.p95Us.toFixed(0).padStart(6)}  ${f.cpuUs.toFixed(0).padStart(12)}  ` +
        `${f.modelMedianUs.toFixed(0).padStart(8)}  ${f.fullDecodeCpuUs.toFixed(0).padStart(18)}`,
    );
  }
  const t = await total(frames.vga, {
    cameras: Number(values.cameras),
    cameraFps: Number(values["camera-fps"]),
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
  });
  console.log(
    `${t.cameras} cameras x ${t.cameraFps} fps (VGA), analysis at ${t.analysisFps} fps, ` +
      `concurrency ${t.concurrency}, ${t.seconds} s: CPU ${t.cpuOnPct.toFixed(1)}% of a core ` +
      `with motion, ${t.cpuOffPct.toFixed(1)}% without: motion ${t.motionCpuPct.toFixed(1)}%; ` +
      `${t.analyzedPerS.toFixed(1)} frames analyzed/s, ${t.skipped} skipped, ` +
      `at most ${t.maxHeld} held per camera, RSS ${t.rssBeforeMb.toFixed(0)} -> ` +
      `${t.rssAfterMb.toFixed(0)} MB`,
  );
  if (values.json) {
    const machine = {
      cores: navigator.hardwareConcurrency,
      loadAverage: load,
      deno: Deno.version.deno,
    };
    const out = { date: new Date().toISOString(), machine, perFrame: per, total: t };
    await Deno.writeTextFile(values.json, JSON.stringify(out, null, 2) + "\n");
  }
}
