/**
 * Checks that a device message is a complete JPEG before anything relays it. Returns a reason
 * instead of throwing: a device flooding bad frames must cost a few comparisons each, not an
 * Error with a stack trace.
 */
import type { ErrorCode } from "./errors.ts";

export type FrameProblem = "empty" | "no_soi" | "no_eoi" | "too_large";

export const FRAME_PROBLEM_TEXT: Record<FrameProblem, string> = {
  empty: "Empty frame",
  no_soi: "Frame does not start with SOI (FF D8)",
  no_eoi: "Frame does not end with EOI (FF D9): truncated",
  too_large: "Frame too large",
};

/**
 * The error code of each problem; lib/errors.ts's table says what it does to the connection
 * (a bad frame is dropped, a frame too large closes it with 1009).
 */
export const FRAME_PROBLEM_CODE: Record<FrameProblem, ErrorCode> = {
  empty: "TC_ERR_BAD_FRAME",
  no_soi: "TC_ERR_BAD_FRAME",
  no_eoi: "TC_ERR_BAD_FRAME",
  too_large: "TC_ERR_FRAME_TOO_LARGE",
};

/** The problem with a frame, or null when it is a complete JPEG within `maxBytes`. */
export function frameProblem(data: Uint8Array, maxBytes: number): FrameProblem | null {
  const n = data.byteLength;
  if (n === 0) return "empty";
  if (n > maxBytes) return "too_large";
  if (n < 4 || data[0] !== 0xff || data[1] !== 0xd8) return "no_soi";
  if (data[n - 2] !== 0xff || data[n - 1] !== 0xd9) return "no_eoi";
  return null;
}
