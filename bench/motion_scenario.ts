/**
 * The motion scenario of `deno task bench` (issue 12, item 5): the relay at cameras x fps x 8
 * viewers with `--motion on` and with `--motion off`, runs interleaved, judged on medians: what
 * motion analysis costs the relay (p99, loss) and the hub (CPU, RSS). The cameras' frames move
 * (the simulator's square), so every camera is analyzed at the default 5 fps all along.
 */
import type { StepOptions, StepResult } from "./load_step.ts";
import type { RecordingSide } from "./recording_report.ts";
import { sideOf } from "./recording_scenario.ts";
import type { MotionLatencyResult } from "./motion_latency.ts";

export interface MotionRelayResult {
  cameras: number;
  fps: number;
  viewers: number;
  runs: number;
  off: RecordingSide;
  on: RecordingSide;
  /** on - off, medians */
  p99DeltaMs: number | null;
  motionCpuPct: number;
  latency?: MotionLatencyResult;
}

export async function benchMotionRelay(o: {
  cameras: number;
  fps: number;
  viewers: number;
  seconds: number;
  runs: number;
  hubArgs: string[];
  runStep: (label: string, s: Omit<StepOptions, "cameras" | "fps">) => Promise<StepResult>;
  log: (line: string) => void;
}): Promise<MotionRelayResult> {
  const off: StepResult[] = [];
  const on: StepResult[] = [];
  for (let run = 0; run < o.runs; run++) {
    for (const [side, list] of [["off", off], ["on", on]] as const) {
      list.push(
        await o.runStep(`motion ${side} (run ${run + 1})`, {
          hub: "trustcam",
          viewers: o.viewers,
          seconds: o.seconds,
          hubArgs: [...o.hubArgs, "--record", "off", "--motion", side],
        }),
      );
    }
  }
  const offSide = sideOf(off);
  const onSide = sideOf(on);
  const result = {
    cameras: o.cameras,
    fps: o.fps,
    viewers: o.viewers,
    runs: o.runs,
    off: offSide,
    on: onSide,
    p99DeltaMs: offSide.p99Ms === null || onSide.p99Ms === null
      ? null
      : onSide.p99Ms - offSide.p99Ms,
    motionCpuPct: Math.round((onSide.hubCpuPct - offSide.hubCpuPct) * 10) / 10,
  };
  o.log(
    `[motion] relay p99 off ${offSide.p99Ms} / on ${onSide.p99Ms} ms, loss ${offSide.lossPct}% / ` +
      `${onSide.lossPct}%, hub CPU ${offSide.hubCpuPct}% / ${onSide.hubCpuPct}%`,
  );
  return result;
}

/** The report's "Motion" section. */
export function motionMarkdown(r: MotionRelayResult): string[] {
  const n = (v: number | null) => v === null ? "-" : String(v);
  return [
    "## Motion",
    "",
    `${r.cameras} cameras x ${r.fps} fps x ${r.viewers} viewers, ${r.runs} interleaved runs each, medians.`,
    "",
    "| --motion | p99 ms | loss % | hub CPU % | hub RSS peak MB |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| off | ${n(r.off.p99Ms)} | ${r.off.lossPct} | ${r.off.hubCpuPct} | ${r.off.rssPeakMb} |`,
    `| on | ${n(r.on.p99Ms)} | ${r.on.lossPct} | ${r.on.hubCpuPct} | ${r.on.rssPeakMb} |`,
    "",
    `Motion analysis moved p99 by ${n(r.p99DeltaMs)} ms and cost ${r.motionCpuPct}% of a core.`,
    "",
    ...(r.latency
      ? [
        `Detection latency over ${r.latency.events} events (analysis at ${r.latency.analysisFps} ` +
        `fps): motion start announced ${r.latency.startMedianMs} ms (max ` +
        `${r.latency.startMaxMs}) after the first moving frame was sent; the end ` +
        `${r.latency.endMedianMs} ms (max ${r.latency.endMaxMs}) after the last one (an event ` +
        `ends after 5 s without motion).`,
        "",
      ]
      : []),
  ];
}
