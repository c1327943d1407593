/**
 * The hub's text messages to viewers (shapes in lib/protocol.ts), read defensively: the page
 * must survive a hub that is newer or older than itself, so an unknown or malformed message is
 * ignored, never thrown at the UI. Browser-safe: no imports but types.
 */
import type {
  CameraEvent,
  CameraInfo,
  CameraStats,
  HubMessage,
  MotionMessage,
  ReplayMessage,
  StreamOptions,
} from "../protocol.ts";

export type { CameraEvent, CameraInfo, CameraStats, HubMessage, MotionMessage, ReplayMessage };

const STATES = new Set(["online", "stalled", "offline"]);
const EVENTS = new Set([
  "online",
  "offline",
  "stalled",
  "renamed",
  "status",
  "recording",
  "motion",
  "hidden",
  "removed",
]);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A CAMERA object with the fields the UI reads; others are kept as they are. */
export function isCameraInfo(x: unknown): x is CameraInfo {
  return isObject(x) && typeof x.serial === "string" && typeof x.name === "string" &&
    typeof x.state === "string" && STATES.has(x.state) && typeof x.lastSeen === "string" &&
    typeof x.fps === "number" &&
    (x.status === null || x.status === undefined || isObject(x.status));
}

/** A `subscribed`'s stream options; a malformed entry is left out (the default applies). */
function streamsOf(x: Record<string, unknown>): Record<string, StreamOptions> {
  const out: Record<string, StreamOptions> = {};
  for (const [serial, o] of Object.entries(x)) {
    if (!isObject(o) || (o.size !== "full" && o.size !== "tile")) continue;
    out[serial] = typeof o.maxFps === "number" ? { size: o.size, maxFps: o.maxFps } : {
      size: o.size,
    };
  }
  return out;
}

function isStats(x: unknown): x is CameraStats {
  return isObject(x) && typeof x.serial === "string" && typeof x.fps === "number";
}

/** Parses one text message; null for anything this page does not understand. */
export function parseHubMessage(text: string): HubMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(m)) return null;
  switch (m.type) {
    case "hello":
      if (!Array.isArray(m.cameras)) return null;
      return {
        type: "hello",
        v: typeof m.v === "number" ? m.v : 0,
        viewer: typeof m.viewer === "string" ? m.viewer : "",
        cameras: m.cameras.filter(isCameraInfo),
      };
    case "camera":
      if (typeof m.event !== "string" || !EVENTS.has(m.event) || !isCameraInfo(m.camera)) {
        return null;
      }
      return { type: "camera", event: m.event as CameraEvent, camera: m.camera };
    case "stats":
      if (!Array.isArray(m.cameras)) return null;
      return { type: "stats", cameras: m.cameras.filter(isStats) };
    case "subscribed": {
      if (!Array.isArray(m.cameras)) return null;
      const ack: HubMessage = {
        type: "subscribed",
        cameras: m.cameras.filter((s): s is string => typeof s === "string"),
        all: m.all === true,
      };
      if (isObject(m.streams)) ack.streams = streamsOf(m.streams);
      return ack;
    }
    case "error":
      return {
        type: "error",
        code: typeof m.code === "string" ? m.code : "TC_ERR_INTERNAL",
        message: typeof m.message === "string" ? m.message : "",
      };
    case "groups":
      return { type: "groups" };
    case "replay":
      return parseReplay(m);
    case "motion":
      return parseMotion(m);
    default:
      return null;
  }
}

function parseReplay(m: Record<string, unknown>): ReplayMessage | null {
  const camera = m.camera;
  if (typeof camera !== "string") return null;
  const time = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v));
  switch (m.state) {
    case "playing":
      if (!time(m.from) || typeof m.speed !== "number" || !Number.isFinite(m.speed)) return null;
      return { type: "replay", camera, state: "playing", from: m.from as string, speed: m.speed };
    case "paused":
    case "ended":
      if (!time(m.at)) return null;
      return { type: "replay", camera, state: m.state, at: m.at as string };
    case "live":
      return { type: "replay", camera, state: "live" };
    default:
      return null;
  }
}

function isUnit(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;
}

/** A motion start or end; a box or score out of 0-1 is refused rather than drawn wrong. */
function parseMotion(m: Record<string, unknown>): MotionMessage | null {
  const { camera, id, state, startedAt, endedAt, score, box } = m;
  const time = (v: unknown): v is string => typeof v === "string" && !Number.isNaN(Date.parse(v));
  if (typeof camera !== "string" || typeof id !== "string" || !time(startedAt)) return null;
  if (state !== "start" && state !== "end") return null;
  if (!isUnit(score) || !isObject(box)) return null;
  if (!isUnit(box.x) || !isUnit(box.y) || !isUnit(box.w) || !isUnit(box.h)) return null;
  const out: MotionMessage = {
    type: "motion",
    id,
    camera,
    state,
    startedAt,
    score,
    box: { x: box.x, y: box.y, w: box.w, h: box.h },
  };
  if (state === "end") {
    if (!time(endedAt)) return null;
    out.endedAt = endedAt;
  }
  return out;
}
