import assert from "node:assert/strict";
import { FpsCap } from "./fps_cap.ts";

/** The times among `times` that `cap` keeps for one camera. */
function kept(cap: FpsCap, times: number[], key = "A"): number[] {
  return times.filter((t) => cap.keep(key, t));
}

Deno.test("FpsCap.keep() keeps the first frame of each slot, up to a quarter interval early", () => {
  const cap = new FpsCap(2);
  assert.equal(cap.intervalMs, 500);
  assert.deepEqual(
    kept(cap, [0, 100, 374, 375, 501, 870, 875, 1000, 1200, 1400]),
    [0, 375, 875, 1400],
  );
});

Deno.test("FpsCap.keep() never keeps more than the cap over a run", () => {
  const cap = new FpsCap(4);
  // A frame every 10 ms for 60 s: the early margin does not add up (slots 0 to 60 000 ms).
  const k = kept(cap, Array.from({ length: 6000 }, (_, i) => i * 10));
  assert.equal(k.length, 241);
  assert.equal(k.at(-1), 59_940);
  for (let i = 1; i < k.length; i++) assert.ok(k[i] - k[i - 1] >= 250 - 250 / 4, `${k[i]}`);
});

Deno.test("FpsCap.keep() keeps the cap on average from a faster camera", () => {
  const cap = new FpsCap(2);
  // 15 fps for 10 s: a plain 500 ms minimum gap would keep every 8th frame, 19 in all; the
  // slots are 0 to 10 000 ms, the last one taken early.
  const times = Array.from({ length: 150 }, (_, i) => Math.round((i * 1000) / 15));
  const k = kept(cap, times);
  assert.equal(k.length, 21);
  for (const [i, t] of k.entries()) assert.ok(t >= i * 500 - 125 && t <= i * 500, `${i}: ${t}`);
});

Deno.test("FpsCap.keep() keeps every frame of a camera at the cap despite jitter", () => {
  const cap = new FpsCap(5);
  const times = Array.from({ length: 50 }, (_, i) => i * 200 + (i % 2 ? -3 : 3));
  assert.equal(kept(cap, times).length, 50);
});

Deno.test("FpsCap.keep() gives no burst after a pause", () => {
  const cap = new FpsCap(1);
  assert.deepEqual(kept(cap, [0, 5000, 5001, 5500, 5749, 5750, 6000]), [0, 5000, 5750]);
});

Deno.test("FpsCap.keep() keeps a schedule per camera, and reset() forgets one", () => {
  const cap = new FpsCap(1);
  assert.equal(cap.keep("A", 0), true);
  assert.equal(cap.keep("B", 10), true);
  assert.equal(cap.keep("A", 20), false);
  cap.reset("A");
  assert.equal(cap.keep("A", 30), true);
  assert.equal(cap.keep("B", 40), false);
});

Deno.test("FpsCap refuses a cap that is not a positive number", () => {
  for (const bad of [0, -1, NaN, Infinity]) assert.throws(() => new FpsCap(bad), RangeError);
});
