/**
 * Roles beyond "viewer": admins manage cameras, scrapers read `/metrics`. The policy names
 * them by CN; only a viewer certificate can hold one, so a device whose serial happens to be
 * listed gains nothing. Every management action starts with {@link requireManager}.
 */
import { TrustcamError } from "./errors.ts";
import type { RouteState } from "./hub_state.ts";

/**
 * Renames (and later management actions) a viewer may make per minute, after the burst: an
 * admin naming every camera of a site at set-up passes, a script renaming thousands does not.
 */
export const MANAGE_PER_MINUTE = 60;
/** Management actions a viewer may make at once. */
export const MANAGE_BURST = 30;

/** Whether the peer asking is an admin. */
export function isAdmin(state: RouteState): boolean {
  return state.peer.role === "viewer" && state.isAdmin(state.peer.cn);
}

/** Whether the peer asking may read `/metrics`. */
export function mayScrape(state: RouteState): boolean {
  return state.peer.role === "viewer" && state.mayScrape(state.peer.cn);
}

/**
 * Admits a management action such as `"Renaming cameras"`: 403 TC_ERR_FORBIDDEN unless the
 * peer is an admin, then 429 TC_ERR_RATE when this admin manages too fast.
 */
export function requireManager(state: RouteState, action: string): void {
  if (!isAdmin(state)) {
    throw new TrustcamError("TC_ERR_FORBIDDEN", `${action} needs an admin certificate`);
  }
  if (!state.takeManageToken(state.peer.cn)) {
    throw new TrustcamError(
      "TC_ERR_RATE",
      `Too many changes: at most ${MANAGE_PER_MINUTE} a minute after ${MANAGE_BURST} at once`,
    );
  }
}
