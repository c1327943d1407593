/**
 * Thin links with `--bus` (NATS): a viewer on hub B asks tile frames of a camera on hub A; B makes
 * the reduced stream from the frames its bus brings, only while the viewer wants them. Real
 * nats-server, two real hubs, real TLS, real sharp in B's resize worker.
 */
import assert from "node:assert/strict";
import sharp from "sharp";
import type { NatsBus } from "../hub/nats_bus.ts";
import { checkJpegStructure } from "../lib/jpeg_structure.ts";
import { readStamp, stampFrame } from "../lib/jpeg_com.ts";
import { parseViewerFrame } from "../lib/trailer.ts";
import type { TestClient } from "./hub_fixture.ts";
import { waitFor } from "./hub_fixture.ts";
import { startNatsServer } from "./nats_fixture.ts";
import { startClusterHub } from "./cluster_fixture.ts";

const CAM = "0123A1B2C3D4E5F6A7";

const VGA = new Uint8Array(
  await sharp({ create: { width: 640, height: 480, channels: 3, background: "#406080" } })
    .jpeg()
    .toBuffer(),
);

function tiles(v: TestClient): Uint8Array[] {
  return v.binary.map((b) => parseViewerFrame(b).jpeg);
}

Deno.test("Cluster: hub B makes tile frames of hub A's camera from its bus, only while watched", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await waitFor(
    () => [a, b].every((t) => t.log.some((l) => l.startsWith("bus-connected"))),
    5000,
    "both hubs on NATS",
  );
  const cam = await a.device(CAM);
  await waitFor(() => a.hub.relay.devices.has(CAM), 5000, "the camera on A");
  const viewer = await b.viewer("alice", `?cameras=${CAM}&size=tile`);
  await waitFor(() => b.hub.reduced.streams.length === 1, 5000, "B's stream");
  let seq = 0;
  const timer = setInterval(() => cam.ws.send(stampFrame(VGA, seq++, 1_000_000 + seq)), 100);
  try {
    await viewer.until(() => viewer.binary.length >= 3, 10_000, "tile frames through NATS");
  } finally {
    clearInterval(timer);
  }
  for (const jpeg of tiles(viewer)) {
    const check = checkJpegStructure(jpeg, 4096);
    assert.ok(check.ok && check.info.width === 320, "320 px wide");
    assert.ok(readStamp(jpeg) !== undefined, "the camera's stamp kept");
  }
  assert.equal(a.hub.reduced.started, false, "A, with no tile viewer, starts no worker");
  assert.ok((b.hub.state.bus as NatsBus).remoteSerials.includes(CAM));

  await viewer.close();
  await waitFor(() => b.hub.reduced.streams.length === 0, 5000, "the stream's end");
  await waitFor(
    () => !(b.hub.state.bus as NatsBus).remoteSerials.includes(CAM),
    5000,
    "B's bus interest in the camera gone",
  );
});
