/**
 * The recorder process of a cluster (`deno task recorder`, cli/recorder.ts): no listener, no
 * cameras of its own; a NATS bus that wants every camera (hub/nats_bus.ts `wantAll`), the hub's
 * recorder, retention and, with `--motion on`, motion analysis and motion recording, wired as
 * hub/recording_services.ts wires them, so `<data>/recordings` has the hub's layout and any hub
 * given it (`--recordings-dir`) plays it back. Opened in order, closed in reverse, also when a later
 * step fails: closing writes what is queued and closes every segment.
 */
import type { Bus } from "../lib/bus.ts";
import type { MotionSettings } from "../lib/motion_settings.ts";
import type { RecorderOptions } from "../lib/recorder_options.ts";
import type { RecordMode } from "../lib/recording_mode.ts";
import { Registry } from "../lib/registry.ts";
import { SegmentLeases } from "../lib/segment_leases.ts";
import { SqliteCameraStore } from "./camera_store.ts";
import { SqliteEventStore } from "./event_store.ts";
import { createHubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";
import { MotionRecording } from "./motion_recording.ts";
import { MotionService } from "./motion_service.ts";
import { NatsBus } from "./nats_bus.ts";
import { type NatsLink, openNatsLink } from "./nats_link.ts";
import type { Recorder } from "./recorder.ts";
import { recordingsDir, startRecorder } from "./recording.ts";
import { type FreeSpaceSource, Retention } from "./retention.ts";

/** Ticks (seconds) between deletions of motion events older than `--retain-event-days`. */
const EVENT_RETENTION_TICKS = 600;

/**
 * What the recorder asks of each camera. Today its own SQLite registry in `<data>` answers,
 * with `--record` and the motion defaults for a camera it has no settings for; a cluster
 * registry can answer instead.
 */
export interface CameraSettings {
  recordModeOf(serial: string): RecordMode;
  motionSettingsOf(serial: string): Readonly<MotionSettings>;
}

export interface ClusterRecorderOptions {
  log: Log;
  /** Per-camera settings; the registry in `<data>/trustcam.db` by default. */
  settings?: CameraSettings;
  /** Free space of the recordings' volume (tests inject one); statfs by default. */
  freeSpace?: FreeSpaceSource;
}

export interface ClusterRecorder {
  readonly bus: NatsBus;
  readonly link: NatsLink;
  readonly recorder: Recorder;
  /** The process's id on the bus (tags what it publishes). */
  readonly id: string;
  close(): Promise<void>;
}

export async function startClusterRecorder(
  config: Omit<RecorderOptions, "mode">,
  o: ClusterRecorderOptions,
): Promise<ClusterRecorder> {
  if (!config.bus) throw new RangeError("The recorder needs a bus");
  const { log } = o;
  const cleanups: Array<() => unknown> = [];
  const close = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        log("error", { where: "recorder-close", error: err });
      }
    }
  };
  try {
    Deno.mkdirSync(config.dataDir, { recursive: true });
    let settings = o.settings;
    if (!settings) {
      const store = new SqliteCameraStore(`${config.dataDir}/trustcam.db`);
      cleanups.push(() => store.close());
      settings = new Registry({
        store,
        recorder: { defaultMode: config.record, dropped: () => 0, paused: () => false },
      });
    }
    const cameras = settings;
    const events = new SqliteEventStore(`${config.dataDir}/events.db`);
    cleanups.push(() => events.close());
    const metrics = createHubMetrics();

    const id = `recorder-${crypto.randomUUID()}`;
    const link = openNatsLink({ settings: config.bus, name: `trustcam-${id}`, log });
    cleanups.push(() => link.close());
    const bus = new NatsBus({ link, hubId: id, log, wantAll: true });
    cleanups.push(() => bus.close());
    log("bus", { kind: "nats", servers: config.bus.servers.join(","), recorder: id });

    let recorder: Recorder | undefined = undefined;
    const motion = MotionService.open({
      enabled: config.motion === "on",
      bus: bus as Bus,
      settingsOf: (serial) => cameras.motionSettingsOf(serial),
      store: events,
      log,
      metrics: {
        analyzed: metrics.motionAnalyzed,
        skipped: metrics.motionSkipped,
        events: metrics.motionEvents,
      },
    });
    cleanups.push(() => motion.close());
    const motionRecording = new MotionRecording({
      preRollMs: config.motionPreRollMs,
      postRollMs: config.motionPostRollMs,
      feed: motion,
      isMotionMode: (serial) =>
        cameras.recordModeOf(serial) === "motion" && config.motion === "on" &&
        cameras.motionSettingsOf(serial).enabled,
      record: (serial, jpeg, time) => recorder?.record(serial, jpeg, time),
      onChange: () => {},
      onDropped: (serial) => metrics.motionPreRollDropped.inc({ serial }),
    });
    cleanups.push(() => motionRecording.close());
    const live = recorder = await startRecorder(config, {
      log,
      metrics,
      modeOf: (serial) => cameras.recordModeOf(serial),
      motion: motionRecording,
      motionDetection: config.motion === "on",
    });
    cleanups.push(() => live.close());
    live.attach(bus);

    const retention = new Retention({
      dir: recordingsDir(config),
      limits: config,
      leases: new SegmentLeases(),
      log,
      metrics: {
        deletedBytes: metrics.retentionDeletedBytes,
        deletedSegments: metrics.retentionDeletedSegments,
        paused: metrics.recordingPaused,
      },
      recorder: live,
      freeSpace: o.freeSpace,
    });
    cleanups.push(() => retention.close());
    const sweep = () =>
      retention.sweep().catch((err) => log("error", { where: "retention", error: err }));
    const expireEvents = () => {
      try {
        const deleted = events.deleteEndedBefore(Date.now() - config.retainEventMs);
        if (deleted > 0) log("event-retention", { deleted });
      } catch (err) {
        log("error", { where: "event-retention", error: err });
      }
    };
    sweep();
    expireEvents();

    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      live.flush().catch((err) => log("error", { where: "recorder", error: err }));
      if (retention.due(ticks)) sweep();
      if (ticks % EVENT_RETENTION_TICKS === 0) expireEvents();
    }, 1000);
    cleanups.push(() => clearInterval(timer));
    log("recorder-started", { data: config.dataDir, record: config.record, motion: config.motion });
    return { bus, link, recorder: live, id, close };
  } catch (err) {
    await close();
    throw err;
  }
}
