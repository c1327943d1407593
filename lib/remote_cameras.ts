/**
 * Cameras other hubs hold (issue 13): every hub publishes its cameras' `camera` events on the
 * bus, and each hub keeps the latest one per camera from another hub here, so its registry
 * reports a camera online on hub A as online (with `hub` A) on hub B too, and offline again
 * when A announces it offline. Pure: the hub feeds it the events, the registry asks it.
 *
 * Only the hub that holds a camera clears its record: when a camera moves from A to B, A's
 * late `offline` (its replaced session closing) must not hide B's `online`, whatever order the
 * two arrive in.
 */
import type { BusEvent } from "./bus.ts";
import { type CameraEvent, cameraMessage } from "./protocol.ts";
import type { CameraInfo } from "./registry.ts";

/** A camera online or stalled on another hub, as that hub last announced it. */
export interface HeldElsewhere {
  hub: string;
  camera: CameraInfo;
}

export class RemoteCameras {
  #held = new Map<string, HeldElsewhere>();

  /** `own`: this hub's id; what others say of its cameras is ignored, its sessions decide. */
  constructor(readonly own: string) {}

  /**
   * A `camera` event published by hub `hub` about `camera`. Returns true when the record
   * changed (the camera is held elsewhere now, or no longer).
   */
  event(hub: string, event: string, camera: CameraInfo): boolean {
    const serial = camera.serial;
    if (hub === this.own) return false;
    if (event === "offline" || camera.state === "offline") {
      // A hub that does not hold the camera speaks of its own, older view.
      if (this.#held.get(serial)?.hub !== hub) return false;
      this.#held.delete(serial);
      return true;
    }
    this.#held.set(serial, { hub, camera });
    return true;
  }

  get(serial: string): HeldElsewhere | undefined {
    return this.#held.get(serial);
  }

  serials(): IterableIterator<string> {
    return this.#held.keys();
  }

  get size(): number {
    return this.#held.size;
  }
}

/**
 * What a hub reports for a camera: its own record when the camera is online or stalled here
 * (a local session is the freshest truth); else, when another hub holds it, the local record
 * (name, settings) with that hub's live state, rates, status and `hub`; else the local record.
 * Undefined when neither knows the camera.
 */
export function mergeCamera(
  local: CameraInfo | undefined,
  remote: HeldElsewhere | undefined,
): CameraInfo | undefined {
  if (!remote || (local && local.state !== "offline")) return local;
  const live = remote.camera;
  if (!local) return { ...live, hub: remote.hub };
  return {
    ...local,
    state: live.state,
    lastSeen: live.lastSeen > local.lastSeen ? live.lastSeen : local.lastSeen,
    lastFrameAt: live.lastFrameAt,
    fps: live.fps,
    kbps: live.kbps,
    status: live.status,
    hub: remote.hub,
  };
}

/**
 * The filter a hub puts on other hubs' events before its viewers get them (the relay's
 * `remoteEvent`): a `camera` event updates `remote`, and the viewers get it with the camera as
 * this hub reports it now (`get`: the registry's merged view), so the wall, the API and the
 * events agree; an `offline` from a hub that no longer holds the camera is dropped. Other
 * events pass as they are.
 */
export function remoteCameraEvents(
  remote: RemoteCameras,
  get: (serial: string) => CameraInfo | undefined,
): (e: BusEvent) => BusEvent | null {
  return (e) => {
    const p = e.payload;
    const camera = p.camera as CameraInfo | undefined;
    if (
      p.type !== "camera" || typeof p.event !== "string" || e.origin === undefined ||
      typeof camera?.serial !== "string" || typeof camera.state !== "string"
    ) return e;
    // A hub may announce a camera another hub holds (a setting changed there): the camera's
    // own `hub` names the holder.
    remote.event(typeof camera.hub === "string" ? camera.hub : e.origin, p.event, camera);
    const info = get(e.serial);
    if (!info) return e;
    if (p.event === "offline" && info.state !== "offline") return null;
    const payload = cameraMessage(p.event as CameraEvent, info);
    return { serial: e.serial, payload, origin: e.origin };
  };
}
