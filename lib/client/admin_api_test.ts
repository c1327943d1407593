import assert from "node:assert/strict";
import { adminCall, fetchGroups, removeBlocker, saveGroup } from "./admin_api.ts";
import type { CameraInfo } from "./messages.ts";

function fakeFetch(status: number, body: unknown, seen: Request[] = []): typeof fetch {
  return (input, init) => {
    seen.push(new Request(new URL(String(input), "https://hub.test"), init));
    const text = body === undefined ? null : JSON.stringify(body);
    return Promise.resolve(new Response(text, { status }));
  };
}

Deno.test("adminCall() answers the hub's own message when it refuses", async () => {
  const r = await adminCall(
    "DELETE",
    "/api/cameras/X",
    undefined,
    fakeFetch(409, {
      error: { code: "TC_ERR_CAMERA_ONLINE", message: 'Camera "Gate" is online' },
    }),
  );
  assert.deepEqual(r, { ok: false, error: 'Camera "Gate" is online' });
  const bare = await adminCall("GET", "/x", undefined, fakeFetch(502, "nope"));
  assert.deepEqual(bare, { ok: false, error: "Hub answered 502" });
  const down = await adminCall("GET", "/x", undefined, () => Promise.reject(new TypeError("x")));
  assert.deepEqual(down, {
    ok: false,
    error: "The hub is not answering: try again when the link is back",
  });
});

Deno.test("saveGroup() sends the cameras as JSON to the group's encoded path", async () => {
  const seen: Request[] = [];
  const group = { name: "Back yard", cameras: ["A"], source: "hub" };
  assert.deepEqual(await saveGroup("Back yard", ["A"], fakeFetch(200, group, seen)), {
    ok: true,
    body: group,
  });
  assert.equal(seen[0].method, "PUT");
  assert.equal(new URL(seen[0].url).pathname, "/api/groups/Back%20yard");
  assert.deepEqual(await seen[0].json(), { cameras: ["A"] });
});

Deno.test("fetchGroups() keeps only well-formed groups", async () => {
  const good = { name: "g", cameras: ["A"], source: "policy" };
  const r = await fetchGroups(fakeFetch(200, { groups: [good, { name: 1 }, null] }));
  assert.deepEqual(r, { ok: true, body: [good] });
});

Deno.test("removeBlocker() says why a camera online or stalled cannot be removed", () => {
  const cam = (state: CameraInfo["state"]) => ({ state } as CameraInfo);
  assert.equal(removeBlocker(cam("offline")), null);
  assert.equal(
    removeBlocker(cam("stalled")),
    "It is stalled: disconnect the camera or revoke its certificate first",
  );
});
