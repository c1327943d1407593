/**
 * The recording benchmarks (issue 11, item 8), run by `deno task bench` as the `recording`
 * scenario:
 *  - the relay at cameras x fps x 8 viewers with `--record continuous` and with `--record off`,
 *    their runs interleaved, judged on medians: what recording costs the relay (p99, loss) and
 *    the hub (CPU), and what it writes (bytes/s from the archive's own index, fsyncs);
 *  - seek latency: a synthetic 24 h archive of 16 cameras, `recording.jpg?at=` at random
 *    instants about 1 h back, request to last byte over a kept-alive mTLS connection.
 */
import https from "node:https";
import { encodeRecords, INDEX_MAGIC, type IndexRecord, segmentStem } from "../lib/archive_index.ts";
import { listSegments, readSegmentIndex } from "../hub/archive_reader.ts";
import { benchSerial, loadBenchCreds, viewerCred } from "./bench_pki.ts";
import { Child } from "./child_io.ts";
import {
  type BenchEnv,
  freePort,
  startCamerasProcess,
  startHub,
  type StepOptions,
  type StepResult,
} from "./load_step.ts";
import type { RecordingResult, RecordingSide, SeekResult } from "./recording_report.ts";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** The medians of one side's runs. */
export function sideOf(rs: StepResult[]): RecordingSide {
  return {
    p99Ms: rs.some((r) => r.latency.p99 === null)
      ? null
      : median(rs.map((r) => r.latency.p99 as number)),
    lossPct: median(rs.map((r) => r.lossPct)),
    hubCpuPct: median(rs.map((r) => r.hubCpuPct)),
    rssPeakMb: median(rs.map((r) => r.rssPeakMb)),
  };
}

/**
 * Relay with and without recording, `runs` interleaved pairs. `runStep` is the orchestrator's
 * step runner (it waits for a quiet box and retries a failed run).
 */
export async function benchRecordingRelay(
  env: BenchEnv,
  o: {
    cameras: number;
    fps: number;
    viewers: number;
    seconds: number;
    runs: number;
    hubArgs: string[];
    runStep: (label: string, s: Omit<StepOptions, "cameras" | "fps">) => Promise<StepResult>;
    log: (line: string) => void;
  },
): Promise<Omit<RecordingResult, "seek">> {
  const segmentSeconds = 60;
  const off: StepResult[] = [];
  const on: StepResult[] = [];
  const written: { bytes: number; frames: number; spanS: number; closed: number }[] = [];
  for (let run = 0; run < o.runs; run++) {
    off.push(
      await o.runStep(`recording off (run ${run + 1})`, {
        hub: "trustcam",
        viewers: o.viewers,
        seconds: o.seconds,
        hubArgs: [...o.hubArgs, "--motion", "off", "--record", "off"],
      }),
    );
    const data = await Deno.makeTempDir({ dir: env.tmp, prefix: "rec_data_" });
    on.push(
      await o.runStep(`recording on (run ${run + 1})`, {
        hub: "trustcam",
        viewers: o.viewers,
        seconds: o.seconds,
        hubArgs: [...o.hubArgs, "--motion", "off", "--record", "continuous", "--data", data],
      }),
    );
    written.push(await archiveWritten(`${data}/recordings`));
    await Deno.remove(data, { recursive: true });
  }
  const offSide = sideOf(off);
  const onSide = sideOf(on);
  const result = {
    cameras: o.cameras,
    fps: o.fps,
    viewers: o.viewers,
    runs: o.runs,
    off: offSide,
    on: {
      ...onSide,
      diskBytesPerS: Math.round(median(written.map((w) => w.bytes / w.spanS))),
      framesPerS: round(median(written.map((w) => w.frames / w.spanS))),
      fsyncPerS: round(median(written.map((w) => (2 * w.closed) / w.spanS)), 2),
      segmentSeconds,
    },
    p99DeltaMs: offSide.p99Ms === null || onSide.p99Ms === null
      ? null
      : onSide.p99Ms - offSide.p99Ms,
    recorderCpuPct: round(onSide.hubCpuPct - offSide.hubCpuPct),
  };
  o.log(
    `[recording] relay p99 off ${offSide.p99Ms} / on ${onSide.p99Ms} ms, loss ${offSide.lossPct}% / ` +
      `${onSide.lossPct}%, hub CPU ${offSide.hubCpuPct}% / ${onSide.hubCpuPct}%; writes ` +
      `${round(result.on.diskBytesPerS / 1e6, 2)} MB/s, ${result.on.framesPerS} frames/s, ` +
      `${result.on.fsyncPerS} fsync/s`,
  );
  return result;
}

/** What a hub recorded: bytes and frames from the indexes, the span they cover. */
async function archiveWritten(
  dir: string,
): Promise<{ bytes: number; frames: number; spanS: number; closed: number }> {
  let bytes = 0;
  let frames = 0;
  let first = Infinity;
  let last = -Infinity;
  let closed = 0;
  for await (const e of Deno.readDir(dir)) {
    if (!e.isDirectory) continue;
    const starts = await listSegments(`${dir}/${e.name}`);
    // Every segment but the last was closed (and synced) while the hub ran.
    closed += Math.max(0, starts.length - 1);
    for (const s of starts) {
      for (const r of await readSegmentIndex(`${dir}/${e.name}`, s)) {
        bytes += r.length;
        frames++;
        first = Math.min(first, r.time);
        last = Math.max(last, r.time);
      }
    }
  }
  return { bytes, frames, spanS: Math.max(0.001, (last - first) / 1000), closed };
}

/**
 * Writes a synthetic archive: `cameras` x `hours` of 60 s segments at `fps`, JPEGs of
 * `frameBytes`. Indexes are real; data files are sparse (their frames read as zeros), so the
 * figure is the cost of finding a frame (listing, index search, one read), not of the disk.
 */
export async function buildSyntheticArchive(
  dir: string,
  o: { cameras: number; hours: number; fps: number; frameBytes: number; end: number },
): Promise<{ segments: number; frames: number; indexBytes: number }> {
  const segMs = 60_000;
  const perSeg = Math.round((segMs / 1000) * o.fps);
  const segs = Math.round((o.hours * 3600_000) / segMs);
  let frames = 0;
  let indexBytes = 0;
  for (let c = 0; c < o.cameras; c++) {
    const camDir = `${dir}/${benchSerial(c)}`;
    await Deno.mkdir(camDir, { recursive: true });
    for (let s = 0; s < segs; s++) {
      const start = o.end - (segs - s) * segMs + c * 7;
      const records: IndexRecord[] = [];
      for (let i = 0; i < perSeg; i++) {
        records.push({
          time: start + Math.round((i * 1000) / o.fps),
          offset: i * o.frameBytes,
          length: o.frameBytes,
        });
      }
      const stem = `${camDir}/${segmentStem(start)}`;
      const body = encodeRecords(records);
      const index = new Uint8Array(INDEX_MAGIC.length + body.length);
      index.set(INDEX_MAGIC);
      index.set(body, INDEX_MAGIC.length);
      await Deno.writeFile(`${stem}.idx`, index);
      using data = await Deno.open(`${stem}.mjpeg`, { write: true, create: true });
      await data.truncate(perSeg * o.frameBytes);
      frames += perSeg;
      indexBytes += index.length;
    }
  }
  return { segments: segs * o.cameras, frames, indexBytes };
}

/** Seek latency in a synthetic 24 h archive of `cameras` cameras (see the module comment). */
export async function benchSeek(
  env: BenchEnv,
  o: { cameras: number; hours: number; fps: number; samples: number; log: (s: string) => void },
): Promise<SeekResult> {
  const data = await Deno.makeTempDir({ dir: env.tmp, prefix: "seek_data_" });
  const children: Child[] = [];
  try {
    const end = Date.now();
    const t0 = performance.now();
    o.log(`[recording] writing a synthetic ${o.hours} h archive of ${o.cameras} cameras`);
    const built = await buildSyntheticArchive(`${data}/recordings`, {
      cameras: o.cameras,
      hours: o.hours,
      fps: o.fps,
      frameBytes: 30_000,
      end,
    });
    const buildS = round((performance.now() - t0) / 1000);
    const port = freePort();
    const hub = await startHub(env, { hub: "trustcam", hubArgs: ["--data", data] }, port);
    children.push(hub);
    // The hub serves recordings of cameras it knows: let each camera connect once.
    const cams = startCamerasProcess(env, port, { cameras: o.cameras, fps: 1, deadlineS: 60 });
    children.push(cams);
    await cams.message("ready", 30_000);
    await cams.kill();
    const creds = await loadBenchCreds(env.credsPath);
    const cred = viewerCred(creds, 0);
    const agent = new https.Agent({
      keepAlive: true,
      maxSockets: 1,
      ca: creds.caPem,
      cert: cred.chainPem,
      key: cred.keyPem,
      servername: "localhost",
    });
    const times: number[] = [];
    try {
      for (let i = 0; i < o.samples + 3; i++) {
        const serial = benchSerial(i % o.cameras);
        const at = end - 3600_000 + Math.round((Math.random() - 0.5) * 600_000);
        const ms = await timedGet(agent, port, `/api/cameras/${serial}/recording.jpg?at=${at}`);
        if (i >= 3) times.push(ms); // the first requests pay for the handshake and JIT
      }
    } finally {
      agent.destroy();
    }
    times.sort((a, b) => a - b);
    const result: SeekResult = {
      cameras: o.cameras,
      hours: o.hours,
      ...built,
      buildS,
      samples: times.length,
      medianMs: round(median(times), 2),
      p90Ms: round(times[Math.floor(times.length * 0.9)] ?? 0, 2),
      maxMs: round(times.at(-1) ?? 0, 2),
    };
    o.log(
      `[recording] seek 1 h back in ${result.segments} segments (${result.frames} frames): ` +
        `median ${result.medianMs} ms, p90 ${result.p90Ms} ms, max ${result.maxMs} ms`,
    );
    return result;
  } finally {
    for (const c of children.reverse()) await c.kill();
    await Deno.remove(data, { recursive: true }).catch(() => {});
  }
}

/** Milliseconds from sending a GET to its last byte; throws on a status other than 200. */
function timedGet(agent: https.Agent, port: number, path: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port, path, agent, timeout: 10_000 }, (res) => {
      res.on("data", () => {});
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode}`));
        else resolve(performance.now() - t0);
      });
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}
