/**
 * What the hub tells its listeners (viewers over the control protocol, MQTT) of a motion
 * event: JSON-safe, no pixels. The events store (hub/) produces them; the feed fans them out.
 */
import type { MotionRect } from "./motion_settings.ts";

export interface MotionNotice {
  /** The stored event's id (thumbnail at `/api/events/:id/thumbnail.jpg`). */
  id: string;
  camera: string;
  state: "start" | "end";
  /** ISO 8601: first frame with motion. */
  startedAt: string;
  /** ISO 8601, `end` only: last frame with motion. */
  endedAt?: string;
  /** Peak changed fraction of the unmasked picture so far, 0-1. */
  score: number;
  /** Where the motion was over the event so far, normalized 0-1. */
  box: MotionRect;
}

/** A source of motion notices; `subscribe` returns the unsubscribe. */
export interface MotionFeed {
  subscribe(listener: (notice: MotionNotice) => void): () => void;
  /**
   * Settles once the thumbnail being written for an event is stored, or undefined when none
   * is: a notice names its thumbnail before the decode process has made it.
   */
  thumbnailWritten?(id: string): Promise<void> | undefined;
}
