import assert from "node:assert/strict";
import type { StepResult } from "./load_step.ts";
import { judgeRuns, median, spreadOf } from "./repeated_step.ts";

const RULE = { p99Ms: 50, lossPct: 0.1 };

function run(o: { lossPct: number; p99: number | null; cpuUs?: number | null }): StepResult {
  const expected = 38400;
  const lost = Math.round((expected * o.lossPct) / 100);
  return {
    hub: "trustcam",
    cameras: 16,
    fps: 15,
    viewers: 64,
    stalled: 0,
    seconds: 10,
    frameBytes: 60000,
    nominal: expected,
    expected,
    delivered: expected - lost,
    lost,
    lossPct: o.lossPct,
    cameraSkipped: 0,
    latency: {
      count: expected - lost,
      p50: o.p99 === null ? null : 3,
      p99: o.p99,
      max: o.p99 === null ? null : o.p99 + 10,
    },
    hubCpuS: 8,
    hubCpuPct: 80,
    rssStartMb: 150,
    rssPeakMb: 160,
    hwmMb: 161,
    rssAfterMb: null,
    viewersCpuPct: 60,
    busCpuPct: 0,
    viewerProcesses: 1,
    camerasCpuPct: 10,
    machineBusyPct: 80,
    otherCpuPct: 2,
    senderLateMaxMs: 3,
    viewersClosed: 0,
    outOfOrder: 0,
    hubCpuUsPerFrame: o.cpuUs === undefined ? 35 : o.cpuUs,
    hubSkipped: 0,
    histogram: { bins: [], count: 0, max: 0, min: 0, sum: 0 },
    slow: [[1, 20]],
  };
}

Deno.test("median() takes the middle value, a missing one counting as the worst", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([0.29, 0, 0]), 0);
  assert.equal(median([null, 10, 12]), 12);
  assert.equal(median([null, null, 10]), null);
  assert.equal(median([1, 2]), 1.5);
  assert.equal(median([7]), 7);
  assert.throws(() => median([]), RangeError);
});

Deno.test("spreadOf() is the min and max, null when a run lacks the figure", () => {
  assert.deepEqual(spreadOf([14, 12, 15]), { min: 12, max: 15 });
  assert.equal(spreadOf([14, null]), null);
});

Deno.test("judgeRuns() lets two clean runs outvote one 0.29% loss blip", () => {
  const s = judgeRuns(
    [run({ lossPct: 0.29, p99: 15 }), run({ lossPct: 0, p99: 13 }), run({ lossPct: 0, p99: 14 })],
    RULE,
  );
  assert.equal(s.sustained, true);
  assert.equal(s.runs, 3);
  assert.equal(s.runsSustained, 2);
  assert.equal(s.lossPct, 0);
  assert.equal(s.latency.p99, 14);
  assert.deepEqual(s.spread.lossPct, { min: 0, max: 0.29 });
  assert.deepEqual(s.spread.p99, { min: 13, max: 15 });
  assert.match(s.why, /^medians: p99 14 ms, loss 0%$/);
  assert.deepEqual(s.perRun.map((r) => r.sustained), [false, true, true]);
  assert.equal(s.histogram, undefined, "no per-run histogram in the median");
  assert.equal(s.slow, undefined);
});

Deno.test("judgeRuns() fails a step whose median run fails", () => {
  const s = judgeRuns(
    [run({ lossPct: 0.5, p99: 80 }), run({ lossPct: 0, p99: 14 }), run({ lossPct: 2, p99: 60 })],
    RULE,
  );
  assert.equal(s.sustained, false);
  assert.equal(s.lossPct, 0.5);
  assert.match(s.why, /^medians: loss 0.5% >= 0.1%$/);
  assert.equal(s.runsSustained, 1);
});

Deno.test("judgeRuns() keeps the load's identity and takes medians of the counts", () => {
  const a = run({ lossPct: 0, p99: 10, cpuUs: 30 });
  const b = { ...run({ lossPct: 0, p99: 12, cpuUs: 40 }), delivered: 100 };
  const c = run({ lossPct: 0, p99: 11, cpuUs: null });
  const s = judgeRuns([a, b, c], RULE);
  assert.equal(s.viewers, 64);
  assert.equal(s.hub, "trustcam");
  assert.equal(s.delivered, 38400);
  assert.equal(s.hubCpuUsPerFrame, 40, "a missing reading counts as the worst");
  assert.equal(s.spread.hubCpuUsPerFrame, null);
});

Deno.test("judgeRuns() of one run is that run, judged as before", () => {
  const s = judgeRuns([run({ lossPct: 0.29, p99: 15 })], RULE);
  assert.equal(s.sustained, false);
  assert.equal(s.why, "loss 0.29% >= 0.1%");
  assert.deepEqual(s.spread.p99, { min: 15, max: 15 });
  assert.throws(() => judgeRuns([], RULE), RangeError);
});
