/**
 * `GET /api/cameras/:serial/export.mp4?from=&to=`: the export of `POST /api/exports`, made
 * while the client waits, answered as the MP4 (`Content-Location` its file URL; the job is
 * kept, and expires, like any other). A client that goes away cancels it; 500
 * `TC_ERR_EXPORT_FAILED` with ffmpeg's reason when it fails.
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { exportUrl, mp4Response, parseExportRange } from "../../../../lib/exports.ts";

export const handler: HubHandlers = {
  /** Not the GET fallback: a HEAD would run a whole export for a few headers. */
  HEAD() {
    throw new TrustcamError("TC_ERR_METHOD", 'Method not allowed: "HEAD"');
  },

  async GET(ctx) {
    const { serial } = cameraOf(ctx);
    const params = ctx.url.searchParams;
    const range = parseExportRange(params.get("from"), params.get("to"), Date.now());
    const exports = ctx.state.exports;
    if (!exports) throw new TrustcamError("TC_ERR_NOT_FOUND", "Exports are not available here");
    const job = await exports.create(ctx.state.peer, serial, range.from, range.to);
    try {
      await exports.settled(job.id, ctx.req.signal);
    } catch {
      await exports.cancel(job.id);
      throw new TrustcamError("TC_ERR_EXPORT_FAILED", "Export cancelled: the client went away");
    }
    if (job.state !== "done") {
      throw new TrustcamError(
        "TC_ERR_EXPORT_FAILED",
        job.state === "failed" ? `Export failed: ${job.error}` : "Export cancelled",
      );
    }
    const res = mp4Response(job, await exports.file(job.id));
    res.headers.set("content-location", `${exportUrl(job.id)}/file`);
    return res;
  },
};
