/**
 * The wall's list of cameras, kept from the hub's messages: `hello` replaces it, `camera`
 * events upsert one camera (`removed` drops it), `stats` refresh the rates. Immutable updates, so a UI can compare
 * by identity; pure, so it is tested without a browser.
 */
import type { CameraInfo, HubMessage } from "./messages.ts";
import { compareByName } from "../camera_order.ts";

export type CameraList = readonly CameraInfo[];

/** The hub's order (lib/camera_order.ts): by name ("Cam 2" before "Cam 10"), then serial. */
export function compareCameras(a: CameraInfo, b: CameraInfo): number {
  return compareByName(a, b);
}

export function sortCameras(list: CameraInfo[]): CameraInfo[] {
  return list.sort(compareCameras);
}

/**
 * `list` with `camera` placed where the name order puts it among the tiles already there:
 * before the first one whose name sorts after it.
 */
function insertByName(list: CameraInfo[], camera: CameraInfo): void {
  const i = list.findIndex((c) => compareCameras(camera, c) < 0);
  if (i < 0) list.push(camera);
  else list.splice(i, 0, camera);
}

/**
 * The list after `msg`; the same list object when nothing changed. Tiles keep their places:
 * a rename or a reconnect's hello moves none (a user finds a camera where it was); only
 * cameras new to the page are placed, by name.
 */
export function applyHubMessage(list: CameraList, msg: HubMessage): CameraList {
  switch (msg.type) {
    case "hello": {
      const fresh = new Map(msg.cameras.map((c) => [c.serial, c]));
      const next = list.flatMap((c) => fresh.get(c.serial) ?? []);
      const known = new Set(next.map((c) => c.serial));
      for (const c of sortCameras(msg.cameras.filter((c) => !known.has(c.serial)))) {
        insertByName(next, c);
      }
      return next;
    }
    case "camera": {
      const i = list.findIndex((c) => c.serial === msg.camera.serial);
      // An admin removed it: the tile goes. A hidden camera is upserted like any change (the
      // wall leaves out those whose `hidden` is true).
      if (msg.event === "removed") return i < 0 ? list : list.filter((_, j) => j !== i);
      const next = [...list];
      if (i >= 0) next[i] = msg.camera;
      else insertByName(next, msg.camera);
      return next;
    }
    case "stats": {
      const bySerial = new Map(msg.cameras.map((s) => [s.serial, s]));
      let changed = false;
      const next = list.map((c) => {
        const s = bySerial.get(c.serial);
        if (
          !s || (s.fps === c.fps && s.kbps === c.kbps && s.frames === c.frames &&
            s.bad === c.bad && s.skipped === c.skipped)
        ) return c;
        changed = true;
        return { ...c, fps: s.fps, kbps: s.kbps, frames: s.frames, bad: s.bad, skipped: s.skipped };
      });
      return changed ? next : list;
    }
    case "motion": {
      const i = list.findIndex((c) => c.serial === msg.camera);
      if (i < 0) return list;
      const active = msg.state === "start";
      if (isMotionActive(list[i]) === active) return list;
      const next = [...list];
      next[i] = withMotionActive(list[i], active);
      return next;
    }
    default:
      return list;
  }
}

/**
 * Whether the hub is writing this camera's frames now (`recording.recording` of the CAMERA
 * object); false when the hub does not say.
 */
export function isRecording(camera: CameraInfo): boolean {
  const r = (camera as { recording?: unknown }).recording;
  return typeof r === "object" && r !== null && (r as { recording?: unknown }).recording === true;
}

/**
 * Whether a motion event of this camera is open (`motion.active` of the CAMERA object, kept
 * current by `motion` messages); false when the hub does not say.
 */
export function isMotionActive(camera: CameraInfo): boolean {
  const m = (camera as { motion?: unknown }).motion;
  return typeof m === "object" && m !== null && (m as { active?: unknown }).active === true;
}

/**
 * The camera with its `motion.active` set: the hub sends no CAMERA object when an event
 * starts or ends, only the `motion` message, so the page keeps the flag itself.
 */
export function withMotionActive(camera: CameraInfo, active: boolean): CameraInfo {
  const m = (camera as { motion?: unknown }).motion;
  const motion = typeof m === "object" && m !== null ? m : { enabled: true };
  return { ...camera, motion: { ...motion, active } } as CameraInfo;
}
