/**
 * A camera's recording written straight into a hub's data dir by the real recorder with an
 * injected clock: seconds of archive in milliseconds of test, at exactly known times.
 */
import { createHubMetrics } from "../hub/hub_metrics.ts";
import { Recorder } from "../hub/recorder.ts";
import type { RecordedFrame } from "../lib/recordings.ts";
import { renderFrames } from "../sim/frames.ts";

let loop: Uint8Array<ArrayBuffer>[] | undefined;

/** 15 distinct QVGA JPEGs (real ones: ffmpeg decodes them), rendered once per process. */
export function realJpegs(): Uint8Array<ArrayBuffer>[] {
  return loop ??= renderFrames({
    serial: "0123FEED00000000D1",
    size: "qvga",
    count: 15,
  }) as Uint8Array<
    ArrayBuffer
  >[];
}

/**
 * `n` frames from `t0`, 50-82 ms apart (about 15 fps, irregular as a camera on Wi-Fi), the
 * JPEGs cycling through {@link realJpegs}.
 */
export function syntheticFrames(n: number, t0: number): RecordedFrame[] {
  const jpegs = realJpegs();
  let t = t0;
  return Array.from({ length: n }, (_, i) => {
    const f = { time: t, jpeg: jpegs[i % jpegs.length] };
    t += 50 + (i * 37) % 33;
    return f;
  });
}

/** Writes `frames` (in time order) as `serial`'s archive under `<dataDir>/recordings`. */
export async function writeArchive(
  dataDir: string,
  serial: string,
  frames: readonly RecordedFrame[],
  segmentMs = 60_000,
): Promise<void> {
  const m = createHubMetrics();
  const clock = { t: 0 };
  const rec = new Recorder({
    dir: `${dataDir}/recordings`,
    segmentMs,
    log: () => {},
    metrics: { frames: m.recorderFrames, bytes: m.recorderBytes, dropped: m.recorderDropped },
    now: () => clock.t,
    queueBytes: Number.MAX_SAFE_INTEGER,
  });
  for (const f of frames) {
    clock.t = f.time;
    rec.record(serial, f.jpeg);
  }
  await rec.close();
}
