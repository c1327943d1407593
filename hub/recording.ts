/**
 * Repairs the archive a crash may have torn (hub/archive_recover.ts), whatever the mode, since
 * playback reads it either way; then starts recording as `--record` says: `continuous`
 * subscribes a {@link Recorder} to the bus, `motion` records nothing until motion detection
 * exists and says so in the log.
 */
import type { Bus } from "../lib/bus.ts";
import { recoverArchive } from "./archive_recover.ts";
import type { HubConfig } from "./config.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";
import { Recorder } from "./recorder.ts";

/** `<data>/recordings`: one directory per camera serial. */
export function recordingsDir(config: Pick<HubConfig, "dataDir">): string {
  return `${config.dataDir}/recordings`;
}

export async function startRecorder(
  config: Pick<HubConfig, "dataDir" | "record" | "segmentSeconds">,
  o: { bus: Bus; log: Log; metrics: HubMetrics },
): Promise<Recorder | undefined> {
  const dir = recordingsDir(config);
  const repairs = await recoverArchive(dir, o.log);
  if (config.record === "motion") {
    o.log("recording", { mode: "motion", detail: "Motion detection does not exist yet: off" });
    return undefined;
  }
  if (config.record !== "continuous") return undefined;
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
  });
  recorder.attach(o.bus);
  o.log("recording", { mode: "continuous", dir, repaired: repairs.length });
  return recorder;
}
