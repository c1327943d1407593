import assert from "node:assert/strict";
import { RateWindow } from "./rate_window.ts";

function near(actual: number, expected: number, tolerance: number) {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${actual} is not within ${tolerance} of ${expected}`,
  );
}

/** Feeds `fps` frames of `bytes` per second from `from` for `durationMs`; returns the end. */
function feed(w: RateWindow, from: number, durationMs: number, fps: number, bytes: number) {
  const step = 1000 / fps;
  let t = from;
  for (; t < from + durationMs; t += step) w.add(t, bytes);
  return from + durationMs;
}

Deno.test("RateWindow reads 0 before any frame", () => {
  const w = new RateWindow();
  assert.equal(w.fps(1_000_000), 0);
  assert.equal(w.kbps(1_000_000), 0);
});

Deno.test("RateWindow.fps() reads a steady 15 fps over a full window", () => {
  const w = new RateWindow(5000, 250);
  const end = feed(w, 1_700_000_000_000, 20_000, 15, 50_000);
  near(w.fps(end), 15, 0.8);
});

Deno.test("RateWindow.kbps() reads 15 fps of 50000 bytes as 6000 kbit/s", () => {
  const w = new RateWindow(5000, 250);
  const end = feed(w, 1_700_000_000_000, 20_000, 15, 50_000);
  near(w.kbps(end), 6000, 320);
});

Deno.test("RateWindow.fps() reads ~15 for a camera that started 1 s ago at 15 fps", () => {
  const w = new RateWindow(5000, 250);
  const start = 1_700_000_000_100;
  const end = feed(w, start, 1000, 15, 1000);
  near(w.fps(end), 15, 0.5);
  near(w.kbps(end), 120, 4);
});

Deno.test("RateWindow.fps() divides a lone first frame by one bucket, not by zero", () => {
  const w = new RateWindow(5000, 250);
  w.add(1000, 100);
  assert.equal(w.fps(1000), 4);
  assert.equal(w.kbps(1000), 3.2);
});

Deno.test("RateWindow.fps() decays to 0 once the window has passed without frames", () => {
  const w = new RateWindow(5000, 250);
  const end = feed(w, 0, 10_000, 10, 100);
  near(w.fps(end), 10, 0.5);
  const mid = w.fps(end + 2500);
  near(mid, 5, 0.6);
  assert.equal(w.fps(end + 5000), 0);
  assert.equal(w.fps(end + 60_000), 0);
});

Deno.test("RateWindow.add() reuses a slot after a gap longer than the window", () => {
  const w = new RateWindow(1000, 250);
  for (let i = 0; i < 4; i++) w.add(i * 250, 10);
  // 4000 ms later every slot is stale; the new frame lands in a slot that held an old count.
  w.add(4000, 10);
  // One frame over the full window (span 750 ms + the 0 ms into the current bucket).
  assert.equal(w.fps(4000), 1000 / 750);
});

Deno.test("RateWindow.fps() follows a rate change within one window", () => {
  const w = new RateWindow(2000, 100);
  const t = feed(w, 0, 10_000, 20, 100);
  near(w.fps(t), 20, 1);
  const t2 = feed(w, t, 2000, 5, 100);
  near(w.fps(t2), 5, 0.6);
});

Deno.test("RateWindow.reset() forgets frames and the start time", () => {
  const w = new RateWindow();
  feed(w, 0, 3000, 30, 100);
  w.reset();
  assert.equal(w.fps(3000), 0);
  w.add(3000, 100);
  w.add(3100, 100);
  // Two frames over the 250 ms minimum, as after a fresh start.
  assert.equal(w.fps(3100), 8);
});

Deno.test("RateWindow ignores frames from a clock that jumped forward, once they are stale", () => {
  const w = new RateWindow(1000, 250);
  w.add(10_000, 10);
  w.add(10_100, 10);
  assert.equal(w.fps(5_000), 0, "buckets newer than now do not count");
});

Deno.test("RateWindow rejects a window shorter than a bucket and a zero bucket", () => {
  assert.throws(() => new RateWindow(100, 250), RangeError);
  assert.throws(() => new RateWindow(1000, 0), RangeError);
  assert.throws(() => new RateWindow(Infinity, 250), RangeError);
});
