import type { Handlers } from "../lib/web/router.ts";
import type { HubState } from "../hub/state.ts";

/** Liveness for Docker's HEALTHCHECK and load balancers; any verified certificate may ask. */
export const handler: Handlers<HubState> = {
  GET(ctx) {
    const cameras = ctx.state.registry.list();
    return Response.json({
      ok: true,
      cameras: cameras.length,
      online: cameras.filter((c) => c.state !== "offline").length,
    }, { headers: { "cache-control": "no-store" } });
  },
};
