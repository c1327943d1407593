import assert from "node:assert/strict";
import { MotionEventMachine } from "./motion_events.ts";
import type { MotionSample } from "./motion_model.ts";

// Binary fractions, so unions are exact.
const BOX = { x: 0.125, y: 0.25, w: 0.125, h: 0.125 };

function sample(at: number, score: number, box = BOX): MotionSample {
  return { at, motion: score >= 0.01, score, box: score > 0 ? box : undefined, reseeded: false };
}

Deno.test("MotionEventMachine starts after startFrames motion samples, dated by the first", () => {
  const m = new MotionEventMachine<string>({ startFrames: 3, startScore: 0.5 });
  assert.equal(m.update(sample(0, 0.02), "a"), undefined);
  assert.equal(m.update(sample(200, 0.03), "b"), undefined);
  const start = m.update(sample(400, 0.02), "c");
  assert.deepEqual(start, {
    state: "start",
    startedAt: 0,
    peakScore: 0.03,
    peakAt: 200,
    peakBox: BOX,
    box: BOX,
    peakRef: "b",
  });
  assert.equal(m.active, true);
});

Deno.test("MotionEventMachine ignores a blip: a still sample resets the run", () => {
  const m = new MotionEventMachine<number>({ startFrames: 2 });
  const got = [
    m.update(sample(0, 0.02), 0),
    m.update(sample(200, 0), 1),
    m.update(sample(400, 0.02), 2),
    m.update(sample(600, 0), 3),
  ];
  assert.deepEqual(got, [undefined, undefined, undefined, undefined]);
  assert.equal(m.active, false);
});

Deno.test("MotionEventMachine starts at once on a score of startScore", () => {
  const m = new MotionEventMachine<number>({ startFrames: 5, startScore: 0.2 });
  assert.equal(m.update(sample(0, 0.25), 0)?.state, "start");
});

Deno.test("MotionEventMachine bridges gaps shorter than endAfterMs, one event for one walk", () => {
  const m = new MotionEventMachine<number>({ startFrames: 1, endAfterMs: 1_000 });
  const b2 = { x: 0.5, y: 0.5, w: 0.25, h: 0.125 };
  const got = [
    m.update(sample(0, 0.02), 0),
    m.update(sample(200, 0), 1),
    m.update(sample(900, 0), 2), // 1000 ms after the last motion would end it
    m.update(sample(1_100, 0.04, b2), 3),
    m.update(sample(1_300, 0), 4),
    m.update(sample(2_000, 0), 5), // 900 ms after the last motion
    m.update(sample(2_100, 0), 6),
  ].map((t) => t?.state);
  assert.deepEqual(got, ["start", undefined, undefined, undefined, undefined, undefined, "end"]);
});

Deno.test("MotionEventMachine's end carries the last motion time, the peak and the union box", () => {
  const m = new MotionEventMachine<string>({ startFrames: 1, endAfterMs: 1_000 });
  const b2 = { x: 0.5, y: 0.5, w: 0.25, h: 0.125 };
  m.update(sample(0, 0.02), "a");
  m.update(sample(200, 0.04, b2), "b");
  m.update(sample(400, 0.03), "c");
  const end = m.update(sample(1_400, 0), "d");
  assert.deepEqual(end, {
    state: "end",
    startedAt: 0,
    endedAt: 400,
    peakScore: 0.04,
    peakAt: 200,
    peakBox: b2,
    box: { x: 0.125, y: 0.25, w: 0.625, h: 0.375 },
    peakRef: "b",
  });
  assert.equal(m.active, false);
});

Deno.test("MotionEventMachine.idle() ends an event whose camera went quiet; finish() at once", () => {
  const m = new MotionEventMachine<number>({ startFrames: 1, endAfterMs: 1_000 });
  m.update(sample(0, 0.02), 0);
  assert.equal(m.idle(999), undefined);
  assert.equal(m.idle(1_000)?.endedAt, 0);
  assert.equal(m.idle(5_000), undefined, "ends once");
  m.update(sample(6_000, 0.02), 1);
  assert.deepEqual(m.finish()?.state, "end");
  assert.equal(m.finish(), undefined);
  assert.equal(m.active, false);
});
