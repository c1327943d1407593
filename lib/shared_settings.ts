/**
 * Camera names and settings shared by every hub (issue 13): each change made on a hub (a
 * rename, a recording mode, motion settings) is written under the camera's key in the
 * JetStream KV bucket `trustcam_cameras`; every hub watches the bucket and applies what it
 * reads to its own registry. The last writer wins, by KV revision. The KV I/O is in
 * hub/cluster_cameras.ts; this module is the pure part: the value format and the
 * {@link SettingsBook} that decides what to write and what to apply.
 *
 * NATS away: a change applies locally at once and stays pending; when a connection is back
 * the pending changes are written, and until each is, what the watch reads for that camera
 * (older values from the bucket) is not applied over it.
 */
import { normalizeCameraName } from "./camera_name.ts";
import { type MotionSettings, parseMotionSettings } from "./motion_settings.ts";
import { isRecordMode, type RecordMode } from "./recording_mode.ts";

/** The bucket of shared camera settings, one key per camera (keys as lib/session_claims.ts). */
export const CAMERAS_BUCKET = "trustcam_cameras";

/** What every hub shares of a camera. */
export interface SharedSettings {
  name: string;
  /** The camera's own recording mode; null follows each hub's `--record`. */
  recordMode: RecordMode | null;
  /** The camera's own motion settings; null is the defaults. */
  motion: MotionSettings | null;
  /** An admin hid it from the wall; absent is false (and what older hubs wrote). */
  hidden?: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `hub`: the writer, for the operator reading the bucket. */
export function encodeSettings(s: SharedSettings, hub: string): Uint8Array {
  return encoder.encode(JSON.stringify({ ...s, hub }));
}

/**
 * Settings read from the bucket, checked as the API checks them; throws SyntaxError,
 * TypeError or the API's TC_ERR_BAD_* errors when they are not valid.
 */
export function decodeSettings(data: Uint8Array): SharedSettings {
  const text = decoder.decode(data);
  const o = JSON.parse(text);
  if (
    o === null || typeof o !== "object" ||
    !(o.recordMode === null || isRecordMode(o.recordMode))
  ) {
    throw new TypeError(`Not camera settings: "${text.slice(0, 80)}"`);
  }
  return {
    name: normalizeCameraName(o.name),
    recordMode: o.recordMode,
    motion: o.motion === null || o.motion === undefined ? null : parseMotionSettings(o.motion),
    ...(o.hidden === true ? { hidden: true } : {}),
  };
}

/** Whether two settings say the same (the motion settings compared field by field). */
export function sameSettings(a: SharedSettings, b: SharedSettings): boolean {
  return a.name === b.name && a.recordMode === b.recordMode &&
    (a.hidden === true) === (b.hidden === true) &&
    JSON.stringify(a.motion) === JSON.stringify(b.motion);
}

/** Per camera: the revision last written or applied, and whether a local change waits. */
interface Entry {
  revision: number;
  pending: boolean;
}

export class SettingsBook {
  #entries = new Map<string, Entry>();

  #entry(serial: string): Entry {
    let e = this.#entries.get(serial);
    if (!e) this.#entries.set(serial, e = { revision: 0, pending: false });
    return e;
  }

  /** A camera's settings changed here: they are to be written. */
  changed(serial: string): void {
    this.#entry(serial).pending = true;
  }

  /** The cameras whose local changes still wait to be written (after a reconnect: all). */
  pending(): string[] {
    return [...this.#entries].filter(([, e]) => e.pending).map(([serial]) => serial);
  }

  /**
   * A write of the camera's settings is starting: until {@link written}, another change
   * marks it pending again.
   */
  writing(serial: string): void {
    this.#entry(serial).pending = false;
  }

  /** The write got `revision`; a failed write calls {@link changed} again. */
  written(serial: string, revision: number): void {
    const e = this.#entry(serial);
    e.revision = Math.max(e.revision, revision);
  }

  /**
   * The bucket holds the camera's settings at `revision` (from the watch): true when they
   * are to be applied, i.e. newer than what this hub wrote or applied, and no local change
   * waits (it will overtake them).
   */
  seen(serial: string, revision: number): boolean {
    const e = this.#entry(serial);
    if (e.pending || revision <= e.revision) return false;
    e.revision = revision;
    return true;
  }
}
