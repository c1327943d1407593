/**
 * The text messages between the hub and a viewer (docs/protocol.md, "Viewer to hub" and "Hub
 * to viewer"): their shapes and the builders both sides use, so the hub and the page cannot
 * drift apart. Browser-safe: the page bundles it, so no imports but types.
 */
import type { CameraInfo, CameraStats } from "./registry.ts";

export type { CameraInfo, CameraStats };

/** The `v` of `hello`. */
export const PROTOCOL_VERSION = 1;

export type CameraEvent =
  | "online"
  | "offline"
  | "stalled"
  | "renamed"
  | "status"
  | "recording";

// ---- viewer to hub ----------------------------------------------------------------------

export type ViewerCommand =
  | { type: "subscribe"; cameras: "*" | string[] }
  | { type: "unsubscribe"; cameras: "*" | string[] };

export function subscribeCommand(cameras: "*" | string[]): ViewerCommand {
  return { type: "subscribe", cameras };
}

export function unsubscribeCommand(cameras: "*" | string[]): ViewerCommand {
  return { type: "unsubscribe", cameras };
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
 * without another message.
 */
export type SubscribedMessage = { type: "subscribed"; cameras: string[]; all: boolean };

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

export type HubMessage =
  | HelloMessage
  | CameraMessage
  | StatsMessage
  | SubscribedMessage
  | ErrorMessage
  | RecordingMessage;

export function helloMessage(viewer: string, cameras: CameraInfo[]): HelloMessage {
  return { type: "hello", v: PROTOCOL_VERSION, viewer, cameras };
}

export function cameraMessage(event: CameraEvent, camera: CameraInfo): CameraMessage {
  return { type: "camera", event, camera };
}

export function statsMessage(cameras: CameraStats[]): StatsMessage {
  return { type: "stats", cameras };
}

export function subscribedMessage(cameras: string[], all: boolean): SubscribedMessage {
  return { type: "subscribed", cameras, all };
}

export function recordingMessage(
  state: RecordingMessage["state"],
  reason: string,
): RecordingMessage {
  return { type: "recording", state, reason };
}

export function errorMessage(body: { code: string; message: string }): ErrorMessage {
  return { type: "error", code: body.code, message: body.message };
}

/** The text of a message, either direction. */
export function encodeMessage(msg: HubMessage | ViewerCommand): string {
  return JSON.stringify(msg);
}
