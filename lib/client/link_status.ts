/**
 * What a page knows of its link to the hub, for the banner and for marking what it shows as
 * stale: the socket's status, when the next attempt is, and since when the link is down.
 * Pure; the islands keep one in state.
 */
import type { SocketStatus } from "./viewer_socket.ts";

export interface LinkStatus {
  status: SocketStatus;
  /** Date.now() ms of the next attempt, while reconnecting. */
  retryAt?: number;
  /**
   * Date.now() ms the page lost the link; set from the first failure until a socket opens
   * again. While set, nothing the page shows from the hub is current.
   */
  lostAt?: number;
}

export const INITIAL_LINK_STATUS: LinkStatus = { status: "connecting" };

/** The link after a status report from the socket at `now`. */
export function followStatus(
  prev: LinkStatus,
  status: SocketStatus,
  retryAt: number | undefined,
  now: number,
): LinkStatus {
  if (status === "open") return { status };
  // "connecting" is only the page's first attempt: what the server rendered is current.
  const lostAt = prev.lostAt ?? (status === "connecting" ? undefined : now);
  return { status, retryAt, lostAt };
}

/** Whether the figures on the page are the last known ones rather than live. */
export function isStale(link: LinkStatus): boolean {
  return link.lostAt !== undefined;
}
