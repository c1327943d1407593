/**
 * `PUT /api/cameras/:serial/hidden` with `{"hidden": true|false}`: an admin hides a camera from
 * the wall (it stays in the API and on the settings page), or shows it again. Persisted with
 * the camera (and shared with the other hubs with `--bus`); viewers hear a `hidden` camera
 * event. The admin check comes first, as for a rename.
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { requireManager } from "../../../../lib/roles.ts";
import { jsonBody } from "../../../../lib/web/json_body.ts";

export const handler: HubHandlers = {
  async PUT(ctx) {
    requireManager(ctx.state, "Hiding cameras");
    const camera = cameraOf(ctx);
    const body = await jsonBody(ctx.req);
    const hidden = (body as { hidden?: unknown })?.hidden;
    if (typeof hidden !== "boolean") {
      throw new TrustcamError("TC_ERR_BAD_REQUEST", 'Request body needs "hidden": true or false');
    }
    const info = ctx.state.registry.setHidden(camera.serial, hidden);
    ctx.state.announce(camera.serial, "hidden");
    return Response.json(info, { headers: { "cache-control": "no-store" } });
  },
};
