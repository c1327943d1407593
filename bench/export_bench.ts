/**
 * Export speed as a multiple of real time: a synthetic archive of `minutes` of one camera's
 * VGA frames at `fps` (about 60 KB each, as sim/frames.ts renders them) is written by the real
 * recorder with an injected clock, then exported to MP4 by hub/mp4_export.ts (the same path
 * as `POST /api/exports`: archive reader → Matroska → ffmpeg libx264). Only the export is
 * timed.
 *
 *   deno run -A bench/export_bench.ts [--minutes 2] [--fps 15] [--json out.json]
 */
import { parseArgs } from "node:util";
import { openArchive } from "../hub/archive_reader.ts";
import { createHubMetrics } from "../hub/hub_metrics.ts";
import { encodeMp4 } from "../hub/mp4_export.ts";
import { Recorder } from "../hub/recorder.ts";
import { renderFrames } from "../sim/frames.ts";

export interface ExportFigures {
  minutes: number;
  fps: number;
  frames: number;
  /** Bytes of JPEG read from the archive. */
  inputBytes: number;
  mp4Bytes: number;
  /** Wall-clock time of the export. */
  seconds: number;
  /** Recorded span divided by the export time. */
  realTimeMultiple: number;
  framesPerSecond: number;
}

const SERIAL = "0123BE0C00000000E1";

export async function runExportBench(
  o: { minutes?: number; fps?: number } = {},
): Promise<ExportFigures> {
  const minutes = o.minutes ?? 2;
  const fps = o.fps ?? 15;
  const dir = await Deno.makeTempDir({ prefix: "export_bench_" });
  try {
    // A loop of distinct frames (rendering every one would take longer than the export).
    const loop = renderFrames({ serial: SERIAL, size: "vga", count: 30 });
    const m = createHubMetrics();
    const clock = { t: 1_764_250_000_000 };
    const rec = new Recorder({
      dir: `${dir}/recordings`,
      segmentMs: 60_000,
      log: () => {},
      metrics: { frames: m.recorderFrames, bytes: m.recorderBytes, dropped: m.recorderDropped },
      now: () => clock.t,
      queueBytes: Number.MAX_SAFE_INTEGER,
    });
    const total = Math.round(minutes * 60 * fps);
    const t0 = clock.t;
    let inputBytes = 0;
    for (let i = 0; i < total; i++) {
      clock.t = t0 + Math.round(i * 1000 / fps);
      rec.record(SERIAL, loop[i % loop.length]);
      inputBytes += loop[i % loop.length].length;
      if (i % 600 === 599) await rec.flush();
    }
    await rec.close();

    const archive = openArchive(`${dir}/recordings`);
    const started = performance.now();
    const result = await encodeMp4({
      frames: archive.frames(SERIAL, t0, clock.t),
      out: `${dir}/bench.mp4`,
    });
    const seconds = (performance.now() - started) / 1000;
    const span = (clock.t - t0) / 1000 + 1 / fps;
    return {
      minutes,
      fps,
      frames: result.frames,
      inputBytes,
      mp4Bytes: result.bytes,
      seconds,
      realTimeMultiple: span / seconds,
      framesPerSecond: result.frames / seconds,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { minutes: { type: "string" }, fps: { type: "string" }, json: { type: "string" } },
  });
  const f = await runExportBench({
    minutes: values.minutes ? Number(values.minutes) : undefined,
    fps: values.fps ? Number(values.fps) : undefined,
  });
  console.log(
    `export ${f.minutes} min VGA @ ${f.fps} fps: ${f.frames} frames ` +
      `(${(f.inputBytes / 1e6).toFixed(1)} MB JPEG → ${(f.mp4Bytes / 1e6).toFixed(1)} MB MP4) ` +
      `in ${f.seconds.toFixed(2)} s = ${f.realTimeMultiple.toFixed(1)}x real time ` +
      `(${f.framesPerSecond.toFixed(0)} frames/s)`,
  );
  if (values.json) await Deno.writeTextFile(values.json, JSON.stringify(f, null, 2) + "\n");
}
