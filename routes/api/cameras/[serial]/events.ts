/**
 * `GET /api/cameras/:serial/events?from=&to=&limit=`: the camera's stored motion events. With
 * `--bus`, of every hub's store (the camera may have been analysed on another hub): a serial no
 * hub's registry or store knows is a 404 then.
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf, liveCameraOf, unknownCamera } from "../../../../lib/camera_access.ts";
import { eventsAnswer, listEvents, parseEventRange } from "../../../../lib/motion_event_log.ts";

export const handler: HubHandlers = {
  async GET(ctx) {
    const { clusterEvents } = ctx.state;
    const params = new URL(ctx.req.url).searchParams;
    if (!clusterEvents) {
      const camera = cameraOf(ctx);
      return listEvents(ctx.state.events, { cameras: [camera.serial], ...parseEventRange(params) });
    }
    const { serial, camera } = liveCameraOf(ctx);
    const rows = await clusterEvents.list({ cameras: [serial], ...parseEventRange(params) });
    if (!camera && rows.length === 0) throw unknownCamera(serial);
    return eventsAnswer(rows);
  },
};
