/**
 * Which decode path should the wall use? Compares, in Debian Chromium, `createImageBitmap(blob)`
 * against an object URL + `img.decode()`, each followed by `drawImage` onto a canvas (what a
 * tile does), on the simulated cameras' QVGA (~18 KB) and VGA (~60 KB) JPEGs.
 *
 * Two figures per path: the latency of one decode+draw at a time, and the throughput of 16
 * tiles decoding at once (one in flight per tile, as lib/client/painter.ts does).
 *
 *   deno run -A bench/decode_bench.ts [--rounds 200] [--json bench/results/decode.json]
 */
import { chromium } from "playwright-core";
import { type FrameSize, renderFrames } from "../sim/frames.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../harness/chromium.ts";

export interface DecodeFigures {
  method: "bitmap" | "img";
  size: FrameSize;
  bytes: number;
  /** Sequential: median and p95 ms per decode+draw. */
  medianMs: number;
  p95Ms: number;
  /** 16 tiles at once: frames painted per second. */
  parallelFps: number;
}

/** Runs in the page: both decode paths, sequential and 16-way, on the given JPEGs. */
function pageBench(
  args: { frames: number[][]; rounds: number; method: "bitmap" | "img" },
): Promise<{ medianMs: number; p95Ms: number; parallelFps: number }> {
  const blobs = args.frames.map((f) => new Blob([new Uint8Array(f)], { type: "image/jpeg" }));
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 480;
  const ctx = canvas.getContext("2d")!;
  const img = new Image();

  async function paint(blob: Blob, c: CanvasRenderingContext2D, im: HTMLImageElement) {
    if (args.method === "bitmap") {
      const bmp = await createImageBitmap(blob);
      c.drawImage(bmp, 0, 0, c.canvas.width, c.canvas.height);
      bmp.close();
    } else {
      const url = URL.createObjectURL(blob);
      try {
        im.src = url;
        await im.decode();
        c.drawImage(im, 0, 0, c.canvas.width, c.canvas.height);
      } finally {
        URL.revokeObjectURL(url);
      }
    }
  }

  return (async () => {
    // Warm up the decoder and the canvas.
    for (let i = 0; i < 10; i++) await paint(blobs[i % blobs.length], ctx, img);
    const times: number[] = [];
    for (let i = 0; i < args.rounds; i++) {
      const t0 = performance.now();
      await paint(blobs[i % blobs.length], ctx, img);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const tiles = Array.from({ length: 16 }, () => {
      const c = document.createElement("canvas");
      c.width = 320;
      c.height = 240;
      return { ctx: c.getContext("2d")!, img: new Image() };
    });
    let painted = 0;
    const t0 = performance.now();
    await Promise.all(tiles.map(async (t, k) => {
      for (let i = 0; i < args.rounds / 4; i++) {
        await paint(blobs[(i + k) % blobs.length], t.ctx, t.img);
        painted++;
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    return {
      medianMs: times[Math.floor(times.length / 2)],
      p95Ms: times[Math.floor(times.length * 0.95)],
      parallelFps: painted / seconds,
    };
  })();
}

export async function runDecodeBench(rounds = 200): Promise<DecodeFigures[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.setContent("<!DOCTYPE html><title>decode bench</title>");
    const out: DecodeFigures[] = [];
    for (const size of ["qvga", "vga"] as const) {
      const frames = renderFrames({ serial: "0123A1B2C3D4E5F6A7", size, count: 8 });
      const bytes = Math.round(frames.reduce((n, f) => n + f.byteLength, 0) / frames.length);
      // Alternate the methods twice so that neither always runs on a colder browser.
      for (const method of ["bitmap", "img", "bitmap", "img"] as const) {
        const r = await page.evaluate(pageBench, {
          frames: frames.map((f) => Array.from(f)),
          rounds,
          method,
        });
        out.push({ method, size, bytes, ...r });
      }
    }
    return out;
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  const rounds = Number(arg("--rounds") ?? 200);
  const figures = await runDecodeBench(rounds);
  console.log("method  size  bytes   median ms  p95 ms  16 tiles fps");
  for (const f of figures) {
    console.log(
      `${f.method.padEnd(7)} ${f.size.padEnd(5)} ${String(f.bytes).padStart(6)}  ` +
        `${f.medianMs.toFixed(2).padStart(9)}  ${f.p95Ms.toFixed(2).padStart(6)}  ` +
        `${f.parallelFps.toFixed(0).padStart(12)}`,
    );
  }
  const json = arg("--json");
  if (json) await Deno.writeTextFile(json, JSON.stringify(figures, null, 2) + "\n");
}
