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
