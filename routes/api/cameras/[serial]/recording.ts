/**
 * `PUT /api/cameras/:serial/recording` with `{"mode":"off"|"continuous"|"motion"|"default"}`:
 * sets the camera's own recording mode (`default` follows `--record` again), persisted with
 * the camera. Admins only, the check first, as for a rename; the recorder follows from the
 * camera's next frame, and other viewers hear a `recording` event.
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { requireManager } from "../../../../lib/roles.ts";
import { parseRecordModeBody } from "../../../../lib/recording_mode.ts";
import { jsonBody } from "../../../../lib/web/json_body.ts";

export const handler: HubHandlers = {
  async PUT(ctx) {
    requireManager(ctx.state, "Setting recording modes");
    const camera = cameraOf(ctx);
    const body = await jsonBody(ctx.req);
    const mode = parseRecordModeBody(body);
    const changed = ctx.state.registry.setRecordMode(camera.serial, mode);
    ctx.state.announce(camera.serial, "recording");
    return Response.json(changed, { headers: { "cache-control": "no-store" } });
  },
};
