/**
 * Everything the hub runs besides its listener: the registry and its SQLite store, the
 * snapshot store, the watched revocation list and policy, the bus, the relay, the recorder
 * (each camera's recording mode decides what it writes) and retention, the MP4 export jobs,
 * the browser assets, and the {@link HubState} routes see. Opened in order; closed in reverse,
 * also when a later step fails, so a failed start leaves nothing running.
 */
import process from "node:process";
import { type Bus, InProcessBus, ownTraffic } from "../lib/bus.ts";
import { Registry } from "../lib/registry.ts";
import { remoteCameraEvents, RemoteCameras } from "../lib/remote_cameras.ts";
import { RevocationList } from "../lib/revocation.ts";
import { ALLOW_ALL, parsePolicy, type Policy } from "../lib/policy.ts";
import { KeyedBuckets } from "../lib/keyed_buckets.ts";
import { MANAGE_BURST, MANAGE_PER_MINUTE } from "../lib/roles.ts";
import type { HubState, RouteState } from "../lib/hub_state.ts";
import type { Peer } from "../lib/peer.ts";
import { StreamRegistry } from "../lib/stream_registry.ts";
import type { Manifest } from "../lib/web/router.ts";
import type { WebAssets } from "../lib/web/web_assets.ts";
import { SqliteCameraStore } from "./camera_store.ts";
import { SnapshotStore } from "./snapshot_store.ts";
import { watchParsed } from "./watch_parsed.ts";
import { watchRevocations } from "./revocation_watch.ts";
import { buildAssets } from "./assets.ts";
import { HubStartError } from "./start_error.ts";
import { Relay } from "./relay.ts";
import { attachWhenNeeded, recordingsDir, startRecorder } from "./recording.ts";
import type { Recorder } from "./recorder.ts";
import { mayRecord } from "../lib/recording_mode.ts";
import { MotionRecording } from "./motion_recording.ts";
import { openArchive } from "./archive_reader.ts";
import { openExports } from "./exports.ts";
import { type FreeSpaceSource, Retention } from "./retention.ts";
import { SegmentLeases } from "../lib/segment_leases.ts";
import { encodeMessage, motionMessage, recordingMessage } from "../lib/protocol.ts";
import { startMqttBridge } from "./mqtt_bridge.ts";
import { SqliteEventStore } from "./event_store.ts";
import { SqliteWallPrefs } from "./wall_prefs_store.ts";
import { ClusterPrefs } from "./cluster_prefs.ts";
import { MotionService } from "./motion_service.ts";
import { MotionDecoder } from "./motion_decoder.ts";
import { ReducedStreams, RESIZE_NICE } from "./reduced_streams.ts";
import { type NatsLink, openNatsLink } from "./nats_link.ts";
import { NatsBus } from "./nats_bus.ts";
import { ClusterSessions } from "./cluster_sessions.ts";
import { ClusterEvents } from "./cluster_events.ts";
import { ClusterCameras } from "./cluster_cameras.ts";
import { HubPresence } from "./hub_presence.ts";
import { HubGroups } from "./group_store.ts";
import { ClusterGroups } from "./cluster_groups.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { HubConfig } from "./config.ts";
import type { Log } from "./log.ts";

/** Ticks (seconds) between deletions of motion events older than `--retain-event-days`. */
const EVENT_RETENTION_TICKS = 600;

export interface ServicesOptions {
  manifest: Manifest<RouteState>;
  log: Log;
  metrics: HubMetrics;
  isSerial: (s: string) => boolean;
  /** Aborted when the hub shuts down; long responses end with it. */
  shutdown: AbortSignal;
  bus?: Bus;
  /** Built islands; by default built from the manifest with `deno bundle`. */
  assets?: WebAssets & { close?(): Promise<void> | void };
  /** Project root, for bundling islands. */
  root: string;
  /** Called after a new revocation list is in force (the listener closes keep-alives). */
  onRevocations?: () => void;
  /** The signer CA certificate (PEM): the CRL must be signed by it. */
  signerCaPem: string;
  /** Free space of the recordings' volume (tests inject one); statfs by default. */
  freeSpace?: FreeSpaceSource;
}

export interface Services {
  state: HubState;
  relay: Relay;
  registry: Registry;
  assets: WebAssets;
  /** The NATS connection with `--bus` (KV and the cluster's other uses share it); else null. */
  natsLink: NatsLink | null;
  /** Thin links' reduced streams (tests and the bench read their figures). */
  reduced: ReducedStreams;
  /** Whether a peer's certificate is on the revocation list in force now. */
  isRevoked(peer: Peer): boolean;
  /** Periodic work: stalls, registry and snapshot persistence (the hub calls it each second). */
  tick(ticks: number): void;
  close(): Promise<void>;
}

/**
 * The NATS bus with `--bus` (its link never holds the start up: NATS may come later), and the
 * cluster's device sessions on the same link, else the in-process bus. A random hub id per
 * start tags what this hub publishes and claims.
 */
function openBus(
  config: HubConfig,
  hubId: string,
  log: Log,
  cleanups: Array<() => unknown>,
  replace: (serial: string, session: string, by: string) => void,
): { bus: Bus; natsLink: NatsLink | null; sessions?: ClusterSessions; clusterLink?: NatsLink } {
  if (!config.bus) {
    const bus = new InProcessBus({ onError: (err) => log("bus-error", { error: err }) });
    return { bus, natsLink: null };
  }
  const link = openNatsLink({ settings: config.bus, name: `trustcam-hub-${hubId}`, log });
  cleanups.push(() => link.close());
  log("bus", { kind: "nats", servers: config.bus.servers.join(","), hub: hubId });
  // The cluster's state on a connection of its own: KV reads and writes never queue behind
  // frames. Its link logs as `cluster-*` (`cluster-connected`, ...), not `bus-*`.
  const clusterLink = openNatsLink({
    settings: config.bus,
    name: `trustcam-hub-${hubId}-cluster`,
    log: (event, fields) => log(event.replace(/^bus-/, "cluster-"), fields),
  });
  cleanups.push(() => clusterLink.close());
  const sessions = new ClusterSessions({ link: clusterLink, hubId, log, replace });
  cleanups.push(() => sessions.close());
  return { bus: new NatsBus({ link, hubId, log }), natsLink: link, sessions, clusterLink };
}

export async function openServices(config: HubConfig, o: ServicesOptions): Promise<Services> {
  const { log } = o;
  const cleanups: Array<() => unknown> = [];
  const close = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  };
  try {
    Deno.mkdirSync(config.dataDir, { recursive: true });
    const store = new SqliteCameraStore(`${config.dataDir}/trustcam.db`);
    cleanups.push(() => store.close());
    const events = new SqliteEventStore(`${config.dataDir}/events.db`);
    cleanups.push(() => events.close());
    const wallPrefs = new SqliteWallPrefs({
      path: `${config.dataDir}/prefs.db`,
      isSerial: o.isSerial,
    });
    cleanups.push(() => wallPrefs.close());
    let recorder: Recorder | undefined = undefined;
    let motion: MotionService | undefined = undefined;
    let motionRecording: MotionRecording | undefined = undefined;
    // In a cluster the registry also reports the cameras other hubs hold (their events).
    const hubId = crypto.randomUUID();
    const remote = config.bus && !o.bus ? new RemoteCameras(hubId) : undefined;
    const registry = new Registry({
      cluster: remote && { hub: hubId, remote },
      store,
      stallMs: config.stallMs,
      recorder: {
        defaultMode: config.record,
        dropped: (serial) => recorder?.stats(serial)?.dropped ?? 0,
        // Retention pauses the recorder when the disk is full.
        paused: () => recorder?.paused === true,
        motionRecording: (serial) => motionRecording?.recording(serial) === true,
      },
      motion: {
        running: () => config.motion === "on",
        active: (serial) => motion?.active(serial) === true,
      },
    });
    cleanups.push(() => registry.flush());
    const snapshots = new SnapshotStore(`${config.dataDir}/snapshots`);
    const forgetSnapshot = (serial: string) =>
      snapshots.remove(serial).catch((err) =>
        log("error", { where: "snapshots", serial, error: err })
      );

    const streams = new StreamRegistry();
    const endStreams = (allowed: (p: Peer, serial: string) => boolean, why: string) => {
      const ended = streams.enforce(allowed, why);
      for (const s of ended) {
        log("stream-ended", { cn: s.peer.cn, addr: s.peer.remoteAddress, serial: s.serial, why });
      }
      return ended.length;
    };
    let revocations = RevocationList.EMPTY;
    let policy: Policy = ALLOW_ALL;
    let relay: Relay | undefined = undefined;
    const isRevoked = (p: Peer) => revocations.isRevoked(p);
    const revocationWatch = watchRevocations({
      listPath: config.revocationFile,
      crlPath: `${config.certsDir}/crl.pem`,
      signerCaPem: o.signerCaPem,
      log,
      onChange: (list) => {
        revocations = list;
        const closed = relay?.enforceRevocations(isRevoked) ?? 0;
        const ended = endStreams((p) => !isRevoked(p), "revoked");
        if (closed || ended) log("revocations-enforced", { closed, streams: ended });
        o.onRevocations?.();
      },
    });
    cleanups.push(() => revocationWatch.close());

    if (config.policyFile) {
      const path = config.policyFile;
      const policyWatch = watchParsed(
        path,
        (text) => {
          if (text === null) throw new Error("file missing");
          return parsePolicy(text, o.isSerial);
        },
        (next) => {
          policy = next;
          log("policy", { path, policy: next.describe(), roles: next.describeRoles() });
          // Viewers' bus subscriptions are their only frame filter: bring them in step.
          relay?.policyChanged();
          relay?.groupsChanged();
          endStreams((p, serial) => next.allows(p.cn, serial), "policy");
        },
        { log, event: "policy", label: "policy file" },
      );
      cleanups.push(() => policyWatch.close());
    }

    const canSee = (viewer: string, serial: string) => policy.allows(viewer, serial);
    const groups = new HubGroups({
      path: `${config.dataDir}/groups.db`,
      policyGroups: () => policy.groupList(),
      onChange: () => relay?.groupsChanged(),
      shared: (name) => sharedGroups?.changed(name),
    });
    cleanups.push(() => groups.close());
    let sharedGroups: ClusterGroups | undefined = undefined;
    const manageTokens = new KeyedBuckets({
      ratePerSec: MANAGE_PER_MINUTE / 60,
      burst: MANAGE_BURST,
    });
    const { bus, natsLink, sessions, clusterLink } = o.bus
      ? { bus: o.bus, natsLink: null, sessions: undefined, clusterLink: undefined }
      : openBus(
        config,
        hubId,
        log,
        cleanups,
        (serial, id, by) => relay?.replaceDevice(serial, id, by),
      );
    cleanups.push(() => bus.close());
    // The recorder, motion analysis and MQTT work on this hub's own cameras only.
    const own = ownTraffic(bus);
    // One set of leases: readers take them, retention leaves what they hold.
    const leases = new SegmentLeases();
    const recordings = openArchive(recordingsDir(config), leases);
    // Thin links: through the whole bus (a NATS bus's remote cameras too), worker on demand.
    const reduced = new ReducedStreams({
      bus,
      log,
      startResizer: () => new MotionDecoder({ log, name: "resize-worker", nice: RESIZE_NICE }),
      metrics: { made: o.metrics.reducedFrames, skipped: o.metrics.reducedSkipped },
    });
    cleanups.push(() => reduced.close());
    const liveRelay = relay = new Relay({
      registry,
      bus,
      metrics: o.metrics,
      log,
      isSerial: o.isSerial,
      canSee,
      maxFrameBytes: config.maxFrameBytes,
      viewerBufferBytes: config.viewerBufferBytes,
      maxFps: config.maxFps,
      maxDimension: config.maxDimension,
      recordings,
      sessions,
      remoteEvent: remote && remoteCameraEvents(remote, (serial) => registry.get(serial)),
      movedTo: remote && ((serial, hub) => {
        const camera = registry.get(serial);
        if (camera) remote.event(hub, "online", { ...camera, state: "online", hub }, Date.now());
      }),
      reduced,
    });
    cleanups.push(() => snapshots.flush(liveRelay.latest));
    // Which other hubs live: the cameras of one that went quiet read offline here.
    const presence = clusterLink && remote && new HubPresence({
      link: clusterLink,
      hubId,
      remote,
      held: () => [...liveRelay.devices.keys()],
      describe: (serial) => registry.get(serial) ?? registry.placeholder(serial),
      changed: (cameras) => cameras.forEach((c) => liveRelay.announceElsewhere(c)),
      log,
    });
    if (presence) cleanups.push(() => presence.close());
    const liveMotion = motion = MotionService.open({
      enabled: config.motion === "on",
      bus: own,
      settingsOf: (serial) => registry.motionSettingsOf(serial),
      store: events,
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
      bus.publishEvent({ serial: n.camera, payload: { ...motionMessage(n) } })
    );
    // `--recordings-dir`: another process writes that archive; this hub only reads it.
    const readOnly = config.recordingsDir !== null;
    const liveMotionRecording = motionRecording = new MotionRecording({
      preRollMs: config.motionPreRollMs,
      postRollMs: config.motionPostRollMs,
      feed: liveMotion,
      // No pre-roll where no event can start (--motion off, or off for the camera).
      isMotionMode: (serial) =>
        !readOnly && registry.recordModeOf(serial) === "motion" && config.motion === "on" &&
        registry.motionSettingsOf(serial).enabled,
      record: (serial, jpeg, time) => recorder?.record(serial, jpeg, time),
      onChange: (serial) => liveRelay.announce(serial, "recording"),
      onDropped: (serial) => o.metrics.motionPreRollDropped.inc({ serial }),
    });
    cleanups.push(() => liveMotionRecording.close());
    const liveRecorder = recorder = await startRecorder(config, {
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
      own,
      () =>
        !readOnly && (mayRecord(config.record) || registry.hasOwnRecordMode("continuous") ||
          registry.hasOwnRecordMode("motion")),
    );
    const retention = readOnly ? null : new Retention({
      dir: recordingsDir(config),
      limits: config,
      leases,
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
        for (const v of liveRelay.viewers) v.sendText(text);
        // Each camera's `recording` flag follows the pause: tell the pages.
        for (const c of registry.list()) liveRelay.announce(c.serial, "recording");
      },
    });
    cleanups.push(() => retention?.close());
    const sweep = () =>
      retention?.sweep().catch((err) => log("error", { where: "retention", error: err }));
    sweep();
    const expireEvents = () => {
      try {
        const deleted = events.deleteEndedBefore(Date.now() - config.retainEventMs);
        if (deleted > 0) log("event-retention", { deleted });
      } catch (err) {
        log("error", { where: "event-retention", error: err });
      }
    };
    expireEvents();
    // Before the recorder closes: a running export reads what it wrote.
    const exports = await openExports({
      dir: `${config.dataDir}/exports`,
      archive: recordings,
      maxRunning: config.maxExports,
      streams,
      log,
    });
    cleanups.push(() => exports.close());

    const assets = o.assets ?? await buildAssets({
      root: o.root,
      manifest: o.manifest,
      dev: config.dev,
      log: (line: string) => log("assets", { detail: line }),
    }).catch((err) => {
      throw new HubStartError(`Cannot build the browser bundle: ${err.message}`, undefined, {
        cause: err,
      });
    });
    cleanups.push(() => assets.close?.());

    // Any hub answers for the events in its store; a hub asked for events asks them all.
    const clusterEvents = clusterLink &&
      new ClusterEvents({ link: clusterLink, store: events, log });
    if (clusterEvents) cleanups.push(() => clusterEvents.close());

    const announceHere = (serial: string, event: Parameters<HubState["announce"]>[1]) => {
      // A camera set to record may be the first: the recorder joins the bus before its frame.
      if (event === "recording") followModes();
      if (event === "motion") liveMotion.settingsChanged(serial);
      liveRelay.announce(serial, event);
      registry.flush();
    };
    // Names and settings shared with the other hubs (a KV bucket), on the cluster's link.
    const sharedCameras = clusterLink && new ClusterCameras({
      link: clusterLink,
      hubId,
      log,
      settingsOf: (serial) => registry.settingsOf(serial),
      apply(serial, settings) {
        for (const event of registry.applySettings(serial, settings)) {
          announceHere(serial, event);
        }
      },
      removed(serial) {
        const camera = registry.get(serial);
        if (camera && registry.forget(serial)) {
          liveRelay.announceRemoved(camera);
          forgetSnapshot(serial);
        }
      },
    });
    if (sharedCameras) cleanups.push(() => sharedCameras.close());
    // The admins' groups, shared the same way (a bucket of their own).
    sharedGroups = clusterLink && new ClusterGroups({
      link: clusterLink,
      hubId,
      log,
      camerasOf: (name) => groups.camerasOf(name),
      apply: (name, cameras) => groups.apply(name, cameras),
    });
    const closeGroups = sharedGroups;
    if (closeGroups) cleanups.push(() => closeGroups.close());
    // Each viewer's wall layout, the same on every hub.
    const sharedPrefs = clusterLink && new ClusterPrefs({
      link: clusterLink,
      hubId,
      log,
      local: wallPrefs,
      isSerial: o.isSerial,
    });
    if (sharedPrefs) cleanups.push(() => sharedPrefs.close());
    const state: HubState = {
      registry,
      bus,
      metrics: o.metrics.metrics,
      canSee,
      isAdmin: (viewer) => policy.isAdmin(viewer),
      mayScrape: (viewer) => policy.mayScrape(viewer),
      takeManageToken: (viewer) => manageTokens.take(viewer),
      isSerial: o.isSerial,
      latestJpeg(serial) {
        const f = liveRelay.latest.get(serial);
        return f ? f.data.subarray(0, f.jpegLength) : snapshots.get(serial);
      },
      heldElsewhere: sessions && ((serial) => !liveRelay.devices.has(serial)),
      announce(serial, event) {
        announceHere(serial, event);
        sharedCameras?.changed(serial);
      },
      removeCamera(serial) {
        const camera = registry.remove(serial);
        liveRelay.announceRemoved(camera);
        forgetSnapshot(serial);
        groups.forgetCamera(camera.serial);
        sharedCameras?.removed(camera.serial);
        return camera;
      },
      shutdown: o.shutdown,
      streams,
      recordings,
      exports,
      motion: liveMotion,
      events,
      clusterEvents,
      groups,
      wallPrefs: sharedPrefs || wallPrefs,
    };
    o.metrics.metrics.collect(() => {
      const counts = liveRelay.connectionCounts;
      o.metrics.connections.set({ role: "device" }, counts.device);
      o.metrics.connections.set({ role: "viewer" }, counts.viewer);
      o.metrics.streams.set(streams.size);
      o.metrics.busSubscriptions.set(bus.size ?? 0);
      // For leak checks (the bench's soak): a list of the live handles, built per scrape only.
      let timers = 0;
      for (const r of process.getActiveResourcesInfo()) if (r === "Timeout") timers++;
      o.metrics.timers.set(timers);
    });

    if (config.mqtt) {
      // An operator's sink: sees every camera, whatever the policy (README, Home Assistant).
      const mqtt = await startMqttBridge({
        settings: config.mqtt,
        certsDir: config.certsDir,
        log,
        metrics: o.metrics,
        cameras: () => registry.list(),
        latestJpeg: (serial) => state.latestJpeg(serial),
        bus: own,
        motion: state.motion,
      });
      cleanups.push(() => mqtt.close());
    }

    const tick = (ticks: number) => {
      presence?.tick();
      for (const serial of registry.tick()) liveRelay.announce(serial, "stalled");
      liveRecorder.flush().catch((err) => log("error", { where: "recorder", error: err }));
      if (retention?.due(ticks)) sweep();
      if (ticks % EVENT_RETENTION_TICKS === 0) expireEvents();
      if (ticks % 2 === 0) liveRelay.broadcastStats();
      if (ticks % 10 === 0) {
        exports.expire().catch((err) => log("error", { where: "exports", error: err }));
      }
      if (ticks % 5 === 0) {
        registry.flush();
        snapshots.flush(liveRelay.latest).catch((err) =>
          log("error", { where: "snapshots", error: err })
        );
      }
    };
    return {
      state,
      relay: liveRelay,
      registry,
      assets,
      natsLink,
      reduced,
      isRevoked,
      tick,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
