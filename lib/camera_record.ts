/**
 * One camera as the registry (lib/registry.ts) keeps it: the CAMERA object it reports, the
 * entry of the `stats` message, the row that survives a restart, and the mutable record
 * between them.
 */
import type { DeviceStatus } from "./device_status.ts";
import { RateWindow } from "./rate_window.ts";
import { canonicalSerial } from "./serial.ts";
import type { RecordingInfo, RecordMode } from "./recording_mode.ts";
import type { MotionSettings } from "./motion_settings.ts";
import type { MotionInfo } from "./motion_status.ts";

export type CameraState = "online" | "stalled" | "offline";

/** The CAMERA object of docs/protocol.md; times ISO, rates rounded to 1 decimal. */
export interface CameraInfo {
  serial: string;
  name: string;
  state: CameraState;
  firstSeen: string;
  lastSeen: string;
  lastFrameAt: string | null;
  fps: number;
  kbps: number;
  frames: number;
  bad: number;
  skipped: number;
  status: DeviceStatus | null;
  recording: RecordingInfo;
  motion: MotionInfo;
  /** In a cluster (`--bus`): the id of the hub holding the camera while online or stalled. */
  hub?: string;
  /** An admin hid it: out of the wall, listed on the settings page. */
  hidden?: boolean;
}

/** One entry of the viewers' `stats` message. */
export interface CameraStats {
  serial: string;
  fps: number;
  kbps: number;
  frames: number;
  bad: number;
  skipped: number;
}

/** What survives a restart; times in epoch milliseconds. */
export interface StoredCamera {
  serial: string;
  name: string;
  firstSeen: number;
  lastSeen: number;
  lastFrameAt: number | null;
  frames: number;
  bad: number;
  skipped: number;
  status: DeviceStatus | null;
  /** The camera's own recording mode; null follows the hub's `--record`. */
  recordMode: RecordMode | null;
  /** The camera's motion settings; null (or absent) is {@link DEFAULT_MOTION_SETTINGS}. */
  motion?: MotionSettings | null;
  /** An admin hid it from the wall; absent is false. */
  hidden?: boolean;
}

export interface CameraStore {
  load(): StoredCamera[];
  /** Upserts these cameras (only the changed ones are passed). */
  save(cameras: StoredCamera[]): void;
  /** Forgets these cameras (an admin removed them). */
  delete(serials: string[]): void;
  close(): void;
}

/** The registry's mutable record of one camera. */
export class Camera {
  state: CameraState = "offline";
  lastFrameAt: number | null = null;
  frames = 0;
  bad = 0;
  skipped = 0;
  status: DeviceStatus | null = null;
  recordMode: RecordMode | null = null;
  motion: Readonly<MotionSettings> | null = null;
  hidden = false;
  /** When the stall clock last restarted: the last frame, or the connection. */
  activeSince = 0;
  /** Changed since the last flush. */
  dirty = false;
  readonly rate: RateWindow;

  constructor(
    readonly serial: string,
    public name: string,
    public firstSeen: number,
    public lastSeen: number,
    windowMs: number | undefined,
  ) {
    this.rate = new RateWindow(windowMs);
  }

  /** A camera as the store kept it (its serial made canonical). */
  static fromStored(s: StoredCamera, windowMs: number | undefined): Camera {
    const c = new Camera(canonicalSerial(s.serial), s.name, s.firstSeen, s.lastSeen, windowMs);
    c.lastFrameAt = s.lastFrameAt;
    c.frames = s.frames;
    c.bad = s.bad;
    c.skipped = s.skipped;
    c.status = s.status === null ? null : Object.freeze({ ...s.status });
    c.recordMode = s.recordMode ?? null;
    c.motion = s.motion ? Object.freeze({ ...s.motion }) : null;
    c.hidden = s.hidden === true;
    return c;
  }

  /** What the store keeps of it (copies: the store may hold on to them). */
  toStored(): StoredCamera {
    return {
      serial: this.serial,
      name: this.name,
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      lastFrameAt: this.lastFrameAt,
      frames: this.frames,
      bad: this.bad,
      skipped: this.skipped,
      status: this.status,
      recordMode: this.recordMode,
      motion: this.motion === null
        ? null
        : { ...this.motion, mask: this.motion.mask.map((r) => ({ ...r })) },
      ...(this.hidden ? { hidden: true } : {}),
    };
  }
}
