/**
 * `GET /api/cameras/:serial/recordings?from=&to=`: the camera's recorded ranges overlapping
 * the range (default: the last 24 h), each cut to it, oldest first; `[]` when nothing is
 * recorded there.
 */
import type { HubHandlers } from "../../../../lib/hub_state.ts";
import { cameraOf } from "../../../../lib/camera_access.ts";
import { parseRange } from "../../../../lib/time_param.ts";

const DAY_MS = 24 * 3600 * 1000;

export const handler: HubHandlers = {
  async GET(ctx) {
    const camera = cameraOf(ctx);
    const { from, to } = parseRange(ctx.url.searchParams, Date.now(), DAY_MS);
    const ranges = await ctx.state.recordings?.ranges(camera.serial, from, to) ?? [];
    return Response.json({
      serial: camera.serial,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ranges: ranges.map((r) => ({
        from: new Date(r.from).toISOString(),
        to: new Date(r.to).toISOString(),
        frames: r.frames,
        bytes: r.bytes,
      })),
    }, { headers: { "cache-control": "no-store" } });
  },
};
