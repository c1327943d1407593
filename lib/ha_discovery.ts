/**
 * The hub's MQTT topics and Home Assistant discovery configs, as data: which topic carries
 * what and what Home Assistant is told about each camera. hub/mqtt_bridge.ts publishes them;
 * docs/protocol.md ("MQTT") documents the same names.
 */
import type { MotionNotice } from "./motion_notice.ts";

/** Home Assistant's default discovery prefix. */
export const DISCOVERY_PREFIX = "homeassistant";

export const ONLINE = "online";
export const OFFLINE = "offline";

/** The hub-wide topics under a prefix (`trustcam` by default). */
export interface HubTopics {
  /** `online` / `offline`, retained; `offline` is the connection's last will. */
  status: string;
  /** Motion events as JSON, not retained. */
  events: string;
}

/** One camera's topics. */
export interface CameraTopics {
  /** The latest JPEG, binary, retained. */
  image: string;
  /** `ON` / `OFF`, retained. */
  motion: string;
  /** `online` / `offline` (the camera's connection to the hub), retained. */
  availability: string;
  /** Home Assistant discovery config of the camera entity, retained JSON. */
  cameraConfig: string;
  /** Home Assistant discovery config of the motion binary sensor, retained JSON. */
  motionConfig: string;
}

export function hubTopics(prefix: string): HubTopics {
  return { status: `${prefix}/status`, events: `${prefix}/events` };
}

export function cameraTopics(
  prefix: string,
  serial: string,
  discoveryPrefix = DISCOVERY_PREFIX,
): CameraTopics {
  return {
    image: `${prefix}/${serial}/image`,
    motion: `${prefix}/${serial}/motion`,
    availability: `${prefix}/${serial}/availability`,
    cameraConfig: `${discoveryPrefix}/camera/${serial}/config`,
    motionConfig: `${discoveryPrefix}/binary_sensor/${serial}_motion/config`,
  };
}

/** A retained message the bridge keeps published. */
export interface RetainedMessage {
  topic: string;
  payload: string;
}

/**
 * The two discovery configs of one camera, one Home Assistant device each. An entity is
 * available only while both the hub (its last will) and the camera are online.
 */
export function discoveryMessages(
  camera: { serial: string; name: string },
  prefix: string,
  discoveryPrefix = DISCOVERY_PREFIX,
): RetainedMessage[] {
  const t = cameraTopics(prefix, camera.serial, discoveryPrefix);
  const common = {
    availability: [{ topic: hubTopics(prefix).status }, { topic: t.availability }],
    availability_mode: "all",
    payload_available: ONLINE,
    payload_not_available: OFFLINE,
    device: {
      identifiers: [`${prefix}_${camera.serial}`],
      name: camera.name,
      manufacturer: "trustcam",
      model: "trustcam camera",
      serial_number: camera.serial,
    },
    origin: { name: "trustcam" },
  };
  const cameraConfig = {
    // null: the entity takes the device's name, which follows renames.
    name: null,
    unique_id: `${prefix}_${camera.serial}_camera`,
    topic: t.image,
    ...common,
  };
  const motionConfig = {
    name: "Motion",
    unique_id: `${prefix}_${camera.serial}_motion`,
    state_topic: t.motion,
    device_class: "motion",
    payload_on: "ON",
    payload_off: "OFF",
    ...common,
  };
  return [
    { topic: t.cameraConfig, payload: JSON.stringify(cameraConfig) },
    { topic: t.motionConfig, payload: JSON.stringify(motionConfig) },
  ];
}

/** The motion sensor's state after a notice. */
export function motionState(notice: Pick<MotionNotice, "state">): "ON" | "OFF" {
  return notice.state === "start" ? "ON" : "OFF";
}

/** What `<prefix>/events` carries: the control protocol's `motion` message, same fields. */
export function eventPayload(notice: MotionNotice): string {
  return JSON.stringify({ type: "motion", ...notice });
}

/**
 * Whether a topic prefix is usable: non-empty, no wildcards (`+`, `#`), no empty level, no
 * leading `$` (reserved for the broker).
 */
export function isTopicPrefix(prefix: string): boolean {
  return prefix !== "" && !/[+#]/.test(prefix) && !prefix.includes("\0") &&
    !prefix.startsWith("$") &&
    prefix.split("/").every((level) => level !== "");
}
