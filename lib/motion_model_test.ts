import assert from "node:assert/strict";
import { MotionModel } from "./motion_model.ts";
import { MotionEventMachine, type MotionTransition } from "./motion_events.ts";
import { DEFAULT_MOTION_SETTINGS, type MotionSettings } from "./motion_settings.ts";
import { type SceneFrame, sceneLuma } from "../harness/motion_scene.ts";

const W = 80;
const H = 60;
const INTERVAL = 200; // 5 fps
const T0 = 1_800_000_000_000;

/** Runs `count` frames at 5 fps through a model and an event machine; returns the events. */
function run(
  count: number,
  frame: (i: number) => Omit<SceneFrame, "index">,
  settings: MotionSettings = DEFAULT_MOTION_SETTINGS,
): MotionTransition<number>[] {
  const model = new MotionModel();
  const events = new MotionEventMachine<number>();
  const out: MotionTransition<number>[] = [];
  for (let i = 0; i < count; i++) {
    const at = T0 + i * INTERVAL;
    const sample = model.analyze(sceneLuma({ ...frame(i), index: i }), at, settings);
    const t = events.update(sample, i);
    if (t) out.push(t);
  }
  return out;
}

/** A 10 px square that appears at frame 15, crosses left to right, and is gone from frame 35. */
function crossing(i: number): SceneFrame["square"] {
  if (i < 15 || i >= 35) return undefined;
  return { x: 5 + (i - 15) * 3, y: 25, size: 10 };
}

Deno.test("MotionModel.analyze() finds nothing in a still scene with sensor noise", () => {
  const model = new MotionModel();
  for (let i = 0; i < 50; i++) {
    const s = model.analyze(
      sceneLuma({ width: W, height: H, index: i, noise: 8 }),
      T0 + i * INTERVAL,
      DEFAULT_MOTION_SETTINGS,
    );
    assert.equal(s.reseeded, i === 0, `frame ${i}`);
    assert.equal(s.motion, false, `frame ${i}`);
    assert.equal(s.score, 0, `frame ${i}`);
  }
});

Deno.test("MotionModel.analyze() scores a square by its area and boxes it", () => {
  const model = new MotionModel();
  model.analyze(sceneLuma({ width: W, height: H, index: 0 }), T0, DEFAULT_MOTION_SETTINGS);
  const s = model.analyze(
    sceneLuma({ width: W, height: H, index: 1, square: { x: 20, y: 10, size: 10 } }),
    T0 + INTERVAL,
    DEFAULT_MOTION_SETTINGS,
  );
  assert.equal(s.motion, true);
  assert.equal(s.score, 100 / (W * H));
  assert.deepEqual(s.box, { x: 20 / W, y: 10 / H, w: 10 / W, h: 10 / H });
});

Deno.test("a square crossing a noisy still scene is exactly one event with its start and end", () => {
  const events = run(80, (i) => ({ width: W, height: H, noise: 8, square: crossing(i) }));
  assert.deepEqual(events.map((e) => e.state), ["start", "end"]);
  const [start, end] = events;
  // The square is in frames 15..34: the event spans them to within one analysis interval.
  assert.ok(Math.abs(start.startedAt - (T0 + 15 * INTERVAL)) <= INTERVAL, "start");
  assert.ok(Math.abs(end.endedAt! - (T0 + 34 * INTERVAL)) <= INTERVAL, "end");
  assert.equal(end.startedAt, start.startedAt);
  // The union box covers the path (x 5..72, y 25..34), the peak box one square.
  const box = end.box;
  assert.ok(box.x <= 5 / W && box.x + box.w >= 72 / W, `box x ${JSON.stringify(box)}`);
  assert.ok(box.y <= 25 / H && box.y + box.h >= 35 / H, `box y ${JSON.stringify(box)}`);
  assert.ok(end.peakBox.w <= 14 / W, `peak box ${JSON.stringify(end.peakBox)}`);
  assert.ok(end.peakScore >= 90 / (W * H), `peak ${end.peakScore}`);
  assert.ok(end.peakRef >= 15 && end.peakRef < 35, "peakRef is a frame with the square");
});

Deno.test("a mask rectangle suppresses the motion inside it, and only there", () => {
  const mask = [{ x: 0, y: 0.3, w: 1, h: 0.4 }]; // rows 18..41 of 60 hold the square's path
  const masked = { ...DEFAULT_MOTION_SETTINGS, mask };
  assert.deepEqual(run(80, (i) => ({ width: W, height: H, square: crossing(i) }), masked), []);
  // Normalized, so the same mask holds at another resolution.
  const big = (i: number) => {
    const sq = crossing(i);
    return {
      width: 2 * W,
      height: 2 * H,
      square: sq && { x: 2 * sq.x, y: 2 * sq.y, size: 2 * sq.size },
    };
  };
  assert.deepEqual(run(80, big, masked), []);
  // The same square below the mask is seen.
  const below = (i: number) => {
    const sq = crossing(i);
    return { width: W, height: H, square: sq && { ...sq, y: 45 } };
  };
  assert.deepEqual(run(80, below, masked).map((e) => e.state), ["start", "end"]);
});

Deno.test("a global brightness step (exposure, lights on) produces no event at all", () => {
  // Lights on at frame 20: brighter and with an offset, some highlights clipping at 255.
  const lightsOn = (i: number) => ({
    width: W,
    height: H,
    noise: 6,
    gain: i < 20 ? 1 : 1.6,
    offset: i < 20 ? 0 : 15,
  });
  assert.deepEqual(run(60, lightsOn), []);
  // Auto-exposure settling over a second, then lights off.
  const ramp = (i: number) => ({
    width: W,
    height: H,
    noise: 6,
    gain: i < 20 ? 1 : i < 25 ? 1 - (i - 19) * 0.08 : i < 40 ? 0.6 : 1,
  });
  assert.deepEqual(run(60, ramp), []);
});

Deno.test("a lamp lighting part of the room is at most one event, and a short one", () => {
  for (const [part, k] of [[0.25, 1.8], [0.7, 1.8], [0.4, 2.5]]) {
    const model = new MotionModel();
    const machine = new MotionEventMachine<number>();
    const events: MotionTransition<number>[] = [];
    for (let i = 0; i < 150; i++) {
      const img = sceneLuma({ width: W, height: H, index: i, noise: 6 });
      if (i >= 20) {
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W * part; x++) {
            img.luma[y * W + x] = Math.min(255, img.luma[y * W + x] * k);
          }
        }
      }
      const t = machine.update(model.analyze(img, T0 + i * INTERVAL, DEFAULT_MOTION_SETTINGS), i);
      if (t) events.push(t);
    }
    assert.ok(events.length === 0 || events.length === 2, `${part}: ${events.length} transitions`);
    // The background learns the lit part within a few foreground time constants (10 s).
    const end = events[1];
    if (end) assert.ok(end.endedAt! - end.startedAt <= 8_000, `${part}: lasted too long`);
  }
});

Deno.test("a scene change the brightness ratio cannot explain re-seeds the background", () => {
  const model = new MotionModel();
  model.analyze(sceneLuma({ width: W, height: H, index: 0 }), T0, DEFAULT_MOTION_SETTINGS);
  const flipped = sceneLuma({ width: W, height: H, index: 1 });
  flipped.luma.reverse(); // same mean, different picture everywhere
  const s = model.analyze(flipped, T0 + INTERVAL, DEFAULT_MOTION_SETTINGS);
  assert.deepEqual([s.reseeded, s.motion], [true, false]);
  const after = model.analyze(flipped, T0 + 2 * INTERVAL, DEFAULT_MOTION_SETTINGS);
  assert.deepEqual([after.reseeded, after.motion, after.score], [false, false, 0]);
});

Deno.test("noise below the sensitivity's threshold never counts; speckle above it is filtered", () => {
  // Threshold 31 at the default sensitivity 50: noise of ±20 stays below it.
  assert.deepEqual(run(60, () => ({ width: W, height: H, noise: 20 })), []);
  // Isolated hot pixels far above the threshold are speckle, not motion.
  const model = new MotionModel();
  model.analyze(sceneLuma({ width: W, height: H, index: 0 }), T0, DEFAULT_MOTION_SETTINGS);
  const hot = sceneLuma({ width: W, height: H, index: 1 });
  for (let i = 0; i < hot.luma.length; i += 37) hot.luma[i] = 255;
  const s = model.analyze(hot, T0 + INTERVAL, DEFAULT_MOTION_SETTINGS);
  assert.deepEqual([s.motion, s.score], [false, 0]);
});

Deno.test("MotionModel.analyze() re-seeds on a new size and refuses a bad picture", () => {
  const model = new MotionModel();
  assert.equal(
    model.analyze(sceneLuma({ width: W, height: H, index: 0 }), T0, DEFAULT_MOTION_SETTINGS)
      .reseeded,
    true,
  );
  const other = sceneLuma({ width: 64, height: 48, index: 1 });
  assert.equal(model.analyze(other, T0 + INTERVAL, DEFAULT_MOTION_SETTINGS).reseeded, true);
  assert.throws(
    () =>
      model.analyze({ width: 4, height: 4, luma: new Uint8Array(15) }, T0, DEFAULT_MOTION_SETTINGS),
    /Luma length 15 does not match 4x4/,
  );
});
