/**
 * Checks that a device message is a well-formed JPEG before anything relays it: within the
 * size limit, then its markers up to the first scan (lib/jpeg_structure.ts). Returns a
 * reason instead of throwing: a device flooding bad frames must cost a few comparisons each,
 * not an Error with a stack trace.
 */
import type { ErrorCode } from "./errors.ts";
import { checkJpegStructure, type JpegProblem } from "./jpeg_structure.ts";
import { recordedAt } from "./jpeg_com.ts";

export type FrameProblem = "empty" | "too_large" | "reserved_comment" | JpegProblem;

export interface FrameLimits {
  maxBytes: number;
  /** Largest width and height a frame header may declare. */
  maxDimension: number;
}

export interface FrameFault {
  problem: FrameProblem;
  /** For the log and the 1003 close's detail. */
  text: string;
}

/**
 * The error code of each problem; lib/errors.ts's table says what it does to the connection
 * (a bad frame is dropped, a frame too large closes it with 1009).
 */
export function frameProblemCode(problem: FrameProblem): ErrorCode {
  return problem === "too_large" ? "TC_ERR_FRAME_TOO_LARGE" : "TC_ERR_BAD_FRAME";
}

/** What is wrong with a frame, or null when it is a well-formed JPEG within the limits. */
export function checkFrame(data: Uint8Array, limits: FrameLimits): FrameFault | null {
  const n = data.byteLength;
  if (n === 0) return { problem: "empty", text: "Empty frame" };
  if (n > limits.maxBytes) {
    return { problem: "too_large", text: `Frame too large: ${n} bytes > ${limits.maxBytes}` };
  }
  const r = checkJpegStructure(data, limits.maxDimension);
  if (!r.ok) return { problem: r.problem, text: r.detail };
  // Viewers tell recorded frames by this comment: a live frame carrying one would pass for a
  // recording of another time.
  if (recordedAt(data) !== undefined) {
    return { problem: "reserved_comment", text: "Frame carries the hub's trustcam-at= comment" };
  }
  return null;
}
