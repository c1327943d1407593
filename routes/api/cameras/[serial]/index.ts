import type { Handlers } from "../../../../lib/web/router.ts";
import type { HubState } from "../../../../hub/state.ts";
import { cameraOf } from "../../../../hub/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";

export const handler: Handlers<HubState> = {
  GET(ctx) {
    return Response.json(cameraOf(ctx), { headers: { "cache-control": "no-store" } });
  },

  /** Renames a camera: `{"name": "Front door"}`. */
  async PATCH(ctx) {
    const camera = cameraOf(ctx);
    let body: unknown;
    try {
      body = await ctx.req.json();
    } catch {
      throw new TrustcamError("TC_ERR_BAD_CONTROL", "Request body is not JSON");
    }
    const name = (body as { name?: unknown })?.name;
    if (typeof name !== "string") {
      throw new TrustcamError("TC_ERR_BAD_CONTROL", 'Request body needs a string "name"');
    }
    const renamed = ctx.state.registry.rename(camera.serial, name);
    ctx.state.announce(camera.serial, "renamed");
    return Response.json(renamed);
  },
};
