/**
 * The scale-out scenario of `deno task bench` (issue 13, item 7), all on one nats-server that
 * the scenario starts on 127.0.0.1 (JetStream on, as a cluster runs it):
 *
 * - one hub with the in-process bus vs the same hub with `--bus nats://`, runs interleaved at
 *   the same load: p99, loss, hub CPU per delivered frame, the NATS server's CPU;
 * - across hubs: the cameras on hub A, every viewer on hub B (each frame crosses NATS once);
 * - three hubs: cameras and viewers shared out over three hubs on this machine, every viewer
 *   watching every camera (two thirds of the frames cross NATS).
 *
 * Every process runs on the same two cores, so the cluster figures measure per-frame costs,
 * not what three machines would carry: docs/scale.md projects from them.
 */
import type { StepOptions, StepResult } from "./load_step.ts";
import { median } from "./repeated_step.ts";
import { startNatsServer } from "../tests/nats_fixture.ts";

export interface NatsSide {
  p50Ms: number | null;
  p99Ms: number | null;
  lossPct: number;
  /** all hubs together (with their decode processes), % of one core */
  hubCpuPct: number;
  hubCpuUsPerFrame: number | null;
  /** the NATS server, % of one core */
  natsCpuPct: number;
  /** hubs + NATS per delivered frame, µs */
  totalCpuUsPerFrame: number | null;
}

export interface NatsResult {
  cameras: number;
  fps: number;
  viewers: number;
  runs: number;
  inProcess: NatsSide;
  /** the in-process hub at 4x the viewers: with `inProcess`, separates ingest from delivery */
  inProcessWide: NatsSide & { viewers: number };
  nats: NatsSide;
  crossHub: NatsSide;
  threeHubs: NatsSide;
  /**
   * Per-frame costs for docs/scale.md's model, µs of one core: `ingestUs` per camera frame
   * taken in (TLS, checks, fan-out set-up), `deliverUs` per frame delivered to a viewer, from
   * the two in-process steps; `crossUs` per frame crossing to another hub (publishing hub plus
   * receiving hub), from the cross-hub step minus the in-process one at the same load;
   * `natsUs` the NATS server's per crossing frame.
   */
  model: { ingestUs: number; deliverUs: number; crossUs: number; natsUs: number } | null;
}

type RunStep = (label: string, s: Omit<StepOptions, "cameras" | "fps">) => Promise<StepResult>;

function sideOf(rs: StepResult[], seconds: number): NatsSide {
  const med = (f: (r: StepResult) => number | null) => median(rs.map(f));
  const total = (r: StepResult) =>
    r.delivered ? ((r.hubCpuPct + r.busCpuPct) / 100 * seconds / r.delivered) * 1e6 : null;
  const round1 = (x: number | null) => x === null ? null : Math.round(x * 10) / 10;
  return {
    p50Ms: med((r) => r.latency.p50),
    p99Ms: med((r) => r.latency.p99),
    lossPct: median(rs.map((r) => r.lossPct)) ?? 100,
    hubCpuPct: median(rs.map((r) => r.hubCpuPct)) ?? 0,
    hubCpuUsPerFrame: med((r) => r.hubCpuUsPerFrame),
    natsCpuPct: median(rs.map((r) => r.busCpuPct)) ?? 0,
    totalCpuUsPerFrame: round1(med(total)),
  };
}

export async function benchNats(o: {
  cameras: number;
  fps: number;
  viewers: number;
  seconds: number;
  runs: number;
  hubArgs: string[];
  runStep: RunStep;
  log: (line: string) => void;
}): Promise<NatsResult> {
  await using server = await startNatsServer();
  const natsPid = server.pid;
  const base = {
    hub: "trustcam" as const,
    viewers: o.viewers,
    seconds: o.seconds,
    hubArgs: [...o.hubArgs, "--record", "off", "--motion", "off"],
    busPids: natsPid === undefined ? [] : [natsPid],
  };
  const inProcess: StepResult[] = [];
  const nats: StepResult[] = [];
  for (let run = 0; run < o.runs; run++) {
    inProcess.push(await o.runStep(`nats: in-process bus (run ${run + 1})`, base));
    nats.push(
      await o.runStep(`nats: NATS bus (run ${run + 1})`, {
        ...base,
        cluster: { natsUrl: server.url, hubs: 1, cameraHubs: [0], viewerHubs: [0] },
      }),
    );
  }
  const wide: StepResult[] = [];
  for (let run = 0; run < o.runs; run++) {
    wide.push(
      await o.runStep(`nats: in-process bus, ${4 * o.viewers} viewers (run ${run + 1})`, {
        ...base,
        viewers: 4 * o.viewers,
      }),
    );
  }
  const crossHub: StepResult[] = [];
  const threeHubs: StepResult[] = [];
  for (let run = 0; run < o.runs; run++) {
    crossHub.push(
      await o.runStep(`nats: cameras on A, viewers on B (run ${run + 1})`, {
        ...base,
        cluster: { natsUrl: server.url, hubs: 2, cameraHubs: [0], viewerHubs: [1] },
      }),
    );
    threeHubs.push(
      await o.runStep(`nats: three hubs (run ${run + 1})`, {
        ...base,
        cluster: { natsUrl: server.url, hubs: 3, cameraHubs: [0, 1, 2], viewerHubs: [0, 1, 2] },
      }),
    );
  }
  const result: NatsResult = {
    cameras: o.cameras,
    fps: o.fps,
    viewers: o.viewers,
    runs: o.runs,
    inProcess: sideOf(inProcess, o.seconds),
    inProcessWide: { ...sideOf(wide, o.seconds), viewers: 4 * o.viewers },
    nats: sideOf(nats, o.seconds),
    crossHub: sideOf(crossHub, o.seconds),
    threeHubs: sideOf(threeHubs, o.seconds),
    model: null,
  };
  result.model = modelOf(result);
  o.log(
    `[nats] p99 in-process ${result.inProcess.p99Ms} / NATS ${result.nats.p99Ms} / across hubs ` +
      `${result.crossHub.p99Ms} / three hubs ${result.threeHubs.p99Ms} ms; hub+NATS CPU per frame ` +
      `${result.inProcess.totalCpuUsPerFrame} / ${result.nats.totalCpuUsPerFrame} / ` +
      `${result.crossHub.totalCpuUsPerFrame} / ${result.threeHubs.totalCpuUsPerFrame} µs`,
  );
  return result;
}

/** Per-frame costs from the medians (see {@link NatsResult.model}); null when a step is missing. */
export function modelOf(r: Omit<NatsResult, "model">): NatsResult["model"] {
  const framesIn = r.cameras * r.fps;
  const v1 = r.viewers;
  const v2 = r.inProcessWide.viewers;
  // CPU % of one core = 100 * (framesIn * ingest + framesIn * viewers * deliver) / 1e6
  const perS = (pct: number) => (pct / 100) * 1e6;
  const deliverUs = (perS(r.inProcessWide.hubCpuPct) - perS(r.inProcess.hubCpuPct)) /
    (framesIn * (v2 - v1));
  const ingestUs = perS(r.inProcess.hubCpuPct) / framesIn - v1 * deliverUs;
  const crossUs = (perS(r.crossHub.hubCpuPct) - perS(r.inProcess.hubCpuPct)) / framesIn;
  const natsUs = perS(r.crossHub.natsCpuPct) / framesIn;
  const round1 = (x: number) => Math.round(x * 10) / 10;
  if (![deliverUs, ingestUs, crossUs, natsUs].every(Number.isFinite)) return null;
  return {
    ingestUs: round1(ingestUs),
    deliverUs: round1(deliverUs),
    crossUs: round1(crossUs),
    natsUs: round1(natsUs),
  };
}

/** The report's "Scale-out" section. */
export function natsMarkdown(r: NatsResult): string[] {
  const n = (x: number | null) => x === null ? "-" : String(x);
  const row = (name: string, s: NatsSide) =>
    `| ${name} | ${n(s.p50Ms)} | ${n(s.p99Ms)} | ${s.lossPct} | ${s.hubCpuPct} | ` +
    `${n(s.hubCpuUsPerFrame)} | ${s.natsCpuPct} | ${n(s.totalCpuUsPerFrame)} |`;
  return [
    "",
    `## Scale-out on NATS (${r.cameras} cameras x ${r.fps} fps x ${r.viewers} viewers, ` +
    `medians of ${r.runs} runs)`,
    "",
    "| topology | p50 ms | p99 ms | loss % | hubs CPU % | hub µs/frame | NATS CPU % | hubs+NATS µs/frame |",
    "| -------- | ------ | ------ | ------ | ---------- | ------------ | ---------- | ------------------ |",
    row("one hub, in-process bus", r.inProcess),
    row(`one hub, in-process bus, ${r.inProcessWide.viewers} viewers`, r.inProcessWide),
    row("one hub, NATS bus", r.nats),
    row("cameras on A, viewers on B", r.crossHub),
    row("three hubs, all-to-all", r.threeHubs),
    ...(r.model
      ? [
        "",
        `Per-frame costs (µs of one core; docs/scale.md): ingest ${r.model.ingestUs} per camera ` +
        `frame, delivery ${r.model.deliverUs} per viewer frame, crossing to another hub ` +
        `${r.model.crossUs} (both hubs), NATS server ${r.model.natsUs} per crossing frame.`,
      ]
      : []),
  ];
}
