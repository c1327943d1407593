/**
 * `GET /api/cameras/:serial/snapshot.jpg`: the latest frame, with the length and validators
 * that tools expect of a plain image (ffmpeg's image2 reader needs `Content-Length`; pollers
 * send `If-None-Match` and get 304 while the camera sends nothing new).
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { quote } from "../../../../lib/quote.ts";
import { ifNoneMatch, strongEtag } from "../../../../lib/etag.ts";

export const handler: HubHandlers = {
  async GET(ctx) {
    const camera = cameraOf(ctx);
    const jpeg = ctx.state.latestJpeg(camera.serial);
    if (!jpeg) {
      throw new TrustcamError(
        "TC_ERR_NOT_FOUND",
        `No frame yet from camera: ${quote(camera.serial)}`,
      );
    }
    // A copy first: the frame behind `jpeg` may be replaced while the digest is computed.
    const body = jpeg.slice();
    const etag = await strongEtag(body);
    const validators: Record<string, string> = { etag };
    if (camera.lastFrameAt) {
      validators["last-modified"] = new Date(camera.lastFrameAt).toUTCString();
    }
    if (ifNoneMatch(ctx.req.headers.get("if-none-match"), etag)) {
      return new Response(null, {
        status: 304,
        headers: { ...validators, "cache-control": "no-cache" },
      });
    }
    const stamp = (camera.lastFrameAt ?? new Date().toISOString()).replace(/[:.]/g, "-");
    return new Response(body, {
      headers: {
        "content-type": "image/jpeg",
        "content-length": String(body.byteLength),
        ...validators,
        // no-cache, not no-store: a client may keep the picture but must revalidate it.
        "cache-control": "no-cache",
        "content-disposition": `inline; filename="${camera.serial}-${stamp}.jpg"`,
      },
    });
  },
};
