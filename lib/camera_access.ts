/** The checks every camera route makes, in the order that leaks the least. */
import { TrustcamError } from "./errors.ts";
import { parseSerial } from "./serial.ts";
import { quote } from "./quote.ts";
import type { CameraInfo } from "./registry.ts";
import type { HubRouteContext, RouteState } from "./hub_state.ts";

/**
 * The camera named by `:serial`: 400 for a malformed serial (before any lookup), 403 when the
 * policy hides it, 404 when the hub never saw it.
 */
export function cameraOf(ctx: HubRouteContext): CameraInfo {
  return visibleCamera(ctx.state, ctx.params.serial ?? "");
}

/** The same checks for a serial given elsewhere (a request body). */
export function visibleCamera(state: RouteState, raw: string): CameraInfo {
  const serial = parseSerial(raw, state.isSerial);
  if (!state.canSee(state.peer.cn, serial)) {
    throw new TrustcamError("TC_ERR_FORBIDDEN", `Not allowed to see camera: ${quote(serial)}`);
  }
  const camera = state.registry.get(serial);
  if (!camera) throw new TrustcamError("TC_ERR_NOT_FOUND", `Unknown camera: ${quote(serial)}`);
  return camera;
}
