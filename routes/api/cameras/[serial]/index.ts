import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { requireManager } from "../../../../lib/roles.ts";
import { jsonBody } from "../../../../lib/web/json_body.ts";

export const handler: HubHandlers = {
  GET(ctx) {
    return Response.json(cameraOf(ctx), { headers: { "cache-control": "no-store" } });
  },

  /**
   * Renames a camera: `{"name": "Front door"}`. The admin check comes first, so a viewer who
   * may not rename learns nothing about which serials exist.
   */
  async PATCH(ctx) {
    requireManager(ctx.state, "Renaming cameras");
    const camera = cameraOf(ctx);
    const body = await jsonBody(ctx.req);
    const name = (body as { name?: unknown })?.name;
    if (typeof name !== "string") {
      throw new TrustcamError("TC_ERR_BAD_REQUEST", 'Request body needs a string "name"');
    }
    const renamed = ctx.state.registry.rename(camera.serial, name);
    ctx.state.announce(camera.serial, "renamed");
    return Response.json(renamed);
  },

  /**
   * Removes an offline camera from the registry (409 TC_ERR_CAMERA_ONLINE while online or
   * stalled); its recordings and motion events stay. Answers the camera as it was last.
   */
  DELETE(ctx) {
    requireManager(ctx.state, "Removing cameras");
    const camera = cameraOf(ctx);
    return Response.json(ctx.state.removeCamera(camera.serial), {
      headers: { "cache-control": "no-store" },
    });
  },
};
