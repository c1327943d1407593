import assert from "node:assert/strict";
import { soakInput as soak } from "./soak_fixture.ts";
import {
  type Flatness,
  judgeAll,
  judgeFlat,
  judgeSoak,
  median,
  MIN_JUDGED_SAMPLES,
  type SeriesSample,
  slopePerMinute,
} from "./soak_verdict.ts";

/** One sample every 10 s from t = 0, as the soak takes them. */
function series(values: number[]): SeriesSample[] {
  return values.map((value, i) => ({ tS: i * 10, value }));
}

Deno.test("median() takes the middle value, or the mean of the middle two", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), RangeError);
});

Deno.test("slopePerMinute() fits a line through the samples, per minute", () => {
  assert.equal(slopePerMinute(series([0, 1, 2, 3])), 6);
  assert.equal(slopePerMinute(series([5, 5, 5])), 0);
  assert.equal(slopePerMinute(series([5])), null);
});

Deno.test("judgeFlat() passes a series that wobbles within the tolerance after the warm-up", () => {
  // A warm-up climb from 100 to 150, then noise around 160.
  const rss = series([100, 120, 140, 150, 158, 163, 157, 161, 159, 164, 156, 160, 162, 158]);
  const f = judgeFlat(rss, 40, { abs: 8, rel: 0.1 });
  assert.equal(f.flat, true, f.why ?? "");
  assert.equal(f.why, null);
  assert.equal(f.samples, 10);
  assert.deepEqual(f.thirds, [158, 160, 160]);
  assert.equal(f.rise, 0);
  // 10% of the second third's median is larger than 8.
  assert.equal(f.tolerance, 16);
  assert.deepEqual([f.min, f.max], [156, 164]);
});

Deno.test("judgeFlat() ignores the warm-up, however steep", () => {
  const fds = series([10, 40, 80, 120, 121, 120, 122, 121, 120, 121]);
  assert.equal(judgeFlat(fds, 30, { abs: 4 }).flat, true);
  assert.equal(judgeFlat(fds, 0, { abs: 4 }).flat, false);
});

Deno.test("judgeFlat() fails a last third above the second by more than the tolerance", () => {
  const timers = series([20, 20, 21, 20, 20, 21, 27, 28, 28]);
  const f = judgeFlat(timers, 0, { abs: 4 });
  assert.equal(f.flat, false);
  assert.deepEqual(f.thirds, [20, 20, 28]);
  assert.equal(f.rise, 8);
  assert.equal(f.why, "last third's median 28 is 8 above the second's 20 (allowed 4)");
});

Deno.test("judgeFlat() fails a steady climb whose steps each stay under the tolerance", () => {
  // +3 per third, +6 in all: each step is allowed, the climb is not.
  const fds = series([100, 100, 100, 103, 103, 103, 106, 106, 106]);
  const f = judgeFlat(fds, 0, { abs: 4 });
  assert.equal(f.flat, false);
  assert.equal(f.why, "climbs through every third: 100 -> 103 -> 106 (allowed 4)");
  // The same climb within the tolerance overall is flat enough.
  assert.equal(judgeFlat(series([100, 100, 101, 101, 102, 102]), 0, { abs: 4 }).flat, true);
});

Deno.test("judgeFlat() lets a series fall: memory handed back is no leak", () => {
  const rss = series([200, 198, 199, 170, 171, 169, 150, 152, 151]);
  const f = judgeFlat(rss, 0, { abs: 8, rel: 0.1 });
  assert.equal(f.flat, true);
  assert.equal(f.rise, -19);
});

Deno.test("judgeFlat() takes medians, so one outlier sample in the last third moves nothing", () => {
  const conns = series([30, 31, 30, 30, 31, 30, 30, 90, 31]);
  assert.equal(judgeFlat(conns, 0, { abs: 3 }).flat, true);
});

Deno.test("judgeFlat() leaves a series with too few samples after the warm-up unjudged", () => {
  const short = series([1, 1, 1, 1, 1, 1, 1]);
  const f = judgeFlat(short, 20, { abs: 1 });
  assert.equal(f.samples, MIN_JUDGED_SAMPLES - 1);
  assert.equal(f.flat, null);
  assert.equal(f.why, "5 samples after the 20 s warm-up, 6 needed");
  assert.equal(f.thirds, null);
});

Deno.test("judgeAll() fails on any failing series, else is unjudged if any series is", () => {
  const flat = judgeFlat(series([1, 1, 1, 1, 1, 1]), 0, { abs: 1 });
  const rising = judgeFlat(series([1, 1, 5, 5, 9, 9]), 0, { abs: 1 });
  const unjudged: Flatness = judgeFlat(series([1]), 0, { abs: 1 });
  assert.deepEqual(judgeAll({ rss: flat, fds: flat }), { flat: true, failed: [] });
  const failed = judgeAll({ rss: flat, fds: rising, timers: unjudged });
  assert.equal(failed.flat, false);
  assert.deepEqual(failed.failed, [`fds: ${rising.why}`]);
  assert.deepEqual(judgeAll({ rss: flat, timers: unjudged }), {
    flat: null,
    failed: [`timers: ${unjudged.why}`],
  });
});

Deno.test("judgeSoak() passes flat series with every check done and passed", () => {
  const r = judgeSoak(soak(13, () => 53));
  assert.deepEqual(r.failures, []);
  assert.equal(r.flat, true);
  assert.equal(r.checksOk, true);
  assert.equal(r.ok, true);
  assert.equal(r.series.fds.thirds?.[2], 53);
});

Deno.test("judgeSoak() fails an fd leak of one per sample after the warm-up", () => {
  const r = judgeSoak(soak(13, (i) => 50 + i));
  assert.equal(r.flat, false);
  assert.equal(r.ok, false);
  assert.equal(r.failures.length, 1);
  assert.equal(r.failures[0], "fds: climbs through every third: 53.5 -> 57 -> 60.5 (allowed 6)");
});

Deno.test("judgeSoak() fails a flat soak whose checks failed or never ran", () => {
  const late = soak(13, () => 53);
  late.revocations[0] = { ...late.revocations[0], wsCutMs: 7000, ok: false };
  late.activity.policyLeakedFrames = 2;
  late.activity.viewerFailures = 1;
  const r = judgeSoak(late);
  assert.equal(r.flat, true);
  assert.equal(r.checksOk, false);
  assert.equal(r.ok, false);
  assert.deepEqual(r.failures, [
    "1 of 1 revocations not cut in time",
    "2 frames leaked past a reload",
    "clients failed: 1 viewers, 0 MJPEG readers, 0 camera dials",
  ]);
  const none = judgeSoak(soak(13, () => 53, { revocations: [], policyReloads: [] }));
  assert.deepEqual(none.failures, ["no revocation was checked", "no policy reload was checked"]);
});

Deno.test("judgeSoak() leaves a soak too short to judge neither passed nor flat", () => {
  const r = judgeSoak(soak(5, () => 53));
  assert.equal(r.flat, null);
  assert.equal(r.ok, false);
  assert.match(r.failures[0], /^rssMb: 3 samples after the 20 s warm-up, 6 needed$/);
});
