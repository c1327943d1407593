/**
 * The asking viewer's wall preferences (lib/wall_prefs.ts), keyed by its certificate's CN:
 * nobody reads or writes another viewer's, as the CN comes from the TLS layer, never the URL.
 * `PUT` is origin-checked by the app like every state-changing request.
 */
import type { HubHandlers, RouteConfig, RouteState } from "../../lib/hub_state.ts";
import { TrustcamError } from "../../lib/errors.ts";
import { DEFAULT_WALL_PREFS, MAX_PREF_CAMERAS, parseWallPrefs } from "../../lib/wall_prefs.ts";
import { jsonBody } from "../../lib/web/json_body.ts";

/**
 * A body holding both lists at their longest fits: a serial is 18 characters, at most 40
 * bytes as a JSON string (every one escaped) with its comma; 1 KiB for the rest.
 */
export const PREFS_MAX_BODY_BYTES = 2 * MAX_PREF_CAMERAS * 40 + 1024;

export const config: RouteConfig = { maxBodyBytes: PREFS_MAX_BODY_BYTES };

function storeOf(state: RouteState) {
  const store = state.wallPrefs;
  if (!store) throw new TrustcamError("TC_ERR_NOT_FOUND", "Preferences are not kept by this hub");
  return store;
}

export const handler: HubHandlers = {
  GET(ctx) {
    const prefs = ctx.state.wallPrefs?.get(ctx.state.peer.cn) ?? DEFAULT_WALL_PREFS;
    return Response.json({ prefs });
  },

  /** Replaces the viewer's preferences with the body (a WallPrefs); answers what was stored. */
  async PUT(ctx) {
    const store = storeOf(ctx.state);
    const body = await jsonBody(ctx.req);
    const prefs = parseWallPrefs(body, ctx.state.isSerial);
    store.set(ctx.state.peer.cn, prefs);
    return Response.json({ prefs });
  },
};
