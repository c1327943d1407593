/**
 * Repairs the archive a crash may have torn (hub/archive_recover.ts), since playback reads it
 * whatever the modes; then makes the {@link Recorder}, which always exists: each camera's mode
 * (its own, else `--record`) decides per frame whether its frames are written, so a camera
 * switched to `continuous` records from its next frame; one in `motion` around its motion events
 * (hub/motion_recording.ts). The recorder joins the bus only once some camera
 * may record ({@link attachWhenNeeded}): a hub that records nothing keeps its one bus
 * subscription.
 */
import type { Bus } from "../lib/bus.ts";
import { type RecordMode, recordsFrames } from "../lib/recording_mode.ts";
import { recoverArchive } from "./archive_recover.ts";
import type { HubConfig } from "./config.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";
import { Recorder } from "./recorder.ts";

/**
 * Subscribes `recorder` to `bus` the first time `mayRecord()` holds, now or at a later call of
 * the function returned (the hub calls it when a camera's mode changes). Once on the bus it
 * stays: its gate closes the segments of cameras switched off at their next frame.
 */
export function attachWhenNeeded(
  recorder: Recorder,
  bus: Bus,
  mayRecord: () => boolean,
): () => void {
  let attached = false;
  const follow = () => {
    if (attached || !mayRecord()) return;
    attached = true;
    recorder.attach(bus);
  };
  follow();
  return follow;
}

/**
 * `<data>/recordings`, or `--recordings-dir` (a recorder process's, read-only): one directory
 * per camera serial.
 */
export function recordingsDir(
  config: Pick<HubConfig, "dataDir"> & { recordingsDir?: string | null },
): string {
  return config.recordingsDir ?? `${config.dataDir}/recordings`;
}

export async function startRecorder(
  config: Pick<HubConfig, "dataDir" | "record" | "recordMaxFps" | "segmentSeconds">,
  o: {
    log: Log;
    metrics: HubMetrics;
    /** The mode in force for a camera (lib/registry.ts `recordModeOf`). */
    modeOf: (serial: string) => RecordMode;
    /** Motion recording: whether a `motion` camera records now, and its pre-roll's intake. */
    motion?: {
      recording(serial: string): boolean;
      refused(serial: string, jpeg: Uint8Array, time: number): void;
    };
    /** Whether motion detection runs (`--motion`), for the log. */
    motionDetection?: boolean;
    /** The archive is another process's (`--recordings-dir`): no repair, nothing written. */
    readOnly?: boolean;
  },
): Promise<Recorder> {
  const dir = recordingsDir(config);
  const repairs = o.readOnly ? [] : await recoverArchive(dir, o.log);
  const recorder = new Recorder({
    dir,
    segmentMs: config.segmentSeconds * 1000,
    log: o.log,
    metrics: {
      frames: o.metrics.recorderFrames,
      bytes: o.metrics.recorderBytes,
      dropped: o.metrics.recorderDropped,
      paused: o.metrics.recorderPaused,
    },
    shouldRecord: (serial) => {
      const mode = o.modeOf(serial);
      return recordsFrames(mode) || (mode === "motion" && o.motion?.recording(serial) === true);
    },
    ...(o.motion ? { refused: o.motion.refused.bind(o.motion) } : {}),
    maxFps: config.recordMaxFps,
  });
  o.log("recording", {
    mode: o.readOnly ? "read-only" : config.record,
    dir,
    repaired: repairs.length,
    maxFps: config.recordMaxFps || "all",
    ...(config.record === "motion" && o.motionDetection === false
      ? { detail: "Motion detection is off (--motion off): motion mode records nothing" }
      : {}),
  });
  return recorder;
}
