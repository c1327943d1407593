/**
 * What a hub in a cluster (`--bus`) shares with the others: the NATS bus and the device
 * sessions, which hubs live (their cameras read offline here when one goes quiet), and on the
 * cluster's own link the motion events, camera names and settings, groups and wall layouts.
 * Without `--bus` none of it opens and the in-process bus carries the frames.
 */
import { type Bus, InProcessBus } from "../lib/bus.ts";
import type { HubState } from "../lib/hub_state.ts";
import type { Registry } from "../lib/registry.ts";
import type { RemoteCameras } from "../lib/remote_cameras.ts";
import { ClusterCameras } from "./cluster_cameras.ts";
import { ClusterEvents } from "./cluster_events.ts";
import { ClusterGroups } from "./cluster_groups.ts";
import { ClusterPrefs } from "./cluster_prefs.ts";
import { ClusterSessions } from "./cluster_sessions.ts";
import type { HubConfig } from "./config.ts";
import type { SqliteEventStore } from "./event_store.ts";
import type { HubGroups } from "./group_store.ts";
import { HubPresence } from "./hub_presence.ts";
import type { Log } from "./log.ts";
import { NatsBus } from "./nats_bus.ts";
import { type NatsLink, openNatsLink } from "./nats_link.ts";
import type { Relay } from "./relay.ts";
import type { SqliteWallPrefs } from "./wall_prefs_store.ts";

/**
 * The NATS bus with `--bus` (its link never holds the start up: NATS may come later), and the
 * cluster's device sessions on the same link, else the in-process bus. A random hub id per
 * start tags what this hub publishes and claims.
 */
export function openBus(
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

/** Which other hubs live: the cameras of one that went quiet read offline here. */
export function openPresence(
  o: {
    clusterLink: NatsLink | undefined;
    remote: RemoteCameras | undefined;
    hubId: string;
    registry: Registry;
    relay: Relay;
    log: Log;
  },
  cleanups: Array<() => unknown>,
): HubPresence | undefined {
  const { clusterLink, remote, registry, relay } = o;
  const presence = clusterLink && remote && new HubPresence({
    link: clusterLink,
    hubId: o.hubId,
    remote,
    held: () => [...relay.devices.keys()],
    describe: (serial) => registry.get(serial) ?? registry.placeholder(serial),
    changed: (cameras) => cameras.forEach((c) => relay.announceElsewhere(c)),
    log: o.log,
  });
  if (presence) cleanups.push(() => presence.close());
  return presence;
}

export interface SharedStateOptions {
  clusterLink: NatsLink | undefined;
  hubId: string;
  log: Log;
  registry: Registry;
  relay: Relay;
  events: SqliteEventStore;
  groups: HubGroups;
  wallPrefs: SqliteWallPrefs;
  isSerial: (s: string) => boolean;
  /** Tells this hub's viewers (and recorder, motion analysis) of a camera's changed setting. */
  announceHere: HubState["announce"];
  /** Deletes a removed camera's last snapshot. */
  forgetSnapshot(serial: string): void;
}

/** The shared state on the cluster's link; all absent without one. */
export interface SharedState {
  clusterEvents?: ClusterEvents;
  cameras?: ClusterCameras;
  groups?: ClusterGroups;
  prefs?: ClusterPrefs;
}

/** Opens the shared state in order, pushing each close onto `cleanups` as it opens. */
export function openSharedState(
  o: SharedStateOptions,
  cleanups: Array<() => unknown>,
): SharedState {
  const { clusterLink, hubId, log, registry } = o;
  if (!clusterLink) return {};
  // Any hub answers for the events in its store; a hub asked for events asks them all.
  const clusterEvents = new ClusterEvents({ link: clusterLink, store: o.events, log });
  cleanups.push(() => clusterEvents.close());
  // Names and settings shared with the other hubs (a KV bucket), on the cluster's link.
  const cameras = new ClusterCameras({
    link: clusterLink,
    hubId,
    log,
    settingsOf: (serial) => registry.settingsOf(serial),
    apply(serial, settings) {
      for (const event of registry.applySettings(serial, settings)) {
        o.announceHere(serial, event);
      }
    },
    removed(serial) {
      const camera = registry.get(serial);
      if (camera && registry.forget(serial)) {
        o.relay.announceRemoved(camera);
        o.forgetSnapshot(serial);
      }
    },
  });
  cleanups.push(() => cameras.close());
  // The admins' groups, shared the same way (a bucket of their own).
  const groups = new ClusterGroups({
    link: clusterLink,
    hubId,
    log,
    camerasOf: (name) => o.groups.camerasOf(name),
    apply: (name, cameras) => o.groups.apply(name, cameras),
  });
  cleanups.push(() => groups.close());
  // Each viewer's wall layout, the same on every hub.
  const prefs = new ClusterPrefs({
    link: clusterLink,
    hubId,
    log,
    local: o.wallPrefs,
    isSerial: o.isSerial,
  });
  cleanups.push(() => prefs.close());
  return { clusterEvents, cameras, groups, prefs };
}
