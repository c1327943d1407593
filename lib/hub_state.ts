/**
 * What routes may use of the running hub, and nothing more: routes get it as `ctx.state`
 * together with the peer that asks, never sockets, so they are tested with a plain Request.
 * hub/ implements it; routes/ and this file never import hub/.
 */
import type { Registry } from "./registry.ts";
import type { Metrics } from "./metrics.ts";
import type { Bus } from "./bus.ts";
import type { Peer } from "./peer.ts";
import type { StreamRegistry } from "./stream_registry.ts";
import type { RecordingArchive } from "./recordings.ts";
import type { ExportJobs } from "./exports.ts";
import type { MotionFeed } from "./motion_notice.ts";
import type { EventLog } from "./motion_event_log.ts";
import type { ClusterEventReader } from "./cluster_events.ts";
import type { WallPrefsStore } from "./wall_prefs.ts";
import type { CameraGroups, EditableCameraGroups } from "./camera_groups.ts";
import type { CameraInfo } from "./registry.ts";
import type { Handlers, PageProps, RouteContext } from "./web/router.ts";

export interface HubState {
  registry: Registry;
  bus: Bus;
  metrics: Metrics;
  /** Whether a viewer CN may see a camera, per the access policy in force now. */
  canSee(viewer: string, serial: string): boolean;
  /**
   * Whether a viewer CN is an admin (may manage cameras, reads the counts), per the policy in
   * force now; every viewer when there is no policy file. Use lib/roles.ts, which also checks
   * the certificate's role.
   */
  isAdmin(viewer: string): boolean;
  /** Whether a viewer CN may read `/metrics`: admins and the policy's `metrics` names. */
  mayScrape(viewer: string): boolean;
  /** Spends one of the viewer's management tokens; false when it manages too fast. */
  takeManageToken(viewer: string): boolean;
  /** True for strings that match the device serial pattern. */
  isSerial(s: string): boolean;
  /** The latest valid JPEG a camera sent since the hub started. */
  latestJpeg(serial: string): Uint8Array | undefined;
  /**
   * Whether another hub may hold `serial` now: on a cluster bus, for a camera with no device
   * session on this hub. Its frames then reach this hub only while something here subscribes
   * to it on the bus (snapshot and MJPEG routes do). Absent on a lone hub.
   */
  heldElsewhere?(serial: string): boolean;
  /**
   * Announces a rename, a recording mode change or a motion settings change to viewers (the
   * route has already updated the registry); the hub's services follow the change.
   */
  announce(serial: string, event: "renamed" | "recording" | "motion" | "hidden"): void;
  /**
   * Removes an offline camera (Registry.remove: 409 TC_ERR_CAMERA_ONLINE while online or
   * stalled, 404 when unknown), here and on the other hubs, and tells viewers (`removed`).
   * Returns it as it was. Recordings and motion events stay.
   */
  removeCamera(serial: string): CameraInfo;
  /** Aborts when the hub shuts down: long responses (MJPEG) end with it. */
  shutdown: AbortSignal;
  /** Long-lived responses register here; revocation and policy changes end them. */
  streams: StreamRegistry;
  /** The recording archive, readable whatever `--record` says (absent in page tests). */
  recordings?: RecordingArchive;
  /** MP4 export jobs (absent in page tests). */
  exports?: ExportJobs;
  /** Motion events as they start and end (absent in page tests): viewers, MQTT subscribe. */
  motion?: MotionFeed;
  /** The stored motion events (absent in page tests). */
  events?: EventLog;
  /**
   * The stored motion events of every hub, this one's included (with `--bus`): routes list
   * and find thumbnails through it when present, else through `events`.
   */
  clusterEvents?: ClusterEventReader;
  /** Each viewer's wall preferences, keyed by certificate CN (absent in page tests). */
  wallPrefs?: WallPrefsStore;
  /** Camera groups: the policy's and those admins define (absent in page tests). */
  groups?: CameraGroups | EditableCameraGroups;
}

/** The per-request state: the hub's services and the verified peer asking. */
export interface RouteState extends HubState {
  peer: Peer;
}

/**
 * A route file's `export const config`: which certificate roles may call it. Without one a
 * route is for viewers only.
 */
export interface RouteConfig {
  roles?: readonly Peer["role"][];
  /** Largest request body this route reads (bytes); the hub's default (16 KiB) otherwise. */
  maxBodyBytes?: number;
}

export type HubHandlers = Handlers<RouteState>;
export type HubRouteContext = RouteContext<RouteState>;
export type HubPageProps<D> = PageProps<D, RouteState>;
