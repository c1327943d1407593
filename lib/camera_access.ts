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
  const serial = visibleSerial(state, raw);
  const camera = state.registry.get(serial);
  if (!camera) throw unknownCamera(serial);
  return camera;
}

/** The camera of a live-frame route (snapshot, MJPEG), which may be held by another hub. */
export interface LiveCamera {
  serial: string;
  /** What this hub's registry knows of it; null for a camera only another hub may know. */
  camera: CameraInfo | null;
  /** Another hub may hold it (`HubState.heldElsewhere`): its frames come over the bus. */
  elsewhere: boolean;
}

/**
 * {@link cameraOf} for the routes of live frames: the same checks in the same order, but a
 * camera this hub's registry does not know is not a 404 yet when another hub may hold it
 * (`camera` null): the route answers 404 only if no frame of it comes over the bus.
 */
export function liveCameraOf(ctx: HubRouteContext): LiveCamera {
  return liveCamera(ctx.state, ctx.params.serial ?? "");
}

/** The same checks for a serial given elsewhere (a query parameter). */
export function liveCamera(state: RouteState, raw: string): LiveCamera {
  const serial = visibleSerial(state, raw);
  const elsewhere = state.heldElsewhere?.(serial) === true;
  const camera = state.registry.get(serial) ?? null;
  if (!camera && !elsewhere) throw unknownCamera(serial);
  return { serial, camera, elsewhere };
}

/** The 404 of a camera no hub has shown a frame or a record of. */
export function unknownCamera(serial: string): TrustcamError {
  return new TrustcamError("TC_ERR_NOT_FOUND", `Unknown camera: ${quote(serial)}`);
}

/** 400 for a malformed serial (before any lookup), 403 when the policy hides the camera. */
function visibleSerial(state: RouteState, raw: string): string {
  const serial = parseSerial(raw, state.isSerial);
  if (!state.canSee(state.peer.cn, serial)) {
    throw new TrustcamError("TC_ERR_FORBIDDEN", `Not allowed to see camera: ${quote(serial)}`);
  }
  return serial;
}
