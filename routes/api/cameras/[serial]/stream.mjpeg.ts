import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { liveCameraOf, unknownCamera } from "../../../../lib/camera_access.ts";
import { MJPEG_CONTENT_TYPE, mjpegPart } from "../../../../lib/mjpeg.ts";
import { nextFrame, receivedTime, REMOTE_FRAME_WAIT_MS } from "../../../../lib/next_frame.ts";

/**
 * Live MJPEG. Pull-based: the response asks for the next part only when the client has
 * taken the previous one, and gets the newest frame then, so a slow client skips frames
 * (latest frame wins, as for WebSocket viewers) and holds at most one part in memory. It is
 * registered with the hub's streams, so a revocation or a policy change ends it. Each part
 * carries `X-Timestamp`, when the hub received the frame (ISO 8601, ms), as recorded playback
 * does (the cached frame a stream starts with carries the camera's last frame time).
 *
 * A camera another hub holds (a cluster bus) streams from its bus subscription, held for as long
 * as the response lasts, and starts with its next frame, not with this hub's stale cache. One
 * this hub's registry does not know gets its 200 only once a first frame came (within
 * {@link REMOTE_FRAME_WAIT_MS}), else 404.
 */
export const handler: HubHandlers = {
  async GET(ctx) {
    const { serial, camera, elsewhere } = liveCameraOf(ctx);
    const { bus, shutdown } = ctx.state;
    let latest: Uint8Array | undefined = elsewhere ? undefined : ctx.state.latestJpeg(serial);
    let stamp: string | null = elsewhere ? null : camera?.lastFrameAt ?? null;
    let sentFrom: Uint8Array | undefined;
    let wake: (() => void) | undefined;
    let cut = false;
    const off = bus.subscribe(serial, {
      frame(f) {
        latest = f.data.subarray(0, f.jpegLength);
        stamp = receivedTime(f);
        wake?.();
      },
    });
    const end = () => {
      off();
      wake?.();
    };
    if (!camera) {
      // The stream's own subscription is held meanwhile: the camera's frames keep coming.
      const first = await nextFrame(bus, serial, {
        timeoutMs: REMOTE_FRAME_WAIT_MS,
        signals: [ctx.req.signal, shutdown],
      });
      if (!first) {
        off();
        throw unknownCamera(serial);
      }
    }
    const unregister = ctx.state.streams.open({
      peer: ctx.state.peer,
      serial,
      end() {
        cut = true;
        end();
      },
    });

    const body = new ReadableStream<Uint8Array>({
      start() {
        shutdown.addEventListener("abort", end, { once: true });
        ctx.req.signal.addEventListener("abort", end, { once: true });
      },
      async pull(controller) {
        const over = () => cut || shutdown.aborted || ctx.req.signal.aborted;
        while (over() || latest === sentFrom || latest === undefined) {
          if (over()) {
            // The hub's shutdown signal outlives every stream: a listener left on it would
            // keep this closure, and the frame it holds, for good (one per cut stream).
            shutdown.removeEventListener("abort", end);
            unregister();
            controller.close();
            return;
          }
          await new Promise<void>((resolve) => wake = resolve);
          wake = undefined;
        }
        sentFrom = latest;
        controller.enqueue(
          mjpegPart(latest, stamp === null ? {} : { "X-Timestamp": stamp }),
        );
      },
      cancel() {
        unregister();
        end();
        shutdown.removeEventListener("abort", end);
      },
    }, { highWaterMark: 0 });

    return new Response(body, {
      headers: {
        "content-type": MJPEG_CONTENT_TYPE,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  },
};
