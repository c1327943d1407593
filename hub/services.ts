/**
 * Everything the hub runs besides its listener: the registry and its SQLite store, the
 * snapshot store, the watched revocation list and policy (hub/trust_watch.ts), the bus and the
 * cluster's shared state (hub/cluster_services.ts), the relay, the recorder and retention
 * (hub/recording_services.ts), the MP4 export jobs, the browser assets, and the
 * {@link HubState} routes see. Opened in order; closed in reverse, also when a later step
 * fails, so a failed start leaves nothing running: each room pushes its closes onto the one
 * `cleanups` stack as it opens.
 */
import process from "node:process";
import { type Bus, ownTraffic } from "../lib/bus.ts";
import { Registry } from "../lib/registry.ts";
import { remoteCameraEvents, RemoteCameras } from "../lib/remote_cameras.ts";
import { KeyedBuckets } from "../lib/keyed_buckets.ts";
import { MANAGE_BURST, MANAGE_PER_MINUTE } from "../lib/roles.ts";
import type { HubState, RouteState } from "../lib/hub_state.ts";
import type { Peer } from "../lib/peer.ts";
import { StreamRegistry } from "../lib/stream_registry.ts";
import type { Manifest } from "../lib/web/router.ts";
import type { WebAssets } from "../lib/web/web_assets.ts";
import { SqliteCameraStore } from "./camera_store.ts";
import { SnapshotStore } from "./snapshot_store.ts";
import { buildAssets } from "./assets.ts";
import { HubStartError } from "./start_error.ts";
import { Relay } from "./relay.ts";
import { recordingsDir } from "./recording.ts";
import { openArchive } from "./archive_reader.ts";
import { openExports } from "./exports.ts";
import type { FreeSpaceSource } from "./retention.ts";
import { SegmentLeases } from "../lib/segment_leases.ts";
import { startMqttBridge } from "./mqtt_bridge.ts";
import { SqliteEventStore } from "./event_store.ts";
import { SqliteWallPrefs } from "./wall_prefs_store.ts";
import { MotionDecoder } from "./motion_decoder.ts";
import { ReducedStreams, RESIZE_NICE } from "./reduced_streams.ts";
import type { NatsLink } from "./nats_link.ts";
import { HubGroups } from "./group_store.ts";
import type { ClusterGroups } from "./cluster_groups.ts";
import { openBus, openPresence, openSharedState } from "./cluster_services.ts";
import { openRecording, type RecordingRefs, recordingStatus } from "./recording_services.ts";
import { openTrustWatch } from "./trust_watch.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { HubConfig } from "./config.ts";
import type { Log } from "./log.ts";

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
    const recordingRefs: RecordingRefs = {};
    // In a cluster the registry also reports the cameras other hubs hold (their events).
    const hubId = crypto.randomUUID();
    const remote = config.bus && !o.bus ? new RemoteCameras(hubId) : undefined;
    const registry = new Registry({
      cluster: remote && { hub: hubId, remote },
      store,
      stallMs: config.stallMs,
      ...recordingStatus(config, recordingRefs),
    });
    cleanups.push(() => registry.flush());
    const snapshots = new SnapshotStore(`${config.dataDir}/snapshots`);
    const forgetSnapshot = (serial: string) =>
      snapshots.remove(serial).catch((err) =>
        log("error", { where: "snapshots", serial, error: err })
      );

    const streams = new StreamRegistry();
    let relay: Relay | undefined = undefined;
    const trust = openTrustWatch(config, {
      log,
      isSerial: o.isSerial,
      signerCaPem: o.signerCaPem,
      onRevocations: o.onRevocations,
      streams,
      relay: () => relay,
    }, cleanups);
    const { canSee, isRevoked } = trust;
    const groups = new HubGroups({
      path: `${config.dataDir}/groups.db`,
      policyGroups: () => trust.policy().groupList(),
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
    const presence = openPresence(
      { clusterLink, remote, hubId, registry, relay: liveRelay, log },
      cleanups,
    );
    const recording = await openRecording(
      config,
      {
        log,
        metrics: o.metrics,
        registry,
        bus,
        own,
        events,
        leases,
        relay: liveRelay,
        freeSpace: o.freeSpace,
      },
      recordingRefs,
      cleanups,
    );
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

    const announceHere = (serial: string, event: Parameters<HubState["announce"]>[1]) => {
      // A camera set to record may be the first: the recorder joins the bus before its frame.
      if (event === "recording") recording.followModes();
      if (event === "motion") recording.motion.settingsChanged(serial);
      liveRelay.announce(serial, event);
      registry.flush();
    };
    const shared = openSharedState({
      clusterLink,
      hubId,
      log,
      registry,
      relay: liveRelay,
      events,
      groups,
      wallPrefs,
      isSerial: o.isSerial,
      announceHere,
      forgetSnapshot,
    }, cleanups);
    sharedGroups = shared.groups;
    const state: HubState = {
      registry,
      bus,
      metrics: o.metrics.metrics,
      canSee,
      isAdmin: (viewer) => trust.policy().isAdmin(viewer),
      mayScrape: (viewer) => trust.policy().mayScrape(viewer),
      takeManageToken: (viewer) => manageTokens.take(viewer),
      isSerial: o.isSerial,
      latestJpeg(serial) {
        const f = liveRelay.latest.get(serial);
        return f ? f.data.subarray(0, f.jpegLength) : snapshots.get(serial);
      },
      heldElsewhere: sessions && ((serial) => !liveRelay.devices.has(serial)),
      announce(serial, event) {
        announceHere(serial, event);
        shared.cameras?.changed(serial);
      },
      removeCamera(serial) {
        const camera = registry.remove(serial);
        liveRelay.announceRemoved(camera);
        forgetSnapshot(serial);
        groups.forgetCamera(camera.serial);
        shared.cameras?.removed(camera.serial);
        return camera;
      },
      shutdown: o.shutdown,
      streams,
      recordings,
      exports,
      motion: recording.motion,
      events,
      clusterEvents: shared.clusterEvents,
      groups,
      wallPrefs: shared.prefs || wallPrefs,
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
      recording.tick(ticks);
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
