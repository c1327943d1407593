/**
 * Cameras other hubs hold (issue 13): every hub publishes its cameras' `camera` events on the
 * bus, and each hub keeps the latest one per camera from another hub here, so its registry
 * reports a camera online on hub A as online (with `hub` A) on hub B too, and offline again
 * when A announces it offline. Pure: the hub feeds it the events, the registry asks it.
 *
 * Only the hub that holds a camera turns its record offline: when a camera moves from A to B, A's
 * late `offline` (its replaced session closing) must not hide B's `online`, whatever order the
 * two arrive in.
 */
import type { BusEvent } from "./bus.ts";
import { type CameraEvent, cameraMessage } from "./protocol.ts";
import type { CameraInfo } from "./registry.ts";

/**
 * A camera another hub announced, as it last did: online or stalled there, or offline (its
 * last holder's `offline`, or that hub gone quiet).
 */
export interface HeldElsewhere {
  hub: string;
  camera: CameraInfo;
  /** When this hub received the event (ms, its own clock). */
  at: number;
}

/** Subject on which each hub says every {@link PRESENCE_INTERVAL_MS} that it lives. */
export const PRESENCE_SUBJECT = "trustcam.hub.alive";
export const PRESENCE_INTERVAL_MS = 2000;
/** A hub not heard for this long is taken for gone: its cameras read offline elsewhere. */
export const PRESENCE_TIMEOUT_MS = 6000;

/**
 * A hub's presence message: its id and the serials of the cameras it holds now. It travels on
 * the cluster's connection, not the events', so the two may cross: a camera missing from the
 * list is dropped only when its last event is older than one interval.
 */
export interface Presence {
  hub: string;
  cameras: string[];
}

export class RemoteCameras {
  #held = new Map<string, HeldElsewhere>();
  /** When each other hub was last heard (ms); a hub in `#gone` timed out. */
  #heard = new Map<string, number>();
  #gone = new Set<string>();

  /** `own`: this hub's id; what others say of its cameras is ignored, its sessions decide. */
  constructor(readonly own: string) {}

  /**
   * A `camera` event published by hub `hub` about `camera`. Returns true when the record
   * changed (the camera is held elsewhere now, or no longer).
   */
  event(hub: string, event: string, camera: CameraInfo, now = 0): boolean {
    const serial = camera.serial;
    if (hub === this.own) return false;
    if (event === "offline" || camera.state === "offline") {
      // A hub that does not hold the camera speaks of its own, older view.
      const h = this.#held.get(serial);
      if (h && h.camera.state !== "offline" && h.hub !== hub) return false;
      // Kept, offline: every hub lists the camera, as its last holder does.
      this.#held.set(serial, { hub, camera: offline(camera), at: now });
      return h?.camera.state !== "offline";
    }
    this.#held.set(serial, { hub, camera, at: now });
    return true;
  }

  /** The camera's record; offline when its hub is taken for gone. */
  get(serial: string): HeldElsewhere | undefined {
    const h = this.#held.get(serial);
    if (!h || h.camera.state === "offline" || !this.#gone.has(h.hub)) return h;
    return { ...h, camera: offline(h.camera) };
  }

  /** Drops the camera's record (an admin removed the camera). */
  forget(serial: string): void {
    this.#held.delete(serial);
  }

  serials(): IterableIterator<string> {
    return this.#held.keys();
  }

  /**
   * Hub `p.hub` said at `now` that it lives and holds `p.cameras`: cameras it was thought to
   * hold but no longer does (an `offline` missed while NATS was away), by events received more
   * than {@link PRESENCE_INTERVAL_MS} before, are dropped; with `describe`, cameras it holds
   * that this hub did not know of are learnt. Returns the cameras whose reported state changed,
   * as last known: those dropped (offline), those learnt and those of a hub back from gone
   * (online).
   */
  presence(
    p: Presence,
    now: number,
    describe?: (serial: string) => CameraInfo | undefined,
  ): CameraInfo[] {
    if (p.hub === this.own) return [];
    this.#heard.set(p.hub, now);
    const back = this.#gone.delete(p.hub);
    const holds = new Set(p.cameras);
    const changed: CameraInfo[] = [];
    if (describe) this.#learn(p.hub, holds, now, describe, changed);
    for (const [serial, h] of this.#held) {
      if (h.hub !== p.hub || h.camera.state === "offline") continue;
      if (!holds.has(serial)) {
        // Its `online` may have overtaken a presence message sent before it.
        if (now - h.at <= PRESENCE_INTERVAL_MS) continue;
        h.camera = offline(h.camera);
        if (!back) changed.push(h.camera);
      } else if (back) changed.push({ ...h.camera, hub: h.hub });
    }
    return changed;
  }

  /**
   * Cameras hub `hub` says it holds that this hub does not know as held there: a hub started
   * after their `online` (or one that missed it while NATS was away) learns them here, from
   * what it knows of them (`describe`: the shared settings), online on that hub. A record
   * changed by an event less than {@link PRESENCE_INTERVAL_MS} ago wins: this message may
   * predate it.
   */
  #learn(
    hub: string,
    holds: ReadonlySet<string>,
    now: number,
    describe: (serial: string) => CameraInfo | undefined,
    changed: CameraInfo[],
  ): void {
    for (const serial of holds) {
      const h = this.#held.get(serial);
      if (h && h.hub === hub && h.camera.state !== "offline") continue;
      if (h && now - h.at <= PRESENCE_INTERVAL_MS) continue;
      const known = describe(serial);
      if (!known) continue;
      const camera: CameraInfo = { ...known, state: "online", hub };
      this.#held.set(serial, { hub, camera, at: now });
      changed.push(camera);
    }
  }

  /**
   * Hubs not heard for `timeoutMs` by `now` are taken for gone (killed, or cut off from this
   * hub): returns the cameras they held, which read offline now.
   */
  expire(now: number, timeoutMs = PRESENCE_TIMEOUT_MS): CameraInfo[] {
    const out: CameraInfo[] = [];
    for (const [hub, at] of this.#heard) {
      if (this.#gone.has(hub) || now - at < timeoutMs) continue;
      this.#gone.add(hub);
      for (const h of this.#held.values()) {
        if (h.hub === hub && h.camera.state !== "offline") out.push(offline(h.camera));
      }
    }
    return out;
  }

  get size(): number {
    return this.#held.size;
  }
}

/** A camera as last known, offline now. */
function offline(c: CameraInfo): CameraInfo {
  const { hub: _, ...rest } = c;
  return { ...rest, state: "offline", fps: 0, kbps: 0 };
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
  if (live.state === "offline") return local ?? live;
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
  now: () => number = Date.now,
): (e: BusEvent) => BusEvent | null {
  return (e) => {
    const p = e.payload;
    const camera = p.camera as CameraInfo | undefined;
    if (
      p.type !== "camera" || typeof p.event !== "string" || e.origin === undefined ||
      typeof camera?.serial !== "string" || typeof camera.state !== "string"
    ) return e;
    // Removed on another hub: this hub's viewers hear it when its own registry forgets the
    // camera (the shared settings' deletion), or now when it never had it.
    if (p.event === "removed") {
      remote.forget(e.serial);
      return get(e.serial) ? null : e;
    }
    // A hub may announce a camera another hub holds (a setting changed there): the camera's
    // own `hub` names the holder.
    const holder = typeof camera.hub === "string" ? camera.hub : e.origin;
    remote.event(holder, p.event, camera, now());
    const info = get(e.serial);
    if (!info) return e;
    if (p.event === "offline" && info.state !== "offline") return null;
    const payload = cameraMessage(p.event as CameraEvent, info);
    return { serial: e.serial, payload, origin: e.origin };
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePresence(p: Presence): Uint8Array {
  return encoder.encode(JSON.stringify(p));
}

/** A presence message; throws SyntaxError or TypeError when it is not one. */
export function decodePresence(data: Uint8Array): Presence {
  const text = decoder.decode(data);
  const o = JSON.parse(text);
  if (
    o === null || typeof o !== "object" || typeof o.hub !== "string" ||
    !Array.isArray(o.cameras) || !o.cameras.every((c: unknown) => typeof c === "string")
  ) {
    throw new TypeError(`Not a presence message: "${text.slice(0, 80)}"`);
  }
  return { hub: o.hub, cameras: o.cameras };
}
