/**
 * `GET /api/cameras/:serial/motion`: the camera's motion settings (MotionSettings JSON, the
 * defaults when it has none of its own). `PUT` with a partial MotionSettings changes the
 * fields it names (lib/motion_settings.ts checks them: 400 TC_ERR_BAD_REQUEST), persisted
 * with the camera. PUT is for admins only, the check first, as for a rename; the analyzer
 * follows from the camera's next frame (turned off, its open event ends now), and viewers
 * hear a `motion` camera event.
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { requireManager } from "../../../../lib/roles.ts";
import { parseMotionSettings } from "../../../../lib/motion_settings.ts";
import { jsonBody } from "../../../../lib/web/json_body.ts";

const NO_STORE = { "cache-control": "no-store" };

export const handler: HubHandlers = {
  GET(ctx) {
    const camera = cameraOf(ctx);
    return Response.json(ctx.state.registry.motionSettingsOf(camera.serial), {
      headers: NO_STORE,
    });
  },

  async PUT(ctx) {
    requireManager(ctx.state, "Setting motion detection");
    const camera = cameraOf(ctx);
    const body = await jsonBody(ctx.req);
    const { registry } = ctx.state;
    const settings = parseMotionSettings(body, registry.motionSettingsOf(camera.serial));
    registry.setMotionSettings(camera.serial, settings);
    ctx.state.announce(camera.serial, "motion");
    return Response.json(registry.motionSettingsOf(camera.serial), { headers: NO_STORE });
  },
};
