import type { HubHandlers, RouteConfig } from "../lib/hub_state.ts";
import { isAdmin } from "../lib/roles.ts";

/**
 * Liveness for Docker's HEALTHCHECK and load balancers; any verified certificate may ask.
 * Only admins learn how many cameras there are.
 */
export const config: RouteConfig = { roles: ["viewer", "device"] };

export const handler: HubHandlers = {
  GET(ctx) {
    const headers = { "cache-control": "no-store" };
    if (!isAdmin(ctx.state)) return Response.json({ ok: true }, { headers });
    const cameras = ctx.state.registry.list();
    return Response.json({
      ok: true,
      cameras: cameras.length,
      online: cameras.filter((c) => c.state !== "offline").length,
    }, { headers });
  },
};
