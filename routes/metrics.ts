import type { HubHandlers } from "../lib/hub_state.ts";
import { TrustcamError } from "../lib/errors.ts";
import { mayScrape } from "../lib/roles.ts";

/** Prometheus text: every serial and its traffic, so admins and named scrapers only. */
export const handler: HubHandlers = {
  GET(ctx) {
    if (!mayScrape(ctx.state)) {
      throw new TrustcamError(
        "TC_ERR_FORBIDDEN",
        'Reading /metrics needs an admin certificate or one named in the policy\'s "metrics"',
      );
    }
    return new Response(ctx.state.metrics.render(), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  },
};
