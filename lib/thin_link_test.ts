import assert from "node:assert/strict";
import { TrustcamError } from "./errors.ts";
import {
  highestFps,
  parseStreamOptions,
  RateGate,
  sameStreamOptions,
  streamKey,
} from "./thin_link.ts";

function rejects(fn: () => unknown, message: string) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof TrustcamError, `expected a TrustcamError, got ${err}`);
    assert.equal(err.code, "TC_ERR_BAD_CONTROL");
    assert.equal(err.message, message);
    return true;
  });
}

Deno.test("parseStreamOptions() defaults to full size without a cap", () => {
  assert.deepEqual(parseStreamOptions(undefined, undefined), { size: "full" });
  assert.deepEqual(parseStreamOptions("tile", undefined), { size: "tile" });
  assert.deepEqual(parseStreamOptions("full", 30), { size: "full", maxFps: 30 });
  assert.deepEqual(parseStreamOptions("tile", 1), { size: "tile", maxFps: 1 });
});

Deno.test("parseStreamOptions() takes the URL's strings when fromText", () => {
  assert.deepEqual(parseStreamOptions("tile", "5", true), { size: "tile", maxFps: 5 });
  rejects(
    () => parseStreamOptions("tile", "5"),
    'Invalid maxFps: "5": must be an integer from 1 to 30',
  );
  rejects(
    () => parseStreamOptions(undefined, "5.5", true),
    'Invalid maxFps: "5.5": must be an integer from 1 to 30',
  );
  rejects(
    () => parseStreamOptions(undefined, "", true),
    'Invalid maxFps: "": must be an integer from 1 to 30',
  );
});

Deno.test("parseStreamOptions() refuses bad values naming them", () => {
  rejects(
    () => parseStreamOptions("huge", undefined),
    'Invalid size: "huge": must be "full" or "tile"',
  );
  rejects(
    () => parseStreamOptions(320, undefined),
    'Invalid size: "320": must be "full" or "tile"',
  );
  const cases: Array<[unknown, string]> = [
    [0, "0"],
    [31, "31"],
    [2.5, "2.5"],
    [-1, "-1"],
    [null, "null"],
    [true, "true"],
    ["5", "5"],
    [Infinity, "null"],
  ];
  for (const [bad, shown] of cases) {
    rejects(
      () => parseStreamOptions("tile", bad),
      `Invalid maxFps: "${shown}": must be an integer from 1 to 30`,
    );
  }
});

Deno.test("sameStreamOptions() and streamKey() tell streams apart", () => {
  assert.ok(sameStreamOptions({ size: "tile", maxFps: 5 }, { size: "tile", maxFps: 5 }));
  assert.ok(!sameStreamOptions({ size: "tile" }, { size: "tile", maxFps: 5 }));
  assert.ok(!sameStreamOptions({ size: "tile" }, { size: "full" }));
  assert.equal(streamKey({ size: "full" }), "full");
  assert.equal(streamKey({ size: "tile", maxFps: 5 }), "tile@5");
});

Deno.test("highestFps() is the highest cap, none when any viewer has none", () => {
  assert.equal(highestFps([5, 10, 2]), 10);
  assert.equal(highestFps([5, undefined]), undefined);
  assert.equal(highestFps([]), undefined);
});

Deno.test("RateGate.admit() passes every frame without a cap", () => {
  const gate = new RateGate();
  for (let t = 0; t < 100; t += 10) assert.ok(gate.admit(t));
  assert.equal(gate.maxFps, undefined);
});

Deno.test("RateGate.admit() passes every third frame of 15 fps capped to 5", () => {
  const gate = new RateGate(5);
  const passed: number[] = [];
  // 15 fps with a few ms of jitter either way.
  for (let i = 0; i < 30; i++) {
    const t = i * (1000 / 15) + (i % 2 === 0 ? 3 : -3);
    if (gate.admit(t)) passed.push(i);
  }
  assert.deepEqual(passed, [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
});

Deno.test("RateGate.admit() skips what comes early and never makes up for it later", () => {
  const gate = new RateGate(10);
  assert.ok(gate.admit(0));
  assert.ok(!gate.admit(50));
  assert.ok(gate.admit(100));
  // A gap: the next frame passes and the grid restarts from it, no burst to catch up.
  assert.ok(gate.admit(1000));
  assert.ok(!gate.admit(1010));
  assert.ok(!gate.admit(1050));
  assert.ok(gate.admit(1100));
});

Deno.test("RateGate.admit() never passes more than the cap over a long run", () => {
  const gate = new RateGate(7);
  let passed = 0;
  // 30 fps for 10 s.
  for (let i = 0; i < 300; i++) if (gate.admit(i * (1000 / 30))) passed++;
  assert.ok(passed <= 71 && passed >= 65, `passed ${passed}`);
});

Deno.test("RateGate.setMaxFps() changes the cap and lets the next frame through", () => {
  const gate = new RateGate(1);
  assert.ok(gate.admit(0));
  assert.ok(!gate.admit(100));
  gate.setMaxFps(undefined);
  assert.ok(gate.admit(110));
  gate.setMaxFps(2);
  assert.equal(gate.maxFps, 2);
  assert.ok(gate.admit(120));
  assert.ok(!gate.admit(300));
  assert.throws(() => gate.setMaxFps(0), RangeError);
});
