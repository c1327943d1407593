import assert from "node:assert/strict";
import type { StepResult } from "./load_step.ts";
import { judgeRuns } from "./repeated_step.ts";
import { type BenchReport, toMarkdown, withSpread, writeReport } from "./report.ts";
import { soakInput } from "./soak_fixture.ts";
import { judgeSoak } from "./soak_verdict.ts";

const RULE = { p99Ms: 50, lossPct: 0.1 };

function run(hub: "trustcam" | "bare", viewers: number, lossPct: number, p99: number): StepResult {
  const expected = 16 * 15 * 10 * viewers;
  const lost = Math.round((expected * lossPct) / 100);
  return {
    hub,
    cameras: 16,
    fps: 15,
    viewers,
    stalled: 0,
    seconds: 10,
    frameBytes: 60000,
    nominal: expected,
    expected,
    delivered: expected - lost,
    lost,
    lossPct,
    cameraSkipped: 0,
    latency: { count: expected - lost, p50: 3, p99, max: p99 + 10 },
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
    hubCpuUsPerFrame: hub === "trustcam" ? 35 : 30,
    hubSkipped: hub === "trustcam" ? 0 : null,
  };
}

function report(o: Partial<BenchReport> = {}): BenchReport {
  const step = (scenario: string, runs: StepResult[]) => ({ scenario, ...judgeRuns(runs, RULE) });
  return {
    version: 2,
    startedAt: "2026-11-27T10:00:00.123Z",
    durationS: 600,
    command: "deno task bench",
    mode: "full",
    complete: true,
    custom: false,
    machine: { cpu: "Test CPU", cores: 2, ramGb: 8, kernel: "6.1", loadavg: [0.1, 0.2, 0.3] },
    deno: "2.9.6 (V8 14)",
    commit: { hash: "abc1234", dirty: false },
    config: {
      cameras: 16,
      fps: 15,
      frameBytes: 60000,
      frameSize: "vga",
      stepSeconds: 10,
      runsPerStep: 3,
      warmupSeconds: 2,
      sweepRule: RULE,
      hubArgs: [],
      hubRoot: null,
      viewerProcesses: 1,
      viewerClient: "lean",
      viewerBufferBytes: 1048576,
      viewerBufferIsHubDefault: true,
    },
    steps: [
      step("relay", [
        run("trustcam", 64, 0.29, 15),
        run("trustcam", 64, 0, 13),
        run("trustcam", 64, 0, 14),
      ]),
      step("ceiling", [run("bare", 64, 0, 20), run("bare", 64, 0, 22), run("bare", 64, 0, 21)]),
      step("relay", [
        run("trustcam", 96, 0.5, 80),
        run("trustcam", 96, 1, 90),
        run("trustcam", 96, 0, 30),
      ]),
    ],
    relay: { max: 64, firstFail: 96, steps: 2, capped: false, framesPerS: 15360, runsPerStep: 3 },
    ceiling: {
      max: 64,
      firstFail: null,
      steps: 1,
      capped: true,
      framesPerS: 15360,
      runsPerStep: 3,
    },
    ratio: 1,
    ...o,
  };
}

Deno.test("withSpread() puts the min-max range beside a median of several runs only", () => {
  assert.equal(withSpread(14, { min: 13, max: 15 }, 3), "14 [13–15]");
  assert.equal(withSpread(0, { min: 0, max: 0.29 }, 3, "%"), "0% [0–0.29%]");
  assert.equal(withSpread(14, { min: 14, max: 14 }, 1), "14");
  assert.equal(withSpread(null, null, 3), "- [some run: -]");
});

Deno.test("toMarkdown() prints every sweep figure with its spread and the runs behind it", () => {
  const md = toMarkdown(report());
  assert.match(md, /judged on the medians of 3 runs, the two hubs' runs interleaved/);
  assert.match(
    md,
    /\| Maximum sustained load vs bare TLS \| .* \| 100% \(64 vs 64\+ viewers at 16 x 15; median of 3 interleaved runs per step, 2 of 3 and 3 of 3 runs sustained there\) \| yes \|/,
  );
  // Max table: trustcam at 64, its spread, and why 96 failed.
  assert.match(
    md,
    /\| trustcam \| 64 \| 15360 \| 2 of 3 \| 14 \[13–15\] \| 0% \[0–0.29%\] \| 96 \| 1 of 3 \| medians: loss 0.5% >= 0.1% \| 2 \|/,
  );
  // Steps table: runs (sustained), loss and p99 with their ranges.
  assert.match(
    md,
    /\| relay \| trustcam \| 16 x 15 x 64 \| 3 \(2\) \| 153600 \/ 153600 \| 0 \(0% \[0–0.29%\]\) \| 3 \[3–3\] \| 14 \[13–15\] \|/,
  );
});

Deno.test("writeReport() keeps full default runs and sends every other run to scratch/", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_report_test_" });
  try {
    const full = await writeReport(report(), { dir, save: true, root: dir });
    assert.deepEqual(full.paths, [
      "2026-11-27T10-00-00Z.json",
      "2026-11-27T10-00-00Z.md",
      "latest.json",
      "latest.md",
    ]);
    const latest = JSON.parse(await Deno.readTextFile(`${dir}/latest.json`));
    assert.equal(latest.steps[0].runs, 3);
    assert.deepEqual(latest.steps[0].spread.lossPct, { min: 0, max: 0.29 });
    for (
      const [o, name] of [
        [{ mode: "quick" }, "2026-11-27T10-00-00Z-quick"],
        [{ complete: false }, "2026-11-27T10-00-00Z-partial"],
        [{ custom: true }, "2026-11-27T10-00-00Z-custom"],
      ] as const
    ) {
      const out = await writeReport(report(o), { dir, save: true, root: dir });
      assert.deepEqual(out.paths, [`scratch/${name}.json`, `scratch/${name}.md`]);
    }
    const kept = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(kept, [
      "2026-11-27T10-00-00Z.json",
      "2026-11-27T10-00-00Z.md",
      "latest.json",
      "latest.md",
      "scratch",
    ]);
    const nothing = await writeReport(report({ mode: "quick" }), { dir, save: false, root: dir });
    assert.deepEqual(nothing.paths, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A run of the soak alone, 10 minutes: 61 samples, every one flat. */
function soakReport(o: Partial<BenchReport> = {}): BenchReport {
  return report({
    command: "deno task bench --only soak",
    complete: false,
    steps: [],
    relay: undefined,
    ceiling: undefined,
    ratio: undefined,
    soak: { ...judgeSoak(soakInput(61, () => 53, { warmupS: 120 })), minutes: 10 },
    ...o,
  });
}

Deno.test("toMarkdown() prints the soak's verdict, each series judged and every sample", () => {
  const md = toMarkdown(soakReport());
  assert.match(
    md,
    /\| Soak: 10 min of churn at 16 x 15 fps \| .* \| RSS 181 \/ 181 \/ 181 MiB, fds 53 \/ 53 \/ 53, timers 5 \/ 5 \/ 5 \(medians of the thirds\); 1 of 1 revocations, 1 of 1 reloads \| yes \|/,
  );
  assert.match(md, /Verdict: \*\*flat, every check passed\*\*/);
  assert.match(md, /\| open fds \| 53 \| 53 \| 53 \/ 53 \/ 53 \| 0 \| 6 \| 0 \| yes \|/);
  assert.match(md, /\| 110 \(warm-up\) \| 182 \| 53 \| 5 \| 16 \/ 8 \|/);
  assert.match(md, /\| 600 \| 180 \| 53 \|/);
  const failed = soakReport({
    soak: { ...judgeSoak(soakInput(61, (i) => 50 + i, { warmupS: 120 })), minutes: 10 },
  });
  assert.match(toMarkdown(failed), /Verdict: \*\*failed\*\*: fds: /);
  assert.match(toMarkdown(failed), /\| open fds \| .* \| \*\*no\*\*: /);
});

Deno.test("writeReport() keeps a default soak alone as soak.{json,md}, other soaks in scratch/", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_report_test_" });
  try {
    const kept = await writeReport(soakReport(), { dir, save: true, root: dir });
    assert.deepEqual(kept.paths, [
      "scratch/2026-11-27T10-00-00Z-partial.json",
      "scratch/2026-11-27T10-00-00Z-partial.md",
      "soak.json",
      "soak.md",
    ]);
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/soak.json`)).soak.ok, true);
    const short = soakReport({ custom: true });
    short.soak!.minutes = 2;
    const out = await writeReport(short, { dir, save: true, root: dir });
    assert.deepEqual(out.paths, [
      "scratch/2026-11-27T10-00-00Z-partial-custom.json",
      "scratch/2026-11-27T10-00-00Z-partial-custom.md",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
