/**
 * `GET /api/cameras/:serial/snapshot.jpg`: the latest frame, with the length and validators
 * that tools expect of a plain image (ffmpeg's image2 reader needs `Content-Length`; pollers
 * send `If-None-Match` and get 304 while the camera sends nothing new).
 *
 * A camera another hub holds (a cluster bus) has no current frame in this hub's cache: the
 * route subscribes to it on the bus for one frame, at most {@link REMOTE_FRAME_WAIT_MS}, then
 * serves that, else the last frame this hub kept of it, else 504 (or 404 when no hub showed the
 * camera at all).
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { liveCameraOf, unknownCamera } from "../../../../lib/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { quote } from "../../../../lib/quote.ts";
import { ifNoneMatch, strongEtag } from "../../../../lib/etag.ts";
import { nextFrame, receivedTime, REMOTE_FRAME_WAIT_MS } from "../../../../lib/next_frame.ts";

export const handler: HubHandlers = {
  async GET(ctx) {
    const { serial, camera, elsewhere } = liveCameraOf(ctx);
    const { state } = ctx;
    let jpeg: Uint8Array | undefined;
    let frameAt = camera?.lastFrameAt ?? null;
    if (elsewhere) {
      const frame = await nextFrame(state.bus, serial, {
        timeoutMs: REMOTE_FRAME_WAIT_MS,
        signals: [ctx.req.signal, state.shutdown],
      });
      if (frame) {
        jpeg = frame.data.subarray(0, frame.jpegLength);
        frameAt = receivedTime(frame);
      }
    }
    // A camera this hub never heard of has nothing cached here either.
    if (!jpeg && camera) jpeg = state.latestJpeg(serial);
    if (!jpeg) {
      if (!camera) throw unknownCamera(serial);
      if (elsewhere) {
        throw new TrustcamError(
          "TC_ERR_FRAME_TIMEOUT",
          `No frame within ${REMOTE_FRAME_WAIT_MS} ms from camera: ${quote(serial)}`,
        );
      }
      throw new TrustcamError(
        "TC_ERR_NOT_FOUND",
        `No frame yet from camera: ${quote(serial)}`,
      );
    }
    // A copy first: the frame behind `jpeg` may be replaced while the digest is computed.
    const body = jpeg.slice();
    const etag = await strongEtag(body);
    const validators: Record<string, string> = { etag };
    if (frameAt) {
      validators["last-modified"] = new Date(frameAt).toUTCString();
    }
    if (ifNoneMatch(ctx.req.headers.get("if-none-match"), etag)) {
      return new Response(null, {
        status: 304,
        headers: { ...validators, "cache-control": "no-cache" },
      });
    }
    const stamp = (frameAt ?? new Date().toISOString()).replace(/[:.]/g, "-");
    return new Response(body, {
      headers: {
        "content-type": "image/jpeg",
        "content-length": String(body.byteLength),
        ...validators,
        // no-cache, not no-store: a client may keep the picture but must revalidate it.
        "cache-control": "no-cache",
        "content-disposition": `inline; filename="${serial}-${stamp}.jpg"`,
      },
    });
  },
};
