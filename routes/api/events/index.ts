/**
 * `GET /api/events?camera=&from=&to=&limit=`: stored motion events, newest first, of the
 * cameras the viewer may see (`camera` narrows to one: 403 when hidden, as every camera
 * route). Events of other cameras are never listed.
 */
import type { HubHandlers } from "../../../lib/hub_state.ts";
import { visibleCamera } from "../../../lib/camera_access.ts";
import { listEvents, parseEventRange } from "../../../lib/motion_event_log.ts";

export const handler: HubHandlers = {
  GET(ctx) {
    const { state } = ctx;
    const params = new URL(ctx.req.url).searchParams;
    const raw = params.get("camera");
    const cameras = raw !== null
      ? [visibleCamera(state, raw).serial]
      : state.registry.list().map((c) => c.serial).filter((s) => state.canSee(state.peer.cn, s));
    return listEvents(state.events, { cameras, ...parseEventRange(params) });
  },
};
