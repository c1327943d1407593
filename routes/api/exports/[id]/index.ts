/**
 * `GET /api/exports/:id`: the EXPORT object (state, percent); `DELETE` cancels it (ffmpeg is
 * killed and its file removed before the answer) and answers it `cancelled`, or as it ended
 * if it had. Only the viewer that started it sees it (404 for others), and only while the
 * policy lets it see the camera (403).
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { exportFor, exportJson } from "../../../../lib/exports.ts";

export const handler: HubHandlers = {
  GET(ctx) {
    const job = exportFor(ctx.state.exports, ctx.params.id, ctx.state.peer, ctx.state.canSee);
    return Response.json(exportJson(job), { headers: { "cache-control": "no-store" } });
  },

  async DELETE(ctx) {
    const job = exportFor(ctx.state.exports, ctx.params.id, ctx.state.peer, ctx.state.canSee);
    const cancelled = await ctx.state.exports!.cancel(job.id);
    return Response.json(exportJson(cancelled), { headers: { "cache-control": "no-store" } });
  },
};
