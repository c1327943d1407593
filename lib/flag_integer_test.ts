import assert from "node:assert/strict";
import { flagInteger } from "./flag_integer.ts";
import { UsageError } from "./usage_error.ts";

Deno.test("flagInteger() takes the default when absent and whole numbers within bounds", () => {
  assert.equal(flagInteger("fps", undefined, 5, 1, 30), 5);
  assert.equal(flagInteger("fps", "1", 5, 1, 30), 1);
  assert.equal(flagInteger("fps", "30", 5, 1, 30), 30);
});

Deno.test("flagInteger() refuses fractions, signs, words and values out of bounds", () => {
  for (const raw of ["0", "31", "1.5", "-1", "+2", "ten", "", " 3"]) {
    assert.throws(
      () => flagInteger("fps", raw, 5, 1, 30),
      (err) =>
        err instanceof UsageError &&
        err.message === `Invalid --fps: "${raw}": must be an integer from 1 to 30`,
      raw,
    );
  }
});
