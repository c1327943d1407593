/**
 * `PUT /api/groups/:name` with `{"cameras": [serials]}` creates or replaces a hub group;
 * `DELETE /api/groups/:name` deletes one. Admins only (the check first). The policy file's
 * groups are read-only here (400). Open walls hear a `groups` message and refetch.
 */
import type { HubHandlers, RouteState } from "../../../lib/hub_state.ts";
import {
  type EditableCameraGroups,
  parseGroupBody,
  parseGroupName,
  visibleGroups,
} from "../../../lib/camera_groups.ts";
import { TrustcamError } from "../../../lib/errors.ts";
import { quote } from "../../../lib/quote.ts";
import { requireManager } from "../../../lib/roles.ts";
import { jsonBody } from "../../../lib/web/json_body.ts";

const NO_STORE = { "cache-control": "no-store" };

/** The hub's editable groups and the checked name; refuses a policy group's name. */
function hubGroup(state: RouteState, raw: string): { groups: EditableCameraGroups; name: string } {
  const groups = state.groups;
  if (!groups || !("define" in groups)) {
    throw new TrustcamError("TC_ERR_NOT_FOUND", "This hub has no groups to change");
  }
  const name = parseGroupName(raw);
  if (groups.isPolicyGroup(name)) {
    throw new TrustcamError(
      "TC_ERR_BAD_REQUEST",
      `Group ${quote(name)} is defined by the policy file: change it there`,
    );
  }
  return { groups, name };
}

export const handler: HubHandlers = {
  async PUT(ctx) {
    const { state } = ctx;
    requireManager(state, "Defining groups");
    const { groups, name } = hubGroup(state, ctx.params.name ?? "");
    const body = await jsonBody(ctx.req);
    const cameras = parseGroupBody(body, state.isSerial);
    // An admin the policy limits cannot group (or probe) cameras it may not see.
    const refused = cameras.filter((s) => !state.canSee(state.peer.cn, s));
    if (refused.length > 0) {
      throw new TrustcamError(
        "TC_ERR_FORBIDDEN",
        `Not allowed to see camera: ${quote(refused[0])}`,
      );
    }
    const group = groups.define(name, cameras);
    const [shown] = visibleGroups([group], (s) => state.canSee(state.peer.cn, s));
    return Response.json(shown ?? group, { headers: NO_STORE });
  },

  DELETE(ctx) {
    const { state } = ctx;
    requireManager(state, "Deleting groups");
    const { groups, name } = hubGroup(state, ctx.params.name ?? "");
    if (!groups.remove(name)) {
      throw new TrustcamError("TC_ERR_NOT_FOUND", `Unknown group: ${quote(name)}`);
    }
    return new Response(null, { status: 204 });
  },
};
