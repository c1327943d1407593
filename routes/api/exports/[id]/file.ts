/**
 * `GET /api/exports/:id/file`: the MP4 of a done export, as an attachment named
 * `<serial>-<from>.mp4`; 409 `TC_ERR_EXPORT_NOT_READY` before it is done (or when it failed or
 * was cancelled). Same access rules as the export itself.
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { exportFor, mp4Response } from "../../../../lib/exports.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { quote } from "../../../../lib/quote.ts";

export const handler: HubHandlers = {
  async GET(ctx) {
    const job = exportFor(ctx.state.exports, ctx.params.id, ctx.state.peer, ctx.state.canSee);
    if (job.state !== "done") {
      throw new TrustcamError(
        "TC_ERR_EXPORT_NOT_READY",
        `Export ${quote(job.id)} is ${job.state}, not done`,
      );
    }
    return mp4Response(job, await ctx.state.exports!.file(job.id));
  },
};
