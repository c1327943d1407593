/**
 * The hub's recording side: motion analysis (hub/motion_service.ts), motion recording's
 * pre-roll (hub/motion_recording.ts), the recorder (each camera's mode decides what it writes,
 * hub/recording.ts), retention, and the expiry of old motion events. With `--recordings-dir`
 * the archive is another process's: nothing is written or deleted here.
 */
import type { Bus } from "../lib/bus.ts";
import type { MotionStatus } from "../lib/motion_status.ts";
import { encodeMessage, motionMessage, recordingMessage } from "../lib/protocol.ts";
import { mayRecord, type RecorderStatus } from "../lib/recording_mode.ts";
import type { Registry } from "../lib/registry.ts";
import type { SegmentLeases } from "../lib/segment_leases.ts";
import type { HubConfig } from "./config.ts";
import type { SqliteEventStore } from "./event_store.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";
import { MotionRecording } from "./motion_recording.ts";
import { MotionService } from "./motion_service.ts";
import type { Recorder } from "./recorder.ts";
import { attachWhenNeeded, recordingsDir, startRecorder } from "./recording.ts";
import type { Relay } from "./relay.ts";
import { type FreeSpaceSource, Retention } from "./retention.ts";

/** Ticks (seconds) between deletions of motion events older than `--retain-event-days`. */
const EVENT_RETENTION_TICKS = 600;

/**
 * The recording side as it opens: the registry is made before it and reads each part from
 * here, so each is set the moment it exists.
 */
export interface RecordingRefs {
  recorder?: Recorder;
  motion?: MotionService;
  motionRecording?: MotionRecording;
}

/** What the registry's CAMERA objects say of recording and motion, read through `refs`. */
export function recordingStatus(
  config: Pick<HubConfig, "record" | "motion">,
  refs: RecordingRefs,
): { recorder: RecorderStatus; motion: MotionStatus } {
  return {
    recorder: {
      defaultMode: config.record,
      dropped: (serial) => refs.recorder?.stats(serial)?.dropped ?? 0,
      // Retention pauses the recorder when the disk is full.
      paused: () => refs.recorder?.paused === true,
      motionRecording: (serial) => refs.motionRecording?.recording(serial) === true,
    },
    motion: {
      running: () => config.motion === "on",
      active: (serial) => refs.motion?.active(serial) === true,
    },
  };
}

export interface RecordingServicesOptions {
  log: Log;
  metrics: HubMetrics;
  registry: Registry;
  /** The whole bus: motion events go out on it to every hub's viewers. */
  bus: Bus;
  /** This hub's own cameras' traffic: the only frames analyzed and recorded here. */
  own: Bus;
  events: SqliteEventStore;
  /** The archive's readers' leases: retention leaves what they hold. */
  leases: SegmentLeases;
  relay: Relay;
  /** Free space of the recordings' volume (tests inject one); statfs by default. */
  freeSpace?: FreeSpaceSource;
}

export interface RecordingServices {
  motion: MotionService;
  recorder: Recorder;
  /** Joins the recorder to the bus once some camera may record (call it when a mode changes). */
  followModes: () => void;
  /** Periodic work: the recorder's flush, retention's sweep when due, old events' expiry. */
  tick(ticks: number): void;
}

/**
 * Opens the recording side in order, setting each part in `refs` and pushing its close onto
 * `cleanups` as it opens; then sweeps and expires once.
 */
export async function openRecording(
  config: HubConfig,
  o: RecordingServicesOptions,
  refs: RecordingRefs,
  cleanups: Array<() => unknown>,
): Promise<RecordingServices> {
  const { log, registry, relay } = o;
  const liveMotion = refs.motion = MotionService.open({
    enabled: config.motion === "on",
    bus: o.own,
    settingsOf: (serial) => registry.motionSettingsOf(serial),
    store: o.events,
    log,
    metrics: {
      analyzed: o.metrics.motionAnalyzed,
      skipped: o.metrics.motionSkipped,
      events: o.metrics.motionEvents,
    },
  });
  cleanups.push(() => liveMotion.close());
  // Viewers hear of the events of the cameras they may see, through the relay's events.
  liveMotion.subscribe((n) =>
    o.bus.publishEvent({ serial: n.camera, payload: { ...motionMessage(n) } })
  );
  // `--recordings-dir`: another process writes that archive; this hub only reads it.
  const readOnly = config.recordingsDir !== null;
  const liveMotionRecording = refs.motionRecording = new MotionRecording({
    preRollMs: config.motionPreRollMs,
    postRollMs: config.motionPostRollMs,
    feed: liveMotion,
    // No pre-roll where no event can start (--motion off, or off for the camera).
    isMotionMode: (serial) =>
      !readOnly && registry.recordModeOf(serial) === "motion" && config.motion === "on" &&
      registry.motionSettingsOf(serial).enabled,
    record: (serial, jpeg, time) => refs.recorder?.record(serial, jpeg, time),
    onChange: (serial) => relay.announce(serial, "recording"),
    onDropped: (serial) => o.metrics.motionPreRollDropped.inc({ serial }),
  });
  cleanups.push(() => liveMotionRecording.close());
  const liveRecorder = refs.recorder = await startRecorder(config, {
    log,
    metrics: o.metrics,
    readOnly,
    modeOf: (serial) => readOnly ? "off" : registry.recordModeOf(serial),
    motion: liveMotionRecording,
    motionDetection: config.motion === "on",
  });
  cleanups.push(() => liveRecorder.close());
  const followModes = attachWhenNeeded(
    liveRecorder,
    o.own,
    () =>
      !readOnly && (mayRecord(config.record) || registry.hasOwnRecordMode("continuous") ||
        registry.hasOwnRecordMode("motion")),
  );
  const retention = readOnly ? null : new Retention({
    dir: recordingsDir(config),
    limits: config,
    leases: o.leases,
    log,
    metrics: {
      deletedBytes: o.metrics.retentionDeletedBytes,
      deletedSegments: o.metrics.retentionDeletedSegments,
      paused: o.metrics.recordingPaused,
    },
    recorder: liveRecorder,
    freeSpace: o.freeSpace,
    onPauseChange: (paused, reason) => {
      const text = encodeMessage(recordingMessage(paused ? "paused" : "resumed", reason));
      for (const v of relay.viewers) v.sendText(text);
      // Each camera's `recording` flag follows the pause: tell the pages.
      for (const c of registry.list()) relay.announce(c.serial, "recording");
    },
  });
  cleanups.push(() => retention?.close());
  const sweep = () =>
    retention?.sweep().catch((err) => log("error", { where: "retention", error: err }));
  sweep();
  const expireEvents = () => {
    try {
      const deleted = o.events.deleteEndedBefore(Date.now() - config.retainEventMs);
      if (deleted > 0) log("event-retention", { deleted });
    } catch (err) {
      log("error", { where: "event-retention", error: err });
    }
  };
  expireEvents();
  return {
    motion: liveMotion,
    recorder: liveRecorder,
    followModes,
    tick(ticks) {
      liveRecorder.flush().catch((err) => log("error", { where: "recorder", error: err }));
      if (retention?.due(ticks)) sweep();
      if (ticks % EVENT_RETENTION_TICKS === 0) expireEvents();
    },
  };
}
