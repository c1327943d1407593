/**
 * Watches an open wall page for leaks: decoded bitmaps and object URLs (bounded by the tiles,
 * one decode in flight each), the JS heap after a forced GC, and the DOM node count, sampled
 * over a run. Shared by tests/wall_leak_test.ts (a short run that asserts) and the bench's
 * leak scenario (bench/leak_scenario.ts, the long run that reports).
 */
import type { BrowserContext } from "playwright-core";
import type { PaintStats } from "../lib/client/painter.ts";

export interface LeakSample {
  /** ms since the run started */
  t: number;
  heapBytes: number;
  nodes: number;
}

export interface LeakReport {
  runMs: number;
  /** Frames painted during the run, all tiles. */
  painted: number;
  paintedFps: number;
  replaced: number;
  errors: number;
  maxBitmapsOpen: number;
  maxUrlsOpen: number;
  maxDecodesInFlight: number;
  /** Bitmaps plus URLs still open when the run ended. */
  openAtEnd: number;
  samples: LeakSample[];
}

export interface LeakRunOptions {
  /** The wall's URL. */
  url: string;
  runMs: number;
  /** A heap and DOM sample every this many ms, the first at the start. */
  sampleMs: number;
  /** Frames painted before the run starts (JIT and caches settled); default 100. */
  warmUpFrames?: number;
  /** How long the warm-up may take; default 10 s. */
  warmUpTimeoutMs?: number;
}

/** Opens the wall in `ctx`, waits out the warm-up, then watches it for `runMs`. */
export async function watchWallLeaks(
  ctx: BrowserContext,
  opts: LeakRunOptions,
): Promise<LeakReport> {
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  try {
    await cdp.send("Performance.enable");
    await page.goto(opts.url);
    await page.waitForSelector("[data-island][data-ready]");
    const paint = () =>
      page.evaluate(() => ({
        ...(globalThis as unknown as { __trustcamPaint: PaintStats }).__trustcamPaint,
      }));
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      return (await cdp.send("Runtime.getHeapUsage")).usedSize;
    };
    const nodes = async () => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      return metrics.find((m) => m.name === "Nodes")?.value ?? -1;
    };

    await page.waitForFunction(
      (n) => (globalThis as unknown as { __trustcamPaint: PaintStats }).__trustcamPaint.painted > n,
      opts.warmUpFrames ?? 100,
      { timeout: opts.warmUpTimeoutMs ?? 10_000 },
    );
    const start = await paint();
    const samples: LeakSample[] = [];
    let maxBitmaps = 0;
    let maxUrls = 0;
    let maxInFlight = 0;
    const t0 = Date.now();
    let nextSample = 0;
    while (Date.now() - t0 <= opts.runMs) {
      const p = await paint();
      maxBitmaps = Math.max(maxBitmaps, p.bitmapsOpen);
      maxUrls = Math.max(maxUrls, p.urlsOpen);
      maxInFlight = Math.max(maxInFlight, p.inFlight);
      if (Date.now() - t0 >= nextSample) {
        samples.push({ t: Date.now() - t0, heapBytes: await heap(), nodes: await nodes() });
        nextSample += opts.sampleMs;
      }
      // The counters are polled, not pushed: a short pause between reads bounds the cost.
      await new Promise((r) => setTimeout(r, 20));
    }
    const end = await paint();
    const painted = end.painted - start.painted;
    return {
      runMs: opts.runMs,
      painted,
      paintedFps: painted / (opts.runMs / 1000),
      replaced: end.replaced - start.replaced,
      errors: end.errors - start.errors,
      maxBitmapsOpen: maxBitmaps,
      maxUrlsOpen: maxUrls,
      maxDecodesInFlight: maxInFlight,
      openAtEnd: end.bitmapsOpen + end.urlsOpen,
      samples,
    };
  } finally {
    await cdp.detach().catch(() => {});
    await page.close().catch(() => {});
  }
}

/** One line of figures, as the test logs it and the bench prints it. */
export function leakSummary(r: LeakReport): string {
  return `painted ${r.painted} frames (${r.paintedFps.toFixed(1)}/s), ` +
    `max decodes in flight ${r.maxDecodesInFlight}, max bitmaps open ${r.maxBitmapsOpen}, ` +
    `max URLs open ${r.maxUrlsOpen}, heap ` +
    r.samples.map((s) => `${(s.heapBytes / 1024 / 1024).toFixed(2)}`).join(" → ") + " MiB";
}
