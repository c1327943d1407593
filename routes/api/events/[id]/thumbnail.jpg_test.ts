import assert from "node:assert/strict";
import { getPage, pageState } from "../../../../tests/page_fixture.ts";
import type { HubState } from "../../../../lib/hub_state.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);

/** A store with one event whose thumbnail is written when `write()` is called. */
function pending() {
  let thumbnail: Uint8Array | undefined;
  let written!: () => void;
  const writing = new Promise<void>((ok) => written = ok);
  const state = {
    ...pageState(),
    events: {
      thumbnail: (id: string) =>
        id === "e1" && thumbnail ? { camera: CAM, jpeg: thumbnail } : undefined,
    },
    motion: {
      subscribe: () => () => {},
      thumbnailWritten: (id: string) => id === "e1" && !thumbnail ? writing : undefined,
    },
  } as unknown as HubState;
  return {
    state,
    write() {
      thumbnail = JPEG;
      written();
    },
  };
}

Deno.test("GET /api/events/:id/thumbnail.jpg waits for a thumbnail still being made", async () => {
  const p = pending();
  const answer = getPage(p.state, "/api/events/e1/thumbnail.jpg");
  let settled = false;
  answer.finally(() => settled = true);
  await new Promise((ok) => setTimeout(ok, 20));
  assert.equal(settled, false, "answered before the thumbnail was written");
  p.write();
  const res = await answer;
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "image/jpeg");
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), JPEG);
});

Deno.test("GET /api/events/:id/thumbnail.jpg of an unknown event is 404 at once", async () => {
  const p = pending();
  await assert.rejects(
    () => getPage(p.state, "/api/events/e2/thumbnail.jpg"),
    (err: { code?: string }) => err.code === "TC_ERR_NOT_FOUND",
  );
});
