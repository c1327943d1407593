import type { HubHandlers } from "../../../lib/hub_state.ts";

export const handler: HubHandlers = {
  GET(ctx) {
    const cameras = ctx.state.registry.list().filter((c) =>
      ctx.state.canSee(ctx.state.peer.cn, c.serial)
    );
    return Response.json({ cameras }, { headers: { "cache-control": "no-store" } });
  },
};
