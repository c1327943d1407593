import assert from "node:assert/strict";
import { addToRanges, RANGE_GAP_MS, type RecordedRange } from "./recordings.ts";

const rec = (time: number, length = 10) => ({ time, offset: 0, length });

Deno.test("addToRanges() merges frames across segments and splits at a gap", () => {
  const ranges: RecordedRange[] = [];
  addToRanges(ranges, [rec(1000), rec(2000)], 0, Infinity);
  addToRanges(ranges, [rec(2000 + RANGE_GAP_MS), rec(8000 + RANGE_GAP_MS, 5)], 0, Infinity);
  assert.deepEqual(ranges, [
    { from: 1000, to: 2000 + RANGE_GAP_MS, frames: 3, bytes: 30 },
    { from: 8000 + RANGE_GAP_MS, to: 8000 + RANGE_GAP_MS, frames: 1, bytes: 5 },
  ]);
});

Deno.test("addToRanges() keeps only frames inside [from, to]", () => {
  const ranges = addToRanges([], [rec(1), rec(2), rec(3), rec(4)], 2, 3);
  assert.deepEqual(ranges, [{ from: 2, to: 3, frames: 2, bytes: 20 }]);
  assert.deepEqual(addToRanges([], [rec(1)], 2, 3), []);
});
