import assert from "node:assert/strict";
import { createTestPki } from "../tests/pki_fixture.ts";
import { cameraOptions, withSink } from "../tests/device_sink_fixture.ts";
import { StalledHub } from "../tests/stalled_hub_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";
import { renderFrames } from "./frames.ts";
import { SimCamera } from "./camera.ts";

const SERIAL = "0123CAFE0000000001";

// Small loops keep the tests quick; the rendering itself has its own tests.
const FRAMES = renderFrames({ serial: SERIAL, size: "qvga", count: 3 });

Deno.test("SimCamera paces frames and never bursts", () =>
  withSink(async ({ pki, hub, port }) => {
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 25,
      size: "qvga",
      frames: FRAMES,
    });
    cam.start();
    await waitFor(() => hub.frames().length >= 1, 10_000, "a frame");
    const first = hub.frames()[0].at;
    // Block the event loop for 300 ms (7.5 frame intervals): a late camera skips ahead.
    const blockUntil = Date.now() + 300;
    while (Date.now() < blockUntil) { /* busy */ }
    await waitFor(() => hub.frames().length >= 20, 10_000, "20 frames");
    const frames = hub.frames();
    // However slow the machine, frames never come faster than the timeline allows.
    const span = frames[19].at - first;
    assert.ok(span >= 19 * 40 - 40, `20 frames arrived within ${span} ms at 25 fps`);
    assert.ok(cam.stats.skipped >= 5, `skipped ${cam.stats.skipped} after a 300 ms stall`);
  }));

Deno.test("SimCamera skips frames instead of queueing when the hub stops reading", async () => {
  const pki = await createTestPki();
  const hub = new StalledHub(pki);
  try {
    // 256 KiB "frames" at 50 fps fill the kernel's socket buffers within seconds.
    const big = new Uint8Array(1 << 18);
    big.set([0xff, 0xd8]);
    big.set([0xff, 0xd9], big.length - 2);
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, hub.port)),
      fps: 50,
      size: "vga",
      frames: [big, big],
      stamp: false,
      statusIntervalMs: 60_000,
    });
    cam.start();
    await waitFor(() => cam.stats.skipped >= 5, 20_000, "skipped frames");
    const sent = cam.stats.sent;
    await waitFor(() => cam.stats.skipped >= 25, 20_000, "more skipped frames");
    // While nothing drains, no frame gets into the full queue.
    assert.equal(cam.stats.sent, sent, "frames queued into a full socket");
    assert.ok(cam.connected);
  } finally {
    await hub.close();
    await pki.cleanup();
  }
});
