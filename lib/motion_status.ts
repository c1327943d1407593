/**
 * The `motion` part of the CAMERA object (docs/protocol.md): whether a camera's frames are
 * analyzed and whether one of its motion events is open. Pure: the registry holds each
 * camera's settings, the hub's motion service says what runs.
 */
import type { MotionSettings } from "./motion_settings.ts";

/** The CAMERA object's `motion`. */
export interface MotionInfo {
  /** Whether this camera's frames are analyzed: `--motion on` and its settings enabled. */
  enabled: boolean;
  /** Whether a motion event of this camera is open now. */
  active: boolean;
}

/** What the registry needs of the motion service to fill in {@link MotionInfo}. */
export interface MotionStatus {
  /** Whether motion detection runs at all (`--motion on`). */
  running(): boolean;
  /** Whether an event of this camera is open. */
  active(serial: string): boolean;
}

/** No motion service: nothing is analyzed (pure tests, pages without a hub). */
export const NO_MOTION: MotionStatus = { running: () => false, active: () => false };

export function motionInfo(
  settings: Readonly<MotionSettings>,
  serial: string,
  status: MotionStatus,
): MotionInfo {
  const enabled = settings.enabled && status.running();
  return { enabled, active: enabled && status.active(serial) };
}
