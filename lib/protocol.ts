/**
 * The text messages between the hub and a viewer (docs/protocol.md, "Viewer to hub" and "Hub
 * to viewer"): their shapes and the builders both sides use, so the hub and the page cannot
 * drift apart. Browser-safe: the page bundles it, so no imports but types.
 */
import type { CameraInfo, CameraStats } from "./registry.ts";
import type { MotionNotice } from "./motion_notice.ts";
import type { StreamOptions, StreamSize } from "./thin_link.ts";

export type { CameraInfo, CameraStats, MotionNotice, StreamOptions, StreamSize };

/** The `v` of `hello`. */
export const PROTOCOL_VERSION = 1;

export type CameraEvent =
  | "online"
  | "offline"
  | "stalled"
  | "renamed"
  | "status"
  | "recording"
  | "motion"
  | "hidden"
  | "removed";

// ---- viewer to hub ----------------------------------------------------------------------

/**
 * What the viewer receives live: `subscribe` / `unsubscribe`. A `subscribe` sets the stream
 * options of the cameras it names (docs/protocol.md, "Stream options"): `size` (default
 * `full`) and `maxFps` (absent: no cap), also for cameras already subscribed.
 */
export type SubscriptionCommand =
  | { type: "subscribe"; cameras: "*" | string[]; size?: StreamSize; maxFps?: number }
  | { type: "unsubscribe"; cameras: "*" | string[] };

/** Lowest and highest replay speed, as a multiple of the recorded timing. */
export const MIN_REPLAY_SPEED = 0.25;
export const MAX_REPLAY_SPEED = 16;

/**
 * Replay of one camera's recording (docs/protocol.md, "Replay"). `from` is epoch ms here; the
 * hub also takes an ISO 8601 string or a numeric string. `speed` defaults to 1.
 */
export type ReplayCommand =
  | { type: "play"; camera: string; from: number; speed: number }
  | { type: "pause"; camera: string }
  | { type: "live"; camera: string };

export type ViewerCommand = SubscriptionCommand | ReplayCommand;

/** Subscribes `cameras`; `options` (default: full size, no cap) apply to each of them. */
export function subscribeCommand(
  cameras: "*" | string[],
  options?: StreamOptions,
): SubscriptionCommand {
  if (!options || (options.size === "full" && options.maxFps === undefined)) {
    return { type: "subscribe", cameras };
  }
  const cmd: SubscriptionCommand = { type: "subscribe", cameras, size: options.size };
  if (options.maxFps !== undefined) cmd.maxFps = options.maxFps;
  return cmd;
}

export function unsubscribeCommand(cameras: "*" | string[]): SubscriptionCommand {
  return { type: "unsubscribe", cameras };
}

/** Replays `camera` from `from` (epoch ms) at `speed` times the recorded timing. */
export function playCommand(camera: string, from: number, speed = 1): ReplayCommand {
  return { type: "play", camera, from, speed };
}

export function pauseCommand(camera: string): ReplayCommand {
  return { type: "pause", camera };
}

export function liveCommand(camera: string): ReplayCommand {
  return { type: "live", camera };
}

// ---- hub to viewer ----------------------------------------------------------------------
// Type aliases, not interfaces: a message must be assignable to the bus's JSON payload type.

/** Sent first, on connect: every camera the viewer may see. */
export type HelloMessage = { type: "hello"; v: number; viewer: string; cameras: CameraInfo[] };

/** A camera changed state, name or status. */
export type CameraMessage = { type: "camera"; event: CameraEvent; camera: CameraInfo };

/** Rates and counters of the cameras the viewer may see, every 2 s. */
export type StatsMessage = { type: "stats"; cameras: CameraStats[] };

/**
 * What this connection now receives frames of, sorted: sent after `hello`, after each
 * subscribe/unsubscribe (after its `error`, if any) and when a policy reload changes it.
 * `all`: the viewer follows every camera it may see, so cameras that appear later are added
 * without another message. `streams`: the stream options in force for each of `cameras`, sent
 * when any of them is not the default (full size, no cap); absent, all are the default.
 */
export type SubscribedMessage = {
  type: "subscribed";
  cameras: string[];
  all: boolean;
  streams?: Record<string, StreamOptions>;
};

/** A control message was refused (in whole or in part). */
export type ErrorMessage = { type: "error"; code: string; message: string };

/**
 * Recording as a whole paused (the disk is at its free-space floor with nothing left to
 * delete) or resumed; `reason` says why (`low-disk`).
 */
export type RecordingMessage = {
  type: "recording";
  state: "paused" | "resumed";
  reason: string;
};

/**
 * Where a camera's replay stands: `playing` acknowledges a `play` (`from` as asked), `paused` a
 * `pause`, `live` a `live`; `ended` says every recorded frame up to now was sent. `at` is the
 * capture time of the last frame sent, or the `from` of the play when none was. Times ISO 8601.
 */
export type ReplayMessage =
  | { type: "replay"; camera: string; state: "playing"; from: string; speed: number }
  | { type: "replay"; camera: string; state: "paused" | "ended"; at: string }
  | { type: "replay"; camera: string; state: "live" };

/**
 * A motion event of a camera the viewer may see started or ended (whatever the viewer is
 * subscribed to): the event's id (its thumbnail is `/api/events/<id>/thumbnail.jpg`), times
 * ISO 8601, peak score and box so far.
 */
export type MotionMessage = { type: "motion" } & MotionNotice;

/**
 * The camera groups changed (an admin defined or deleted one, or the policy file was
 * reloaded): pages that show groups fetch `/api/groups` again, which filters them per viewer.
 */
export type GroupsMessage = { type: "groups" };

export type HubMessage =
  | GroupsMessage
  | HelloMessage
  | CameraMessage
  | StatsMessage
  | SubscribedMessage
  | ErrorMessage
  | RecordingMessage
  | ReplayMessage
  | MotionMessage;

export function helloMessage(viewer: string, cameras: CameraInfo[]): HelloMessage {
  return { type: "hello", v: PROTOCOL_VERSION, viewer, cameras };
}

export function groupsMessage(): GroupsMessage {
  return { type: "groups" };
}

export function cameraMessage(event: CameraEvent, camera: CameraInfo): CameraMessage {
  return { type: "camera", event, camera };
}

export function statsMessage(cameras: CameraStats[]): StatsMessage {
  return { type: "stats", cameras };
}

export function subscribedMessage(
  cameras: string[],
  all: boolean,
  streams?: Record<string, StreamOptions>,
): SubscribedMessage {
  return streams
    ? { type: "subscribed", cameras, all, streams }
    : { type: "subscribed", cameras, all };
}

export function recordingMessage(
  state: RecordingMessage["state"],
  reason: string,
): RecordingMessage {
  return { type: "recording", state, reason };
}

export function motionMessage(notice: MotionNotice): MotionMessage {
  return { type: "motion", ...notice };
}

export function errorMessage(body: { code: string; message: string }): ErrorMessage {
  return { type: "error", code: body.code, message: body.message };
}

export function replayPlayingMessage(camera: string, from: number, speed: number): ReplayMessage {
  return { type: "replay", camera, state: "playing", from: new Date(from).toISOString(), speed };
}

export function replayPausedMessage(camera: string, at: number): ReplayMessage {
  return { type: "replay", camera, state: "paused", at: new Date(at).toISOString() };
}

export function replayEndedMessage(camera: string, at: number): ReplayMessage {
  return { type: "replay", camera, state: "ended", at: new Date(at).toISOString() };
}

export function replayLiveMessage(camera: string): ReplayMessage {
  return { type: "replay", camera, state: "live" };
}

/** The text of a message, either direction. */
export function encodeMessage(msg: HubMessage | ViewerCommand): string {
  return JSON.stringify(msg);
}
