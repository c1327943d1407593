import assert from "node:assert/strict";
import { judgeLeak } from "./leak_scenario.ts";
import type { LeakReport } from "../harness/wall_leak.ts";

const MIB = 1024 * 1024;

function report(over: Partial<LeakReport> = {}): LeakReport {
  return {
    runMs: 30_000,
    painted: 1800,
    paintedFps: 60,
    replaced: 0,
    errors: 0,
    maxBitmapsOpen: 1,
    maxUrlsOpen: 0,
    maxDecodesInFlight: 4,
    openAtEnd: 0,
    samples: Array.from({ length: 6 }, (_, i) => ({ t: i * 5000, heapBytes: 3 * MIB, nodes: 219 })),
    ...over,
  };
}

Deno.test("judgeLeak() finds nothing wrong with a flat run", () => {
  assert.deepEqual(judgeLeak(report(), 4, 15), []);
});

Deno.test("judgeLeak() names each check that failed", () => {
  const samples = report().samples.map((s, i) => ({
    ...s,
    heapBytes: s.heapBytes + i * MIB,
    nodes: s.nodes + i * 10,
  }));
  assert.deepEqual(
    judgeLeak(report({ painted: 800, maxBitmapsOpen: 5, errors: 2, samples }), 4, 15),
    [
      "painted only 800 of 1800 frames",
      "2 decode errors",
      "bitmaps open: 5 > 4",
      `heap grew from ${3 * MIB} to ${8 * MIB} bytes`,
      "DOM nodes 219 → 269",
    ],
  );
  assert.deepEqual(judgeLeak(report({ samples: samples.slice(0, 5) }), 4, 15).slice(0, 1), [
    "only 5 heap samples",
  ]);
});
