/**
 * Scenario (j), leak: the wall in Chromium at 4 cameras x 15 fps for minutes rather than the
 * test's 10 s (tests/wall_leak_test.ts), with the same checks: decoded bitmaps, object URLs
 * and decodes in flight bounded by the tiles, the JS heap after GC no more than 2 MiB above
 * its first sample after warm-up, the DOM node count within 20 of it. The hub and the cameras
 * run in this process, as in bench/wall_bench.ts; harness/wall_leak.ts does the watching.
 */
import { openWall } from "../harness/wall.ts";
import { type LeakReport, leakSummary, watchWallLeaks } from "../harness/wall_leak.ts";
import { startWallHub } from "./wall_bench.ts";

/** Heap growth allowed between the first sample (after warm-up) and the last. */
export const LEAK_HEAP_SLACK_BYTES = 2 * 1024 * 1024;
/** The DOM may differ by a label or two, never by a node per frame. */
export const LEAK_NODE_SLACK = 20;

export interface LeakResult extends LeakReport {
  cameras: number;
  fps: number;
  /** What the checks found wrong; empty when every one held. */
  failures: string[];
  ok: boolean;
}

export interface LeakOptions {
  cameras: number;
  fps: number;
  seconds: number;
  log: (line: string) => void;
}

/** The checks of tests/wall_leak_test.ts, as findings instead of assertions. */
export function judgeLeak(r: LeakReport, tiles: number, fps: number): string[] {
  const failures: string[] = [];
  const first = r.samples[0];
  const last = r.samples[r.samples.length - 1];
  if (r.samples.length < 6) failures.push(`only ${r.samples.length} heap samples`);
  // Half of what the cameras sent proves the wall kept painting live.
  const offered = tiles * fps * (r.runMs / 1000);
  if (r.painted < offered / 2) failures.push(`painted only ${r.painted} of ${offered} frames`);
  if (r.errors > 0) failures.push(`${r.errors} decode errors`);
  if (r.maxDecodesInFlight > tiles) {
    failures.push(`decodes in flight: ${r.maxDecodesInFlight} > ${tiles} tiles`);
  }
  if (r.maxBitmapsOpen > tiles) failures.push(`bitmaps open: ${r.maxBitmapsOpen} > ${tiles}`);
  if (r.maxUrlsOpen > tiles) failures.push(`object URLs open: ${r.maxUrlsOpen} > ${tiles}`);
  if (r.openAtEnd > tiles) failures.push(`${r.openAtEnd} bitmaps and URLs open at the end`);
  if (first && last && last.heapBytes > first.heapBytes + LEAK_HEAP_SLACK_BYTES) {
    failures.push(`heap grew from ${first.heapBytes} to ${last.heapBytes} bytes`);
  }
  if (first && last && Math.abs(last.nodes - first.nodes) > LEAK_NODE_SLACK) {
    failures.push(`DOM nodes ${first.nodes} → ${last.nodes}`);
  }
  return failures;
}

export async function runLeak(o: LeakOptions): Promise<LeakResult> {
  const serials = Array.from(
    { length: o.cameras },
    (_, i) => `0123BEEF${i.toString(16).toUpperCase().padStart(10, "0")}`,
  );
  await using wall = await openWall(await startWallHub(), { serials, fps: o.fps });
  const ctx = await wall.context({ viewport: { width: 1280, height: 800 } });
  const report = await watchWallLeaks(ctx, {
    url: `${wall.origin}/`,
    runMs: o.seconds * 1000,
    // Six samples or more, as in the test, and one per 5 s on long runs.
    sampleMs: Math.min(5_000, (o.seconds * 1000) / 6),
    // On a busy box the first frames come slowly; the bench reports, it does not race.
    warmUpTimeoutMs: 60_000,
  });
  const failures = judgeLeak(report, o.cameras, o.fps);
  o.log(`[leak] ${leakSummary(report)}`);
  return { ...report, cameras: o.cameras, fps: o.fps, failures, ok: failures.length === 0 };
}

/** The report's section. */
export function leakMarkdown(r: LeakResult): string[] {
  const mib = (b: number) => (b / 1024 / 1024).toFixed(2);
  const first = r.samples[0];
  const last = r.samples[r.samples.length - 1];
  return [
    "## Wall leak check",
    "",
    `The wall in Chromium at ${r.cameras} cameras x ${r.fps} fps for ${r.runMs / 1000} s after ` +
    `a warm-up (tests/wall_leak_test.ts runs the same checks for 10 s).`,
    "",
    "| painted/s | max decodes in flight | max bitmaps open | max URLs open | heap after GC MiB (first → last) | DOM nodes (first → last) | verdict |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    `| ${r.paintedFps.toFixed(1)} | ${r.maxDecodesInFlight} | ${r.maxBitmapsOpen} | ` +
    `${r.maxUrlsOpen} | ${first ? mib(first.heapBytes) : "-"} → ${
      last ? mib(last.heapBytes) : "-"
    } | ` +
    `${first?.nodes ?? "-"} → ${last?.nodes ?? "-"} | ${
      r.ok ? "no leak" : r.failures.join("; ")
    } |`,
    "",
    `Heap samples (MiB): ${r.samples.map((s) => mib(s.heapBytes)).join(" → ")}.`,
    "",
  ];
}
