import assert from "node:assert/strict";
import { TrustcamError } from "./errors.ts";
import { parseInstant, parseRange, requireInstant } from "./time_param.ts";

const T = Date.UTC(2026, 10, 27, 14, 0, 0);

Deno.test("parseInstant() reads ISO 8601 and epoch milliseconds", () => {
  assert.equal(parseInstant("at", String(T)), T);
  assert.equal(parseInstant("at", "2026-11-27T14:00:00Z"), T);
  assert.equal(parseInstant("at", "2026-11-27T14:00:00.250Z"), T + 250);
  assert.equal(parseInstant("at", "2026-11-27T15:00:00+01:00"), T);
  assert.equal(parseInstant("at", "2026-11-27T14:00"), T, "no zone is UTC");
  assert.equal(parseInstant("at", "0"), 0);
});

Deno.test("parseInstant() refuses anything else, naming the parameter and quoting the value", () => {
  for (
    const bad of [
      "",
      "yesterday",
      "-5",
      "1e12",
      "2026-11-27",
      "2026-13-40T00:00:00Z",
      "9".repeat(16),
    ]
  ) {
    assert.throws(() => parseInstant("from", bad), (err: unknown) => {
      assert.ok(err instanceof TrustcamError);
      assert.equal(err.code, "TC_ERR_BAD_TIME");
      assert.ok(err.message.startsWith(`Invalid from: ${JSON.stringify(bad)}`), err.message);
      return true;
    });
  }
});

Deno.test("requireInstant() refuses a missing parameter", () => {
  assert.throws(() => requireInstant(new URLSearchParams(), "at"), {
    code: "TC_ERR_BAD_TIME",
    message: "Missing at",
  });
  assert.equal(requireInstant(new URLSearchParams({ at: "5" }), "at"), 5);
});

Deno.test("parseRange() defaults to the span before now and refuses a reversed range", () => {
  assert.deepEqual(parseRange(new URLSearchParams(), 1000, 100), { from: 900, to: 1000 });
  assert.deepEqual(parseRange(new URLSearchParams({ to: "500" }), 1000, 100), {
    from: 400,
    to: 500,
  });
  assert.deepEqual(parseRange(new URLSearchParams({ from: "5", to: "5" }), 0, 1), {
    from: 5,
    to: 5,
  });
  assert.throws(() => parseRange(new URLSearchParams({ from: "6", to: "5" }), 0, 1), {
    code: "TC_ERR_BAD_RANGE",
    message: 'Invalid range: from "6" is after to "5"',
  });
  assert.throws(() => parseRange(new URLSearchParams({ from: "x" }), 0, 1), {
    code: "TC_ERR_BAD_TIME",
  });
});
