import assert from "node:assert/strict";
import { checkActivity, isMoving } from "./activity.ts";

Deno.test("isMoving() moves for moveMs, then holds for stillMs, cycle after cycle", () => {
  const a = { moveMs: 4000, stillMs: 11000 };
  assert.deepEqual(
    [0, 3999, 4000, 14999, 15000, 19000].map((t) => isMoving(a, t)),
    [true, true, false, false, true, false],
  );
});

Deno.test("isMoving() starts each camera at its offset in the cycle", () => {
  const a = { moveMs: 4000, stillMs: 11000, offsetMs: 5000 };
  assert.equal(isMoving(a, 0), false);
  assert.equal(isMoving(a, 10_000), true);
  assert.equal(isMoving({ ...a, offsetMs: -1000 }, 500), false);
});

Deno.test("checkActivity() refuses durations that are not positive", () => {
  assert.throws(() => checkActivity({ moveMs: 0, stillMs: 1 }), /moveMs must be above 0: "0"/);
  assert.throws(() => checkActivity({ moveMs: 1, stillMs: NaN }), /stillMs must be above 0: "NaN"/);
});
