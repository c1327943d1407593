/** The recording scenario's figures (bench/recording_scenario.ts) and their Markdown. */
import type { ExportFigures } from "./export_bench.ts";

export interface RecordingSide {
  p99Ms: number | null;
  lossPct: number;
  hubCpuPct: number;
  rssPeakMb: number;
}

export interface RecordingResult {
  cameras: number;
  fps: number;
  viewers: number;
  runs: number;
  off: RecordingSide;
  on: RecordingSide & {
    /** JPEG bytes written per second, from the index of what was recorded */
    diskBytesPerS: number;
    /** frames written per second */
    framesPerS: number;
    /** fsyncs per second while recording: two per closed segment */
    fsyncPerS: number;
    segmentSeconds: number;
  };
  /** on - off, medians */
  p99DeltaMs: number | null;
  recorderCpuPct: number;
  seek?: SeekResult;
  export?: ExportFigures;
}

export interface SeekResult {
  cameras: number;
  hours: number;
  segments: number;
  frames: number;
  indexBytes: number;
  buildS: number;
  samples: number;
  medianMs: number;
  p90Ms: number;
  maxMs: number;
}

/** The report's "Recording" section. */
export function recordingMarkdown(r: RecordingResult): string[] {
  const n = (v: number | null) => v === null ? "-" : String(v);
  const lines = [
    "## Recording",
    "",
    `${r.cameras} cameras x ${r.fps} fps x ${r.viewers} viewers, ${r.runs} interleaved runs each, medians.`,
    "",
    "| --record | p99 ms | loss % | hub CPU % | hub RSS peak MB | written MB/s | frames/s | fsync/s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| off | ${
      n(r.off.p99Ms)
    } | ${r.off.lossPct} | ${r.off.hubCpuPct} | ${r.off.rssPeakMb} | - | - | - |`,
    `| continuous | ${n(r.on.p99Ms)} | ${r.on.lossPct} | ${r.on.hubCpuPct} | ${r.on.rssPeakMb} | ${
      Math.round(r.on.diskBytesPerS / 1e4) / 100
    } | ${r.on.framesPerS} | ${r.on.fsyncPerS} |`,
    "",
    `Recording moved p99 by ${n(r.p99DeltaMs)} ms and cost ${r.recorderCpuPct}% of a core. ` +
    `Segments are fsynced only when closed (every ${r.on.segmentSeconds} s per camera), so a ` +
    `step shorter than that syncs next to nothing.`,
    "",
  ];
  if (r.seek) {
    const s = r.seek;
    lines.push(
      `Seek: \`recording.jpg?at=\` about 1 h back, in a synthetic ${s.hours} h archive of ${s.cameras} ` +
        `cameras (${s.segments} segments, ${s.frames} frames, ${
          Math.round(s.indexBytes / 1e6)
        } MB ` +
        `of index; data files sparse), ${s.samples} requests over one kept-alive connection: ` +
        `median ${s.medianMs} ms, p90 ${s.p90Ms} ms, max ${s.maxMs} ms.`,
      "",
    );
  }
  if (r.export) {
    const e = r.export;
    lines.push(
      `Export: ${e.minutes} min of one camera's VGA frames at ${e.fps} fps (${e.frames} frames, ` +
        `${Math.round(e.inputBytes / 1e6)} MB of JPEG) to a ${Math.round(e.mp4Bytes / 1e6)} MB ` +
        `H.264 MP4 in ${e.seconds.toFixed(1)} s: ${e.realTimeMultiple.toFixed(1)}x real ` +
        `time (${Math.round(e.framesPerSecond)} frames/s).`,
      "",
    );
  }
  return lines;
}
