/**
 * `GET /api/events?camera=&from=&to=&limit=`: stored motion events, newest first, of the
 * cameras the viewer may see (`camera` narrows to one: 403 when hidden, as every camera
 * route). Events of other cameras are never listed.
 */
import type { HubHandlers } from "../../../lib/hub_state.ts";
import { liveCamera, visibleCamera } from "../../../lib/camera_access.ts";
import { eventsAnswer, listEvents, parseEventRange } from "../../../lib/motion_event_log.ts";

export const handler: HubHandlers = {
  async GET(ctx) {
    const { state } = ctx;
    const params = new URL(ctx.req.url).searchParams;
    const raw = params.get("camera");
    // With `--bus` the named camera may be known only to other hubs (their stores answer).
    const named = state.clusterEvents ? liveCamera : visibleCamera;
    const cameras = raw !== null
      ? [named(state, raw).serial]
      : state.registry.list().map((c) => c.serial).filter((s) => state.canSee(state.peer.cn, s));
    const query = { cameras, ...parseEventRange(params) };
    if (!state.clusterEvents) return listEvents(state.events, query);
    return eventsAnswer(await state.clusterEvents.list(query));
  },
};
