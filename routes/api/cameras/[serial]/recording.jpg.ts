/**
 * `GET /api/cameras/:serial/recording.jpg?at=`: the recorded frame nearest the instant,
 * however far from it (its capture time is in `X-Timestamp`, ISO 8601); 404 when the camera
 * has no recording at all.
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { quote } from "../../../../lib/quote.ts";
import { requireInstant } from "../../../../lib/time_param.ts";

export const handler: HubHandlers = {
  async GET(ctx) {
    const camera = cameraOf(ctx);
    const at = requireInstant(ctx.url.searchParams, "at");
    const frame = await ctx.state.recordings?.frameNearest(camera.serial, at);
    if (!frame) {
      throw new TrustcamError(
        "TC_ERR_NOT_FOUND",
        `No recording of camera: ${quote(camera.serial)}`,
      );
    }
    const stamp = new Date(frame.time).toISOString();
    return new Response(frame.jpeg, {
      headers: {
        "content-type": "image/jpeg",
        "cache-control": "no-store",
        "x-timestamp": stamp,
        "content-disposition": `inline; filename="${camera.serial}-${
          stamp.replace(/[:.]/g, "-")
        }.jpg"`,
      },
    });
  },
};
