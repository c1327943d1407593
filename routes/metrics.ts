import type { Handlers } from "../lib/web/router.ts";
import type { HubState } from "../hub/state.ts";

export const handler: Handlers<HubState> = {
  GET(ctx) {
    return new Response(ctx.state.metrics.render(), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  },
};
