/**
 * Leak check: the wall at 4 cameras x 15 fps for 30 s. Decoded bitmaps and object URLs stay
 * bounded by the tiles (one decode in flight each), the JS heap after GC stops growing after
 * warm-up, and the DOM does not grow. Figures go to tests/artifacts/leak.json.
 */
import assert from "node:assert/strict";
import { ARTIFACTS, startWall } from "./wall_fixture.ts";
import type { PaintStats } from "../lib/client/painter.ts";

const RUN_MS = 30_000;
const SAMPLE_MS = 5_000;
/** Heap growth allowed between the first sample (after warm-up) and the last. */
const HEAP_SLACK_BYTES = 2 * 1024 * 1024;

Deno.test("wall: 4 cameras x 15 fps for 30 s leak no bitmaps, URLs, heap or DOM", async () => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await using wall = await startWall({ fps: 15 });
  const ctx = await wall.context({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(`${wall.origin}/`);
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

  // Warm-up: every tile painting, JIT and caches settled.
  await page.waitForFunction(
    () => (globalThis as unknown as { __trustcamPaint: PaintStats }).__trustcamPaint.painted > 100,
    undefined,
    { timeout: 10_000 },
  );
  const start = await paint();
  const samples: { t: number; heap: number; nodes: number; paint: PaintStats }[] = [];
  let maxBitmaps = 0;
  let maxUrls = 0;
  let maxInFlight = 0;
  const t0 = Date.now();
  let nextSample = 0;
  while (Date.now() - t0 <= RUN_MS) {
    const p = await paint();
    maxBitmaps = Math.max(maxBitmaps, p.bitmapsOpen);
    maxUrls = Math.max(maxUrls, p.urlsOpen);
    maxInFlight = Math.max(maxInFlight, p.inFlight);
    if (Date.now() - t0 >= nextSample) {
      samples.push({ t: Date.now() - t0, heap: await heap(), nodes: await nodes(), paint: p });
      nextSample += SAMPLE_MS;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const end = await paint();
  const painted = end.painted - start.painted;
  const report = {
    runMs: RUN_MS,
    painted,
    paintedFps: painted / (RUN_MS / 1000),
    replaced: end.replaced - start.replaced,
    errors: end.errors - start.errors,
    maxBitmapsOpen: maxBitmaps,
    maxUrlsOpen: maxUrls,
    maxDecodesInFlight: maxInFlight,
    samples: samples.map((s) => ({ t: s.t, heapBytes: s.heap, nodes: s.nodes })),
  };
  await Deno.writeTextFile(`${ARTIFACTS}leak.json`, JSON.stringify(report, null, 2) + "\n");
  console.log(
    `painted ${painted} frames (${report.paintedFps.toFixed(1)}/s), ` +
      `max decodes in flight ${maxInFlight}, max bitmaps open ${maxBitmaps}, ` +
      `max URLs open ${maxUrls}, heap ` +
      samples.map((s) => `${(s.heap / 1024 / 1024).toFixed(2)}`).join(" → ") + " MiB",
  );

  assert.ok(samples.length >= 6, `only ${samples.length} samples`);
  // 4 x 15 fps for 30 s is 1800 frames; half of that proves the wall kept painting live.
  assert.ok(painted >= 900, `painted only ${painted} frames`);
  assert.equal(report.errors, 0);
  assert.ok(maxInFlight <= 4, `decodes in flight: ${maxInFlight} > 4 tiles`);
  assert.ok(maxBitmaps <= 4, `bitmaps open: ${maxBitmaps} > 4 tiles`);
  assert.ok(maxUrls <= 4, `object URLs open: ${maxUrls} > 4 tiles`);
  assert.equal(end.bitmapsOpen + end.urlsOpen <= 4, true);
  const first = samples[0];
  const last = samples[samples.length - 1];
  assert.ok(
    last.heap <= first.heap + HEAP_SLACK_BYTES,
    `heap grew from ${first.heap} to ${last.heap} bytes`,
  );
  // Frames never add DOM: the node count after 30 s is what it was (give or take a label).
  assert.ok(Math.abs(last.nodes - first.nodes) <= 20, `DOM nodes ${first.nodes} → ${last.nodes}`);
  await cdp.detach();
});
