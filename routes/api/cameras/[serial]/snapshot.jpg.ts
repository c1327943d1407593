import type { Handlers } from "../../../../lib/web/router.ts";
import type { HubState } from "../../../../hub/state.ts";
import { cameraOf } from "../../../../hub/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { quote } from "../../../../lib/quote.ts";

export const handler: Handlers<HubState> = {
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
