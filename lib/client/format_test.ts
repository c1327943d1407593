import assert from "node:assert/strict";
import {
  agoSince,
  formatAge,
  formatAgo,
  formatBytes,
  formatClock,
  formatDuration,
  formatFps,
  formatFrameAge,
  formatRssi,
} from "./format.ts";

Deno.test("formatAgo() reads like a person would say it", () => {
  assert.equal(formatAgo(0), "just now");
  assert.equal(formatAgo(-5), "just now");
  assert.equal(formatAgo(12_400), "12 s ago");
  assert.equal(formatAgo(3 * 60_000 + 59_000), "3 min ago");
  assert.equal(formatAgo(5 * 3_600_000), "5 h ago");
  assert.equal(formatAgo(50 * 3_600_000), "2 days ago");
});

Deno.test("agoSince() says never without a date", () => {
  const now = Date.parse("2026-01-01T00:03:00Z");
  assert.equal(agoSince("2026-01-01T00:00:00Z", now), "3 min ago");
  assert.equal(agoSince(null, now), "never");
  assert.equal(agoSince("garbage", now), "never");
});

Deno.test("formatDuration(), formatBytes(), formatRssi() and formatFps() format device figures", () => {
  assert.equal(formatDuration(42), "42 s");
  assert.equal(formatDuration(185), "3 min 5 s");
  assert.equal(formatDuration(4 * 3600 + 120), "4 h 2 min");
  assert.equal(formatDuration(3 * 86400 + 4 * 3600), "3 d 4 h");
  assert.equal(formatDuration(-1), "–");
  assert.equal(formatBytes(980), "980 B");
  assert.equal(formatBytes(151234), "147.7 KiB");
  assert.equal(formatBytes(3981234), "3.8 MiB");
  assert.equal(formatRssi(-61), "-61 dBm (good)");
  assert.equal(formatRssi(-80), "-80 dBm (weak)");
  assert.equal(formatRssi(0), "0 dBm (wired or simulated)");
  assert.equal(formatFps(14.94), "14.9 fps");
  assert.equal(formatFps(-0), "0.0 fps");
});

Deno.test("formatAge() shows milliseconds while live and a duration once old", () => {
  assert.equal(formatAge(33.6), "34 ms");
  assert.equal(formatAge(9_999), "9999 ms");
  assert.equal(formatAge(185_000), "3 min 5 s");
  assert.equal(formatAge(-3), "0 ms");
});

Deno.test("formatFrameAge() says ms while live, then s, min and h", () => {
  assert.equal(formatFrameAge(33.6), "34 ms");
  assert.equal(formatFrameAge(999), "999 ms");
  assert.equal(formatFrameAge(7_947), "7 s");
  assert.equal(formatFrameAge(59_999), "59 s");
  assert.equal(formatFrameAge(185_000), "3 min 5 s");
  assert.equal(formatFrameAge(2 * 3_600_000 + 4 * 60_000), "2 h 4 min");
  assert.equal(formatFrameAge(-3), "0 ms");
  assert.equal(formatFrameAge(NaN), "0 ms");
});

Deno.test("formatClock() gives the time of day, with the date on another day", () => {
  const at = new Date(2026, 10, 27, 14, 5, 9).getTime();
  assert.equal(formatClock(at), "14:05:09");
  assert.equal(formatClock(at, at + 3_600_000), "14:05:09");
  assert.equal(formatClock(at, at + 2 * 86_400_000), "27 Nov 14:05:09");
  assert.equal(formatClock(NaN), "–");
});
