/**
 * `GET /api/groups`: the camera groups for the wall's filter and the settings page, the policy
 * file's first, then those admins defined: `{"groups": [{name, cameras, source}]}`. Each
 * group lists only the cameras the asking viewer may see; a group left empty is omitted.
 */
import type { HubHandlers } from "../../../lib/hub_state.ts";
import { visibleGroups } from "../../../lib/camera_groups.ts";

export const handler: HubHandlers = {
  GET(ctx) {
    const { state } = ctx;
    const groups = visibleGroups(
      state.groups?.list() ?? [],
      (serial) => state.canSee(state.peer.cn, serial),
    );
    return Response.json({ groups }, { headers: { "cache-control": "no-store" } });
  },
};
