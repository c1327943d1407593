/**
 * `GET /api/events/:id/thumbnail.jpg`: the event's 320 px JPEG of its peak frame. 404 alike
 * for no such event, no thumbnail, and an event of a camera the viewer may not see: the
 * answer never tells that such an event exists. A thumbnail still being made (an event that
 * just started: its notice names the URL first) is waited for, up to {@link THUMBNAIL_WAIT_MS}. With `--bus`, a thumbnail this hub lacks is asked
 * of the others (hub/cluster_events.ts).
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { quote } from "../../../../lib/quote.ts";

const THUMBNAIL_WAIT_MS = 10_000;

export const handler: HubHandlers = {
  async GET(ctx) {
    const { state } = ctx;
    const id = ctx.params.id ?? "";
    const writing = state.motion?.thumbnailWritten?.(id);
    if (writing) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        writing,
        new Promise((ok) => timer = setTimeout(ok, THUMBNAIL_WAIT_MS)),
      ]).finally(() => clearTimeout(timer));
    }
    // With `--bus` the event may be another hub's.
    const found = state.clusterEvents
      ? await state.clusterEvents.thumbnail(id)
      : state.events?.thumbnail(id);
    if (!found || !state.canSee(state.peer.cn, found.camera)) {
      throw new TrustcamError("TC_ERR_NOT_FOUND", `Unknown event: ${quote(id)}`);
    }
    return new Response(found.jpeg.slice(), {
      headers: {
        "content-type": "image/jpeg",
        // Not cached: the end may replace it, and the policy may hide the camera later.
        "cache-control": "no-store",
      },
    });
  },
};
