/**
 * `POST /api/exports` with `{"camera":S,"from":T,"to":T}` (`to` defaults to now): queues an MP4
 * export of the camera's recording over the range; 202 with `Location: /api/exports/<id>` and
 * the EXPORT object. The export belongs to the certificate's CN.
 */
import type { HubHandlers } from "../../../lib/hub_state.ts";
import { visibleCamera } from "../../../lib/camera_access.ts";
import { TrustcamError } from "../../../lib/errors.ts";
import { exportJson, exportUrl, parseExportRange } from "../../../lib/exports.ts";
import { jsonBody } from "../../../lib/web/json_body.ts";

export const handler: HubHandlers = {
  async POST(ctx) {
    const body = await jsonBody(ctx.req);
    const { camera, from, to } = (body ?? {}) as Record<string, unknown>;
    if (typeof camera !== "string") {
      throw new TrustcamError("TC_ERR_BAD_REQUEST", 'Request body needs a string "camera"');
    }
    const { serial } = visibleCamera(ctx.state, camera);
    const range = parseExportRange(from, to, Date.now());
    const exports = ctx.state.exports;
    if (!exports) throw new TrustcamError("TC_ERR_NOT_FOUND", "Exports are not available here");
    const job = await exports.create(ctx.state.peer, serial, range.from, range.to);
    return Response.json(exportJson(job), {
      status: 202,
      headers: { location: exportUrl(job.id), "cache-control": "no-store" },
    });
  },
};
