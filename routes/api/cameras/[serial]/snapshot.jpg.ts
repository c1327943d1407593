import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { quote } from "../../../../lib/quote.ts";

export const handler: HubHandlers = {
  GET(ctx) {
    const camera = cameraOf(ctx);
    const jpeg = ctx.state.latestJpeg(camera.serial);
    if (!jpeg) {
      throw new TrustcamError(
        "TC_ERR_NOT_FOUND",
        `No frame yet from camera: ${quote(camera.serial)}`,
      );
    }
    const stamp = (camera.lastFrameAt ?? new Date().toISOString()).replace(/[:.]/g, "-");
    return new Response(jpeg.slice(), {
      headers: {
        "content-type": "image/jpeg",
        "cache-control": "no-store",
        "content-disposition": `inline; filename="${camera.serial}-${stamp}.jpg"`,
      },
    });
  },
};
