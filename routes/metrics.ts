import type { HubHandlers } from "../lib/hub_state.ts";

export const handler: HubHandlers = {
  GET(ctx) {
    return new Response(ctx.state.metrics.render(), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  },
};
