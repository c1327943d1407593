/**
 * Recording modes: the hub's default (`--record`), a camera's own setting that overrides it,
 * and the `recording` part of the CAMERA object (docs/protocol.md) they add up to. Pure: the
 * registry holds each camera's setting, the recorder asks {@link recordsFrames}.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";

export const RECORD_MODES = ["off", "continuous", "motion"] as const;
export type RecordMode = typeof RECORD_MODES[number];

/** The CAMERA object's `recording`. */
export interface RecordingInfo {
  /** The mode in force for this camera. */
  mode: RecordMode;
  /** Whether {@link mode} is the hub's `--record` or set for this camera. */
  source: "default" | "camera";
  /** Whether this camera's frames are being written now. */
  recording: boolean;
  /** Frames the recorder dropped for this camera (disk behind) since the hub started. */
  dropped: number;
}

/** What the registry needs of the recorder to fill in {@link RecordingInfo}. */
export interface RecorderStatus {
  /** The hub's `--record`. */
  defaultMode: RecordMode;
  /** Frames the recorder dropped for this camera. */
  dropped(serial: string): number;
  /** Whether the recorder writes nothing now (retention's free-space floor). */
  paused(): boolean;
  /**
   * Whether a camera in `motion` mode is being recorded: an event open, or its pre/post-roll
   * (hub/motion_recording.ts). Absent: never.
   */
  motionRecording?(serial: string): boolean;
}

export const NO_RECORDER: RecorderStatus = {
  defaultMode: "off",
  dropped: () => 0,
  paused: () => false,
};

export function isRecordMode(x: unknown): x is RecordMode {
  return (RECORD_MODES as readonly unknown[]).includes(x);
}

/** The mode in force: the camera's own, else the hub's default. */
export function effectiveMode(own: RecordMode | null, defaultMode: RecordMode): RecordMode {
  return own ?? defaultMode;
}

/**
 * Whether every frame of a camera in `mode` is written. `motion` writes only around motion
 * events (see {@link mayRecord}).
 */
export function recordsFrames(mode: RecordMode): boolean {
  return mode === "continuous";
}

/** Whether a camera in `mode` may have frames written at all: the recorder must listen. */
export function mayRecord(mode: RecordMode): boolean {
  return mode !== "off";
}

/**
 * The body of `PUT /api/cameras/:serial/recording`, `{"mode": M}`: the camera's own mode, or
 * null for `"default"` (follow `--record`). Anything else is TC_ERR_BAD_REQUEST quoting it.
 */
export function parseRecordModeBody(body: unknown): RecordMode | null {
  const mode = typeof body === "object" && body !== null && !Array.isArray(body)
    ? (body as { mode?: unknown }).mode
    : undefined;
  if (mode === "default") return null;
  if (isRecordMode(mode)) return mode;
  throw new TrustcamError(
    "TC_ERR_BAD_REQUEST",
    mode === undefined
      ? `Request body needs "mode": off, continuous, motion or default, got ${quote(body)}`
      : `Invalid recording mode: ${quote(mode)}: expected off, continuous, motion or default`,
  );
}

/** The `recording` object of a camera whose own setting is `own` and which is `online`. */
export function recordingInfo(
  own: RecordMode | null,
  online: boolean,
  serial: string,
  recorder: RecorderStatus,
): RecordingInfo {
  const mode = effectiveMode(own, recorder.defaultMode);
  return {
    mode,
    source: own === null ? "default" : "camera",
    recording: (recordsFrames(mode) ||
      (mode === "motion" && recorder.motionRecording?.(serial) === true)) &&
      online && !recorder.paused(),
    dropped: recorder.dropped(serial),
  };
}
