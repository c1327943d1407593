/**
 * Leak check: the wall at 4 cameras x 15 fps for 10 s. Decoded bitmaps and object URLs stay
 * bounded by the tiles (one decode in flight each), the JS heap after GC stops growing after
 * warm-up, and the DOM does not grow. Figures go to tests/artifacts/leak.json. The same check
 * over 30 s (or longer) is the bench's leak scenario: `deno task bench --only leak`.
 */
import assert from "node:assert/strict";
import { ARTIFACTS, startWall } from "./wall_fixture.ts";
import { leakSummary, watchWallLeaks } from "../harness/wall_leak.ts";

const CAMERAS = 4;
const FPS = 15;
const RUN_MS = 10_000;
/** Short enough that a run under load still takes 6 samples (0 to 7.5 s of the 10). */
const SAMPLE_MS = 1_500;
/** Heap growth allowed between the first sample (after warm-up) and the last. */
const HEAP_SLACK_BYTES = 2 * 1024 * 1024;

Deno.test("wall: 4 cameras x 15 fps for 10 s leak no bitmaps, URLs, heap or DOM", async () => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await using wall = await startWall({ fps: FPS });
  const ctx = await wall.context({ viewport: { width: 1280, height: 800 } });
  const report = await watchWallLeaks(ctx, {
    url: `${wall.origin}/`,
    runMs: RUN_MS,
    sampleMs: SAMPLE_MS,
  });
  await Deno.writeTextFile(`${ARTIFACTS}leak.json`, JSON.stringify(report, null, 2) + "\n");
  console.log(leakSummary(report));

  const { samples, painted } = report;
  assert.ok(samples.length >= 6, `only ${samples.length} samples`);
  // 4 x 15 fps for 10 s is 600 frames; half of that proves the wall kept painting live.
  const expected = CAMERAS * FPS * RUN_MS / 1000;
  assert.ok(painted >= expected / 2, `painted only ${painted} frames`);
  assert.equal(report.errors, 0);
  assert.ok(
    report.maxDecodesInFlight <= 4,
    `decodes in flight: ${report.maxDecodesInFlight} > 4 tiles`,
  );
  assert.ok(report.maxBitmapsOpen <= 4, `bitmaps open: ${report.maxBitmapsOpen} > 4 tiles`);
  assert.ok(report.maxUrlsOpen <= 4, `object URLs open: ${report.maxUrlsOpen} > 4 tiles`);
  assert.equal(report.openAtEnd <= 4, true);
  const first = samples[0];
  const last = samples[samples.length - 1];
  assert.ok(
    last.heapBytes <= first.heapBytes + HEAP_SLACK_BYTES,
    `heap grew from ${first.heapBytes} to ${last.heapBytes} bytes`,
  );
  // Frames never add DOM: the node count at the end is what it was (give or take a label).
  assert.ok(Math.abs(last.nodes - first.nodes) <= 20, `DOM nodes ${first.nodes} → ${last.nodes}`);
});
