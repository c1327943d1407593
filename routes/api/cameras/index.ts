import type { Handlers } from "../../../lib/web/router.ts";
import type { HubState } from "../../../hub/state.ts";

export const handler: Handlers<HubState> = {
  GET(ctx) {
    const cameras = ctx.state.registry.list().filter((c) =>
      ctx.state.canSee(ctx.peer.cn, c.serial)
    );
    return Response.json({ cameras }, { headers: { "cache-control": "no-store" } });
  },
};
