import assert from "node:assert/strict";
import { Pacer, parseSpeed } from "./playback_pace.ts";

Deno.test("parseSpeed() takes 0.25 to 16, 1 by default, and quotes anything else", () => {
  assert.equal(parseSpeed(null), 1);
  assert.equal(parseSpeed("0.25"), 0.25);
  assert.equal(parseSpeed("16"), 16);
  assert.equal(parseSpeed("2.5"), 2.5);
  for (const bad of ["0.2", "17", "fast", "", "NaN", "Infinity", "-1"]) {
    assert.throws(() => parseSpeed(bad), {
      code: "TC_ERR_BAD_SPEED",
      message: `Invalid speed: "${bad}": expected a number from 0.25 to 16`,
    }, bad);
  }
});

Deno.test("Pacer.delay() spaces frames by their recorded intervals divided by the speed", () => {
  const p = new Pacer(4);
  assert.equal(p.delay(10_000, 500), 0);
  // 400 ms later in the recording is 100 ms later at 4x.
  assert.equal(p.delay(10_400, 500), 100);
  assert.equal(p.delay(10_400, 560), 40);
  assert.equal(p.delay(10_800, 700), 0);
  const slow = new Pacer(0.5);
  slow.delay(0, 0);
  assert.equal(slow.delay(100, 0), 200);
});

Deno.test("Pacer.delay() re-anchors after a reader fell behind, instead of bursting", () => {
  const p = new Pacer(1, 1000);
  p.delay(0, 0);
  assert.equal(p.delay(100, 900), 0); // 800 ms late: still on the schedule, sent at once
  assert.equal(p.delay(200, 5000), 0); // 4.8 s late: new anchor
  assert.equal(p.delay(300, 5000), 100); // then the recorded pace again
});
