import assert from "node:assert/strict";
import { InProcessBus } from "../../../../lib/bus.ts";
import { Registry } from "../../../../lib/registry.ts";
import { StreamRegistry } from "../../../../lib/stream_registry.ts";
import type { HubState } from "../../../../lib/hub_state.ts";
import { countedShutdown, pageState, VIEWER } from "../../../../tests/page_fixture.ts";
import { fakeJpeg } from "../../../../harness/fake_jpeg.ts";
import { handler } from "./stream.mjpeg.ts";

const CAMERA = "0123A1B2C3D4E5F6A7";

/** GET the stream as `VIEWER`, then read its first part (a frame published on the bus). */
async function openStream() {
  const registry = new Registry();
  registry.connected(CAMERA);
  const bus = new InProcessBus();
  const streams = new StreamRegistry();
  const shutdown = countedShutdown();
  const client = new AbortController();
  const state = {
    ...pageState({ registry }),
    bus,
    streams,
    shutdown: shutdown.signal,
    peer: VIEWER,
  } as HubState & { peer: typeof VIEWER };
  const req = new Request(`https://localhost/api/cameras/${CAMERA}/stream.mjpeg`, {
    signal: client.signal,
  });
  const res = await handler.GET!({ req, url: new URL(req.url), params: { serial: CAMERA }, state });
  const reader = res.body!.getReader();
  const first = reader.read();
  const jpeg = fakeJpeg(1000);
  bus.publishFrame({ serial: CAMERA, data: jpeg, jpegLength: jpeg.byteLength, receivedAt: 0 });
  assert.equal((await first).done, false);
  assert.equal(shutdown.listeners(), 1);
  assert.equal(streams.size, 1);
  return { reader, bus, streams, shutdown, client };
}

Deno.test("stream.mjpeg GET leaves nothing on the hub once a revocation or policy cut it", async () => {
  const s = await openStream();
  const next = s.reader.read();
  s.streams.enforce(() => false, "revoked");
  assert.equal((await next).done, true);
  assert.equal(s.streams.size, 0);
  assert.equal(s.bus.size, 0);
  // A listener left on the hub's shutdown signal would hold the stream, and its last frame,
  // for as long as the hub runs.
  assert.equal(s.shutdown.listeners(), 0);
});

Deno.test("stream.mjpeg GET leaves nothing on the hub once the client went away", async () => {
  const s = await openStream();
  const next = s.reader.read();
  s.client.abort();
  assert.equal((await next).done, true);
  assert.equal(s.streams.size, 0);
  assert.equal(s.bus.size, 0);
  assert.equal(s.shutdown.listeners(), 0);

  const cancelled = await openStream();
  await cancelled.reader.cancel();
  assert.equal(cancelled.streams.size, 0);
  assert.equal(cancelled.bus.size, 0);
  assert.equal(cancelled.shutdown.listeners(), 0);
});

/** The stream's state on a hub where another hub may hold every camera. */
function elsewhereState(registry: Registry, cached: Uint8Array) {
  const bus = new InProcessBus();
  const streams = new StreamRegistry();
  const shutdown = countedShutdown();
  const state = {
    ...pageState({ registry }),
    bus,
    streams,
    shutdown: shutdown.signal,
    latestJpeg: () => cached,
    heldElsewhere: () => true,
    peer: VIEWER,
  } as HubState & { peer: typeof VIEWER };
  const req = new Request(`https://localhost/api/cameras/${CAMERA}/stream.mjpeg`);
  const get = () => handler.GET!({ req, url: new URL(req.url), params: { serial: CAMERA }, state });
  return { bus, streams, shutdown, get };
}

Deno.test("stream.mjpeg GET of a camera held elsewhere starts with its next bus frame, not the cache", async () => {
  const registry = new Registry();
  registry.connected(CAMERA);
  const hub = elsewhereState(registry, fakeJpeg(500, 0x22));
  const res = await hub.get();
  const reader = res.body!.getReader();
  const first = reader.read();
  const jpeg = fakeJpeg(1000, 0x33);
  hub.bus.publishFrame({ serial: CAMERA, data: jpeg, jpegLength: jpeg.byteLength, receivedAt: 0 });
  const part = (await first).value!;
  const head = new TextDecoder().decode(part.subarray(0, 200));
  assert.match(head, /Content-Length: 1004\r\n/);
  assert.deepEqual(part.subarray(part.byteLength - 2 - jpeg.byteLength, -2), jpeg);
  await reader.cancel();
  assert.equal(hub.bus.size, 0);
  assert.equal(hub.streams.size, 0);
  assert.equal(hub.shutdown.listeners(), 0);
});

Deno.test("stream.mjpeg GET of a camera no hub showed is a 404 after the wait, holding nothing", async () => {
  const hub = elsewhereState(new Registry(), fakeJpeg(500, 0x22));
  const answer = Promise.resolve(hub.get());
  // Subscribed while it waits: a remote camera's frames would come now.
  assert.equal(hub.bus.count(CAMERA), 2);
  await assert.rejects(answer, {
    code: "TC_ERR_NOT_FOUND",
    message: `Unknown camera: "${CAMERA}"`,
  });
  assert.equal(hub.bus.size, 0);
  assert.equal(hub.streams.size, 0);
  assert.equal(hub.shutdown.listeners(), 0);
});
