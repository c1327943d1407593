import type { HubHandlers, RouteConfig } from "../lib/hub_state.ts";

/** Liveness for Docker's HEALTHCHECK and load balancers; any verified certificate may ask. */
export const config: RouteConfig = { roles: ["viewer", "device"] };

export const handler: HubHandlers = {
  GET(ctx) {
    const cameras = ctx.state.registry.list();
    return Response.json({
      ok: true,
      cameras: cameras.length,
      online: cameras.filter((c) => c.state !== "offline").length,
    }, { headers: { "cache-control": "no-store" } });
  },
};
