/** `GET /api/cameras/:serial/events?from=&to=&limit=`: the camera's stored motion events. */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { listEvents, parseEventRange } from "../../../../lib/motion_event_log.ts";

export const handler: HubHandlers = {
  GET(ctx) {
    const camera = cameraOf(ctx);
    const params = new URL(ctx.req.url).searchParams;
    return listEvents(ctx.state.events, { cameras: [camera.serial], ...parseEventRange(params) });
  },
};
