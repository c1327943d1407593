import assert from "node:assert/strict";
import {
  barMarks,
  barSpans,
  DAY_MS,
  defaultWindow,
  follow,
  followsNow,
  formatPlayhead,
  formatSpan,
  fractionToTime,
  HOUR_MS,
  MAX_SPAN_MS,
  MIN_SPAN_MS,
  MINUTE_MS,
  pan,
  parseRanges,
  pointerTime,
  reveal,
  seekTarget,
  ticks,
  timeToFraction,
  zoom,
} from "./timeline.ts";

const NOW = Date.UTC(2026, 10, 27, 15, 0, 0);
const UTC = () => 0;

Deno.test("defaultWindow() is the last 24 h and follows now", () => {
  const w = defaultWindow(NOW);
  assert.deepEqual(w, { from: NOW - DAY_MS, to: NOW });
  assert.equal(followsNow(w, NOW + 30_000), true);
  assert.deepEqual(follow(w, NOW + 30_000), { from: NOW + 30_000 - DAY_MS, to: NOW + 30_000 });
  // A window the viewer moved back stays where it is.
  const back = pan(w, -HOUR_MS, NOW);
  assert.equal(follow(back, NOW + 30_000), back);
});

Deno.test("timeToFraction() and fractionToTime() are inverse and clamp to the bar", () => {
  const w = { from: 1000, to: 11_000 };
  assert.equal(timeToFraction(w, 6000), 0.5);
  assert.equal(fractionToTime(w, 0.5), 6000);
  assert.equal(timeToFraction(w, 0), 0);
  assert.equal(timeToFraction(w, 20_000), 1);
  assert.equal(fractionToTime(w, -1), 1000);
  assert.equal(fractionToTime(w, 2), 11_000);
  // A pointer 25 px into a 100 px bar that starts at x = 50.
  assert.equal(pointerTime(w, 75, 50, 100), 3500);
  assert.equal(pointerTime(w, 75, 50, 0), 1000);
});

Deno.test("zoom() keeps the point under the pointer in place and stays within its limits", () => {
  const w = defaultWindow(NOW);
  const center = NOW - 6 * HOUR_MS; // three quarters across
  const z = zoom(w, 0.5, center, NOW);
  assert.equal(z.to - z.from, 12 * HOUR_MS);
  assert.equal(timeToFraction(z, center), 0.75);
  // Zooming out from the right edge cannot run past now.
  const out = zoom(z, 8, NOW - 4 * HOUR_MS, NOW);
  assert.equal(out.to, NOW);
  assert.equal(out.to - out.from, 4 * DAY_MS);
  assert.equal(spanOf(zoom(w, 1e-9, center, NOW)), MIN_SPAN_MS);
  assert.equal(spanOf(zoom(w, 1e9, center, NOW)), MAX_SPAN_MS);
});

function spanOf(w: { from: number; to: number }) {
  return w.to - w.from;
}

Deno.test("pan() moves the window and never past now; reveal() brings a time into view", () => {
  const w = { from: NOW - 2 * HOUR_MS, to: NOW - HOUR_MS };
  assert.deepEqual(pan(w, -HOUR_MS, NOW), { from: NOW - 3 * HOUR_MS, to: NOW - 2 * HOUR_MS });
  assert.deepEqual(pan(w, 5 * HOUR_MS, NOW), { from: NOW - HOUR_MS, to: NOW });
  assert.equal(reveal(w, NOW - 90 * MINUTE_MS, NOW), w);
  const r = reveal(w, NOW - 50 * MINUTE_MS, NOW);
  assert.equal(spanOf(r), HOUR_MS);
  assert.equal(timeToFraction(r, NOW - 50 * MINUTE_MS), 0.9);
  const l = reveal(w, NOW - 5 * HOUR_MS, NOW);
  assert.ok(Math.abs(timeToFraction(l, NOW - 5 * HOUR_MS) - 0.1) < 1e-9);
});

Deno.test("barSpans() cuts ranges to the window, in percent, with a visible minimum width", () => {
  const w = { from: 0, to: 100_000 };
  const spans = barSpans(w, [
    { from: -50_000, to: 10_000 }, // starts before the window
    { from: 40_000, to: 60_000 },
    { from: 70_000, to: 70_000 }, // one frame
    { from: 99_990, to: 99_999 }, // tiny, at the right edge
    { from: 150_000, to: 160_000 }, // after the window
  ]);
  assert.deepEqual(spans.map((s) => [s.from, s.to]), [
    [0, 10_000],
    [40_000, 60_000],
    [70_000, 70_000],
    [99_990, 99_999],
  ]);
  assert.deepEqual(spans[0], { from: 0, to: 10_000, left: 0, width: 10 });
  assert.deepEqual(spans[1], { from: 40_000, to: 60_000, left: 40, width: 20 });
  assert.equal(spans[2].width, 0.25);
  assert.equal(spans[3].left + spans[3].width, 100);
});

Deno.test("barMarks() places marks inside the window", () => {
  const w = { from: 0, to: 1000 };
  assert.deepEqual(barMarks(w, [{ at: 250, label: "motion" }, { at: 2000, label: "later" }]), [
    { at: 250, label: "motion", left: 25 },
  ]);
});

Deno.test("seekTarget() keeps a recorded time and moves a gap to the next recording", () => {
  const ranges = [{ from: 100, to: 200 }, { from: 500, to: 600 }];
  assert.equal(seekTarget(ranges, 150), 150);
  assert.equal(seekTarget(ranges, 300), 500);
  assert.equal(seekTarget(ranges, 50), 100);
  assert.equal(seekTarget(ranges, 700), undefined);
});

Deno.test("ticks() fall on round local times with HH:MM labels and dates at midnight", () => {
  const w = defaultWindow(NOW); // 26 Nov 15:00 to 27 Nov 15:00 UTC
  const t = ticks(w, 8, UTC);
  assert.equal(t.length, 9); // every 3 h: 15:00, 18:00, 21:00, midnight, ..., 15:00
  assert.deepEqual(t.map((x) => x.label), [
    "15:00",
    "18:00",
    "21:00",
    "27 Nov",
    "03:00",
    "06:00",
    "09:00",
    "12:00",
    "15:00",
  ]);
  assert.deepEqual(t.map((x) => x.major), [
    false,
    false,
    false,
    true,
    false,
    false,
    false,
    false,
    false,
  ]);
  assert.equal(t[0].left, 0);
  assert.equal(t[4].left, 50);
  // In a zone 1 h east of UTC, ticks fall on its round hours.
  const cet = ticks({ from: NOW, to: NOW + 10 * MINUTE_MS }, 10, () => HOUR_MS);
  assert.deepEqual(cet.map((x) => x.label), [
    "16:00",
    "16:01",
    "16:02",
    "16:03",
    "16:04",
    "16:05",
    "16:06",
    "16:07",
    "16:08",
    "16:09",
    "16:10",
  ]);
  // A narrow bar gets fewer, coarser ticks.
  assert.deepEqual(ticks({ from: NOW, to: NOW + 10 * MINUTE_MS }, 3, UTC).map((x) => x.label), [
    "15:00",
    "15:05",
    "15:10",
  ]);
});

Deno.test("formatPlayhead() shows the local time, with the date when not today", () => {
  assert.equal(formatPlayhead(NOW - 3_723_000, NOW, UTC), "13:57:57");
  assert.equal(formatPlayhead(NOW - DAY_MS, NOW, UTC), "26 Nov 15:00:00");
  // 15:00 UTC is 01:00 the next day ten hours east, where it is still 27 Nov 23:00 for `now`.
  assert.equal(formatPlayhead(NOW, NOW - 2 * HOUR_MS, () => 10 * HOUR_MS), "28 Nov 01:00:00");
});

Deno.test("formatSpan() names a window's span", () => {
  assert.equal(formatSpan(DAY_MS), "24 h");
  assert.equal(formatSpan(2 * DAY_MS), "2 d");
  assert.equal(formatSpan(90 * MINUTE_MS), "1.5 h");
  assert.equal(formatSpan(30 * MINUTE_MS), "30 min");
});

Deno.test("parseRanges() reads the recordings answer and leaves out what it cannot read", () => {
  assert.deepEqual(
    parseRanges([
      { from: "2026-11-27T14:00:00.000Z", to: "2026-11-27T14:05:00.000Z", frames: 4500, bytes: 9 },
      { from: "2026-11-27T14:10:00.000Z", to: "2026-11-27T14:00:00.000Z", frames: 1 },
      { from: "soon", to: "2026-11-27T14:05:00.000Z" },
      null,
    ]),
    [{ from: NOW - HOUR_MS, to: NOW - 55 * MINUTE_MS, frames: 4500 }],
  );
  assert.deepEqual(parseRanges(undefined), []);
});
