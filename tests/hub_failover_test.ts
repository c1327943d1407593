/**
 * No single point of failure (issue 13): a simulated camera given several hub addresses
 * moves to the next hub when its hub dies, and a viewer there sees it again within 10 s.
 */
import assert from "node:assert/strict";
import { parseViewerFrame } from "../lib/trailer.ts";
import { renderFrames } from "../sim/frames.ts";
import { SimCamera, type SimCameraEvent } from "../sim/camera.ts";
import { waitFor } from "./hub_fixture.ts";
import { startNatsServer } from "./nats_fixture.ts";
import { busConnected, startClusterHub } from "./cluster_fixture.ts";

const CAM = "0123CAFE0000000001";
const FRAMES = renderFrames({ serial: CAM, size: "qvga", count: 3 });

/** How long a camera may take to be back on another hub after its own died (issue 13). */
const FAILOVER_MS = 10_000;

Deno.test("SimCamera with two hub addresses is back on hub B within 10 s of hub A dying, and B's viewer sees it", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await waitFor(() => busConnected(a) && busConnected(b), 5000, "both hubs on NATS");

  const cert = await a.pki.device(CAM);
  const events: SimCameraEvent[] = [];
  // The camera's own backoff (500 ms, doubling), as a real one would retry.
  await using cam = new SimCamera({
    server: [a.wsUrl, b.wsUrl],
    serial: CAM,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    chainPem: cert.chainPem,
    caPem: a.pki.caPem,
    fps: 20,
    size: "qvga",
    frames: FRAMES,
    onEvent: (e) => events.push(e),
  });
  cam.start();
  await waitFor(() => a.hub.relay.devices.has(CAM), 10_000, "the camera on hub A");
  const viewer = await b.viewer("bob", `?cameras=${CAM}`);
  await viewer.until(() => viewer.binary.length >= 3, 5000, "A's camera on B over NATS");

  await a.hub.close();
  const died = performance.now();
  const before = viewer.binary.length;
  await waitFor(() => b.hub.relay.devices.has(CAM), FAILOVER_MS, "the camera on hub B");
  await viewer.until(() => viewer.binary.length >= before + 3, FAILOVER_MS, "frames on B again");
  const backMs = performance.now() - died;
  assert.ok(backMs < FAILOVER_MS, `back after ${backMs.toFixed(0)} ms`);
  for (const f of viewer.binary) assert.equal(parseViewerFrame(f).serial, CAM);
  const hubs = events.filter((e) => e.type === "connected").map((e) => e.detail);
  assert.deepEqual(hubs, [a.wsUrl, b.wsUrl]);
  // B's viewer heard A's camera go (A closed it on the way down) and come back on B.
  const seen = viewer.texts
    .map((t) => t as { type: string; event?: string })
    .filter((t) => t.type === "camera" && (t.event === "offline" || t.event === "online"))
    .map((t) => t.event);
  assert.deepEqual(seen.slice(-2), ["offline", "online"]);
});
