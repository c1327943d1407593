/**
 * `GET /api/cameras/:serial/recording.mjpeg?from=&to=&speed=`: the recorded frames of
 * `[from, to]` (`to` defaults to now) as `multipart/x-mixed-replace` MJPEG, each part with
 * `X-Timestamp` (capture time, ISO 8601 with ms), paced at the recorded intervals divided by
 * `speed` (0.25-16, default 1). It ends after the last frame of the range (frames the recorder
 * writes meanwhile, up to `to`, included); 404 when nothing is recorded in the range.
 *
 * Pull-based like the live stream: the next frame is read from the archive only once the
 * client took the previous one, so a paused client holds one frame and one open segment (and
 * its lease). When the client goes away, the hub stops or a revocation or policy change ends
 * it, the archive read stops and its lease is released.
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { MJPEG_CONTENT_TYPE, mjpegPart } from "../../../../lib/mjpeg.ts";
import { Pacer, parseSpeed } from "../../../../lib/playback_pace.ts";
import { quote } from "../../../../lib/quote.ts";
import type { RecordedFrame } from "../../../../lib/recordings.ts";
import { parseInstant, requireInstant } from "../../../../lib/time_param.ts";

export const handler: HubHandlers = {
  async GET(ctx) {
    const { serial } = cameraOf(ctx);
    const params = ctx.url.searchParams;
    const from = requireInstant(params, "from");
    const rawTo = params.get("to");
    const to = rawTo === null ? Date.now() : parseInstant("to", rawTo);
    if (from > to) {
      throw new TrustcamError(
        "TC_ERR_BAD_RANGE",
        `Invalid range: from ${quote(params.get("from"))} is after to ${quote(rawTo ?? "now")}`,
      );
    }
    const pacer = new Pacer(parseSpeed(params.get("speed")));
    const { shutdown, streams, recordings } = ctx.state;

    const stop = new AbortController();
    const frames = recordings?.frames(serial, from, to, { signal: stop.signal })
      [Symbol.asyncIterator]();
    const first = await frames?.next();
    if (!frames || !first || first.done) {
      throw new TrustcamError(
        "TC_ERR_NOT_FOUND",
        `No recording of camera ${quote(serial)} from ${quote(new Date(from).toISOString())} to ${
          quote(new Date(to).toISOString())
        }`,
      );
    }

    let next: RecordedFrame | undefined = first.value;
    let wake = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    let released: Promise<unknown> | undefined;
    // Once, whichever way it ends, and at once (not at the next pull, which a client gone
    // before reading never makes): nothing may keep the archive iterator (its open segment and
    // lease), the registration or a listener on the hub's long-lived shutdown signal.
    const release = () =>
      released ??= (() => {
        stop.abort();
        clearTimeout(timer);
        wake();
        unregister();
        shutdown.removeEventListener("abort", end);
        ctx.req.signal.removeEventListener("abort", end);
        next = undefined;
        return frames.return?.() ?? Promise.resolve();
      })();
    const end = () => {
      release().catch(() => {});
    };
    const unregister = streams.open({ peer: ctx.state.peer, serial, end });
    shutdown.addEventListener("abort", end, { once: true });
    ctx.req.signal.addEventListener("abort", end, { once: true });
    if (shutdown.aborted || ctx.req.signal.aborted) end();

    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          if (next && !stop.signal.aborted) {
            const wait = pacer.delay(next.time, performance.now());
            if (wait > 0) {
              await new Promise<void>((resolve) => {
                wake = resolve;
                timer = setTimeout(resolve, wait);
              });
            }
          }
          if (!next || stop.signal.aborted) {
            await release();
            if (!cancelled) controller.close();
            return;
          }
          controller.enqueue(
            mjpegPart(next.jpeg, { "X-Timestamp": new Date(next.time).toISOString() }),
          );
          const r = await frames.next();
          next = r.done || stop.signal.aborted ? undefined : r.value;
        } catch (err) {
          await release();
          throw err;
        }
      },
      async cancel() {
        cancelled = true;
        await release();
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
