/**
 * Every camera the hub has ever seen: its state, counters, rates and last status. Pure state
 * with an injected clock; the hub's device sessions call it, and {@link CameraStore} keeps the
 * persistent part across restarts.
 */
import type { DeviceStatus } from "./device_status.ts";
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";
import { normalizeCameraName } from "./camera_name.ts";
import { canonicalSerial } from "./serial.ts";
import { Camera, type CameraInfo, type CameraStats, type CameraStore } from "./camera_record.ts";
import { compareByName } from "./camera_order.ts";
import {
  effectiveMode,
  NO_RECORDER,
  type RecorderStatus,
  recordingInfo,
  type RecordMode,
} from "./recording_mode.ts";
import { DEFAULT_MOTION_SETTINGS, type MotionSettings } from "./motion_settings.ts";
import { motionInfo, type MotionStatus, NO_MOTION } from "./motion_status.ts";
import { mergeCamera, type RemoteCameras } from "./remote_cameras.ts";
import type { SharedSettings } from "./shared_settings.ts";

export type {
  CameraInfo,
  CameraState,
  CameraStats,
  CameraStore,
  StoredCamera,
} from "./camera_record.ts";

export { MAX_NAME_LENGTH } from "./camera_name.ts";
/** Default time without a frame before an online camera is stalled. */
export const DEFAULT_STALL_MS = 5000;

const round1 = (x: number) => Math.round(x * 10) / 10;
const iso = (ms: number) => new Date(ms).toISOString();

export class Registry {
  #cameras = new Map<string, Camera>();
  #store: CameraStore | undefined;
  #stallMs: number;
  #windowMs: number | undefined;
  #now: () => number;
  #recorder: RecorderStatus;
  #motion: MotionStatus;
  #cluster: { hub: string; remote: RemoteCameras } | undefined;

  constructor(
    opts: {
      store?: CameraStore;
      stallMs?: number;
      windowMs?: number;
      now?: () => number;
      /** The hub's default recording mode and the recorder's figures, for CAMERA objects. */
      recorder?: RecorderStatus;
      /** Whether motion detection runs and which events are open, for CAMERA objects. */
      motion?: MotionStatus;
      /** This hub's id and the cameras other hubs hold: get() and list() merge them in. */
      cluster?: { hub: string; remote: RemoteCameras };
    } = {},
  ) {
    this.#store = opts.store;
    this.#cluster = opts.cluster;
    this.#recorder = opts.recorder ?? NO_RECORDER;
    this.#motion = opts.motion ?? NO_MOTION;
    this.#stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
    if (!(this.#stallMs > 0)) throw new RangeError(`Invalid stall time: ${this.#stallMs} ms`);
    this.#windowMs = opts.windowMs;
    this.#now = opts.now ?? Date.now;
    for (const s of this.#store?.load() ?? []) {
      const c = Camera.fromStored(s, this.#windowMs);
      this.#cameras.set(c.serial, c);
    }
  }

  /**
   * A device connected: creates the camera if new (named after its serial), marks it online.
   * With two connections for one serial, call this for the new one and do not call
   * {@link disconnected} for the replaced one, or the camera would read offline.
   */
  connected(serial: string): CameraInfo {
    serial = canonicalSerial(serial);
    const now = this.#now();
    let c = this.#cameras.get(serial);
    if (!c) {
      c = new Camera(serial, serial, now, now, this.#windowMs);
      this.#cameras.set(serial, c);
    }
    c.state = "online";
    c.lastSeen = now;
    c.activeSince = now;
    c.rate.reset();
    c.dirty = true;
    return this.#info(c, now);
  }

  /** A device disconnected: the camera goes offline. Undefined for an unknown serial. */
  disconnected(serial: string): CameraInfo | undefined {
    const c = this.#cameras.get(canonicalSerial(serial));
    if (!c) return undefined;
    const now = this.#now();
    c.state = "offline";
    c.lastSeen = now;
    c.dirty = true;
    return this.#info(c, now);
  }

  /**
   * Counts one good frame of `bytes` bytes. Returns true iff the camera went from stalled
   * back to online, so the caller announces it. Runs once per frame: no allocation. A frame
   * for an offline camera is counted but does not bring it online; only {@link connected} does.
   */
  frame(serial: string, bytes: number): boolean {
    const c = this.#find(serial);
    const now = this.#now();
    c.frames++;
    c.rate.add(now, bytes);
    c.lastFrameAt = now;
    c.lastSeen = now;
    c.activeSince = now;
    c.dirty = true;
    if (c.state === "stalled") {
      c.state = "online";
      return true;
    }
    return false;
  }

  /** Counts one bad message from the device. */
  bad(serial: string): void {
    const c = this.#find(serial);
    c.bad++;
    c.lastSeen = this.#now();
    c.dirty = true;
  }

  /** Counts frames of this camera that some viewer did not get because it was behind. */
  skipped(serial: string, n = 1): void {
    const c = this.#find(serial);
    c.skipped += n;
    c.dirty = true;
  }

  /** Replaces the camera's last status. */
  status(serial: string, s: DeviceStatus): CameraInfo {
    const c = this.#find(serial);
    const now = this.#now();
    c.status = Object.freeze({ ...s });
    c.lastSeen = now;
    c.dirty = true;
    return this.#info(c, now);
  }

  /**
   * Renames a camera. The name is NFC-normalized and trimmed and must pass
   * {@link normalizeCameraName} (TC_ERR_BAD_NAME); an unknown serial is TC_ERR_NOT_FOUND.
   */
  rename(serial: string, name: string): CameraInfo {
    const c = this.#find(serial);
    c.name = normalizeCameraName(name);
    c.dirty = true;
    return this.#info(c, this.#now());
  }

  /**
   * Sets the camera's own recording mode, or null to follow the hub's default; an unknown
   * serial is TC_ERR_NOT_FOUND.
   */
  setRecordMode(serial: string, mode: RecordMode | null): CameraInfo {
    const c = this.#find(serial);
    c.recordMode = mode;
    c.dirty = true;
    return this.#info(c, this.#now());
  }

  /**
   * The recording mode in force for a camera: its own, else the default (also for a camera
   * not known yet). The recorder asks it for every frame: a map lookup, no allocation.
   */
  recordModeOf(serial: string): RecordMode {
    const c = this.#lookup(serial);
    return effectiveMode(c?.recordMode ?? null, this.#recorder.defaultMode);
  }

  /**
   * Replaces the camera's motion settings (already checked by parseMotionSettings); an unknown
   * serial is TC_ERR_NOT_FOUND.
   */
  setMotionSettings(serial: string, settings: MotionSettings): CameraInfo {
    const c = this.#find(serial);
    c.motion = Object.freeze({ ...settings, mask: settings.mask.map((r) => ({ ...r })) });
    c.dirty = true;
    return this.#info(c, this.#now());
  }

  /**
   * A camera's motion settings, the defaults for one without its own or not known yet. The
   * analyzer asks for every frame: a map lookup, no allocation; the object is frozen.
   */
  motionSettingsOf(serial: string): Readonly<MotionSettings> {
    const c = this.#lookup(serial);
    return c?.motion ?? DEFAULT_MOTION_SETTINGS;
  }

  /** Hides a camera from the wall, or shows it again; an unknown serial is TC_ERR_NOT_FOUND. */
  setHidden(serial: string, hidden: boolean): CameraInfo {
    const c = this.#find(serial);
    c.hidden = hidden;
    c.dirty = true;
    return this.#info(c, this.#now());
  }

  /**
   * Forgets a camera (its store row too) and returns it as it was last. Refused with
   * TC_ERR_CAMERA_ONLINE while it is online or stalled, here or on another hub, and
   * TC_ERR_NOT_FOUND for an unknown serial. A camera that connects again comes back as new.
   */
  remove(serial: string): CameraInfo {
    const info = this.get(serial);
    if (!info) throw new TrustcamError("TC_ERR_NOT_FOUND", `Unknown camera: ${quote(serial)}`);
    if (info.state !== "offline") {
      throw new TrustcamError(
        "TC_ERR_CAMERA_ONLINE",
        `Camera ${quote(info.name)} (${info.serial}) is ${info.state}: disconnect it or revoke ` +
          `its certificate before removing it`,
      );
    }
    this.forget(info.serial);
    return info;
  }

  /**
   * Drops an offline camera, without the errors of {@link remove} (another hub removed it);
   * false when it is unknown or online anywhere, and then kept.
   */
  forget(serial: string): boolean {
    serial = canonicalSerial(serial);
    const c = this.#cameras.get(serial);
    if (c && c.state !== "offline") return false;
    const held = this.#cluster?.remote.get(serial);
    if (held && held.camera.state !== "offline") return false;
    this.#cluster?.remote.forget(serial);
    if (!c) return held !== undefined;
    this.#cameras.delete(serial);
    this.#store?.delete([serial]);
    return true;
  }

  /** What hubs share of a camera (lib/shared_settings.ts); undefined for an unknown serial. */
  settingsOf(serial: string): SharedSettings | undefined {
    const c = this.#lookup(serial);
    if (!c) return undefined;
    const motion = c.motion && { ...c.motion, mask: c.motion.mask.map((r) => ({ ...r })) };
    return {
      name: c.name,
      recordMode: c.recordMode,
      motion,
      ...(c.hidden ? { hidden: true } : {}),
    };
  }

  /**
   * Applies settings another hub shared (already checked by decodeSettings), creating the
   * camera if this hub never saw it. Returns the camera events its viewers are to get: what
   * changed.
   */
  applySettings(
    serial: string,
    s: SharedSettings,
  ): Array<"renamed" | "recording" | "motion" | "hidden"> {
    serial = canonicalSerial(serial);
    let c = this.#cameras.get(serial);
    if (!c) {
      const now = this.#now();
      c = new Camera(serial, s.name, now, now, this.#windowMs);
      this.#cameras.set(serial, c);
    }
    const events: Array<"renamed" | "recording" | "motion" | "hidden"> = [];
    if (c.name !== s.name) events.push("renamed");
    if (c.recordMode !== s.recordMode) events.push("recording");
    if (JSON.stringify(c.motion) !== JSON.stringify(s.motion)) events.push("motion");
    const hidden = s.hidden === true;
    if (c.hidden !== hidden) events.push("hidden");
    c.hidden = hidden;
    c.name = s.name;
    c.recordMode = s.recordMode;
    c.motion = s.motion &&
      Object.freeze({ ...s.motion, mask: s.motion.mask.map((r) => ({ ...r })) });
    c.dirty = true;
    return events;
  }

  /** Whether some camera has `mode` as its own (not through the default). */
  hasOwnRecordMode(mode: RecordMode): boolean {
    for (const c of this.#cameras.values()) if (c.recordMode === mode) return true;
    return false;
  }

  /**
   * Call about every second: online cameras without a frame for `stallMs` (counted from the
   * last frame, or from the connection when none came since) become stalled. Returns them.
   */
  tick(): string[] {
    const now = this.#now();
    const stalled: string[] = [];
    for (const c of this.#cameras.values()) {
      if (c.state === "online" && now - c.activeSince >= this.#stallMs) {
        c.state = "stalled";
        c.dirty = true;
        stalled.push(c.serial);
      }
    }
    return stalled;
  }

  /** The camera as the cluster sees it: online on another hub reads so, with its `hub`. */
  get(serial: string): CameraInfo | undefined {
    const c = this.#lookup(serial);
    const local = c && this.#info(c, this.#now());
    if (!this.#cluster) return local;
    return mergeCamera(local, this.#cluster.remote.get(c?.serial ?? canonicalSerial(serial)));
  }

  /**
   * What is known of a camera this hub has no record of (one that another hub holds and this
   * one never heard of): named after its serial, as a camera that connects first is. Not
   * stored.
   */
  placeholder(serial: string): CameraInfo {
    const now = this.#now();
    serial = canonicalSerial(serial);
    return this.#info(new Camera(serial, serial, now, now, this.#windowMs), now);
  }

  has(serial: string): boolean {
    return this.#lookup(serial) !== undefined;
  }

  /**
   * Every camera, by name (case-insensitive, "Cam 2" before "Cam 10"), then serial; in a
   * cluster also those only other hubs know, each as {@link get} reports it.
   */
  list(): CameraInfo[] {
    const now = this.#now();
    const sorted = [...this.#cameras.values()].sort(compareByName);
    if (!this.#cluster) return sorted.map((c) => this.#info(c, now));
    const { remote } = this.#cluster;
    const out = sorted.map((c) => mergeCamera(this.#info(c, now), remote.get(c.serial))!);
    let added = false;
    for (const serial of remote.serials()) {
      if (this.#cameras.has(serial)) continue;
      out.push(mergeCamera(undefined, remote.get(serial))!);
      added = true;
    }
    return added ? out.sort(compareByName) : out;
  }

  /** Rates and counters of every camera, in {@link list} order. */
  stats(): CameraStats[] {
    const now = this.#now();
    return [...this.#cameras.values()].sort(compareByName).map((c) => ({
      serial: c.serial,
      fps: this.#fps(c, now),
      kbps: this.#kbps(c, now),
      frames: c.frames,
      bad: c.bad,
      skipped: c.skipped,
    }));
  }

  /**
   * Writes the cameras changed since the last flush to the store, in one save. When the store
   * throws they stay changed, so the next flush retries them.
   */
  flush(): void {
    if (!this.#store) return;
    const changed: Camera[] = [];
    for (const c of this.#cameras.values()) if (c.dirty) changed.push(c);
    if (changed.length === 0) return;
    this.#store.save(changed.map((c) => c.toStored()));
    for (const c of changed) c.dirty = false;
  }

  get size(): number {
    return this.#cameras.size;
  }

  /** The camera by its serial as given, else canonical (the exact form costs no allocation). */
  #lookup(serial: string): Camera | undefined {
    return this.#cameras.get(serial) ?? this.#cameras.get(canonicalSerial(serial));
  }

  #find(serial: string): Camera {
    const c = this.#lookup(serial) ?? this.#adopt(serial);
    if (!c) throw new TrustcamError("TC_ERR_NOT_FOUND", `Unknown camera: ${quote(serial)}`);
    return c;
  }

  /** A camera only another hub knows, taken in here (its settings are about to change). */
  #adopt(serial: string): Camera | undefined {
    serial = canonicalSerial(serial);
    const held = this.#cluster?.remote.get(serial)?.camera;
    if (!held) return undefined;
    const c = new Camera(
      serial,
      held.name,
      Date.parse(held.firstSeen),
      Date.parse(held.lastSeen),
      this.#windowMs,
    );
    this.#cameras.set(serial, c);
    return c;
  }

  // An offline camera sends nothing, whatever its window still holds.
  #fps(c: Camera, now: number): number {
    return c.state === "offline" ? 0 : round1(c.rate.fps(now));
  }

  #kbps(c: Camera, now: number): number {
    return c.state === "offline" ? 0 : round1(c.rate.kbps(now));
  }

  #info(c: Camera, now: number): CameraInfo {
    return {
      serial: c.serial,
      name: c.name,
      state: c.state,
      firstSeen: iso(c.firstSeen),
      lastSeen: iso(c.lastSeen),
      lastFrameAt: c.lastFrameAt === null ? null : iso(c.lastFrameAt),
      fps: this.#fps(c, now),
      kbps: this.#kbps(c, now),
      frames: c.frames,
      bad: c.bad,
      skipped: c.skipped,
      status: c.status,
      recording: recordingInfo(c.recordMode, c.state === "online", c.serial, this.#recorder),
      motion: motionInfo(c.motion ?? DEFAULT_MOTION_SETTINGS, c.serial, this.#motion),
      hidden: c.hidden,
      ...(this.#cluster && c.state !== "offline" ? { hub: this.#cluster.hub } : {}),
    };
  }
}
