import assert from "node:assert/strict";
import { InProcessBus } from "../../../../lib/bus.ts";
import { Registry } from "../../../../lib/registry.ts";
import type { HubState } from "../../../../lib/hub_state.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { countedShutdown, pageState, VIEWER } from "../../../../tests/page_fixture.ts";
import { fakeJpeg } from "../../../../harness/fake_jpeg.ts";
import { handler } from "./snapshot.jpg.ts";

const CAMERA = "0123A1B2C3D4E5F6A7";
const STALE = fakeJpeg(500, 0x22);

/** GET the snapshot as `VIEWER` on a hub where another hub may hold every camera. */
function snapshotOn(o: { known: boolean; cached?: Uint8Array }) {
  const registry = new Registry();
  if (o.known) registry.connected(CAMERA);
  const bus = new InProcessBus();
  const shutdown = countedShutdown();
  const state = {
    ...pageState({ registry }),
    bus,
    shutdown: shutdown.signal,
    latestJpeg: () => o.cached,
    heldElsewhere: () => true,
    peer: VIEWER,
  } as HubState & { peer: typeof VIEWER };
  const req = new Request(`https://localhost/api/cameras/${CAMERA}/snapshot.jpg`);
  const get = () => handler.GET!({ req, url: new URL(req.url), params: { serial: CAMERA }, state });
  return { bus, shutdown, get };
}

Deno.test("snapshot.jpg GET of a camera held elsewhere serves its next bus frame, not the cache", async () => {
  const hub = snapshotOn({ known: true, cached: STALE });
  const answer = hub.get();
  assert.equal(hub.bus.count(CAMERA), 1);
  assert.equal(hub.shutdown.listeners(), 1);
  const jpeg = fakeJpeg(1000, 0x33);
  const data = new Uint8Array([...jpeg, 1, 2, 3]);
  hub.bus.publishFrame({ serial: CAMERA, data, jpegLength: jpeg.byteLength, receivedAt: 0 });
  const res = await answer;
  assert.equal(res.status, 200);
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), jpeg);
  assert.equal(res.headers.get("content-length"), String(jpeg.byteLength));
  assert.equal(
    res.headers.get("last-modified"),
    new Date(performance.timeOrigin).toUTCString(),
  );
  assert.equal(hub.bus.size, 0);
  assert.equal(hub.shutdown.listeners(), 0);
});

Deno.test("snapshot.jpg GET of a camera held elsewhere falls back to the cache after the wait, else 504 or 404", async () => {
  // Three hubs' worth of waits at once: each takes the whole bound.
  const cached = snapshotOn({ known: true, cached: STALE });
  const nothing = snapshotOn({ known: true });
  const unknown = snapshotOn({ known: false, cached: STALE });
  const [res, noFrame, noCamera] = await Promise.allSettled([
    cached.get(),
    nothing.get(),
    unknown.get(),
  ]);
  assert.equal(res.status, "fulfilled");
  assert.deepEqual(new Uint8Array(await res.value.arrayBuffer()), STALE);
  assert.equal(noFrame.status, "rejected");
  assert.ok(noFrame.reason instanceof TrustcamError);
  assert.equal(noFrame.reason.code, "TC_ERR_FRAME_TIMEOUT");
  assert.equal(noFrame.reason.message, `No frame within 2000 ms from camera: "${CAMERA}"`);
  // A camera this hub never knew has no cache here to fall back on, whatever it holds.
  assert.equal(noCamera.status, "rejected");
  assert.ok(noCamera.reason instanceof TrustcamError);
  assert.equal(noCamera.reason.code, "TC_ERR_NOT_FOUND");
  assert.equal(noCamera.reason.message, `Unknown camera: "${CAMERA}"`);
  for (const hub of [cached, nothing, unknown]) {
    assert.equal(hub.bus.size, 0);
    assert.equal(hub.shutdown.listeners(), 0);
  }
});
