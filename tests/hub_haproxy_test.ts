/**
 * Two hubs on one nats-server behind HAProxy in TCP mode: the balancer passes bytes through,
 * so each hub checks the client certificate itself, and a frame reaches a viewer on the other
 * hub over NATS (issue 13).
 */
import assert from "node:assert/strict";
import type { NatsBus } from "../hub/nats_bus.ts";
import { buildViewerFrame } from "../lib/trailer.ts";
import { fakeJpeg, openClient, type TestClient, waitFor } from "./hub_fixture.ts";
import { startHaproxy } from "./haproxy_fixture.ts";
import { startNatsServer } from "./nats_fixture.ts";
import { busConnected, startClusterHub } from "./cluster_fixture.ts";

const CAM = "0123A1B2C3D4E5F6A7";

Deno.test("HAProxy in TCP mode: a device and a viewer on different hubs through it exchange frames, certificates checked by the hubs", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await waitFor(() => busConnected(a) && busConnected(b), 5000, "both hubs on NATS");
  // Round robin, no health checks: the first connection goes to A, the next to B.
  await using lb = await startHaproxy([a.port, b.port], { balance: "roundrobin" });
  const clients = new Set<TestClient>();
  try {
    const device = await openClient(lb.wsUrl, await a.pki.device(CAM), a.pki.caPem, clients);
    await waitFor(() => a.hub.relay.devices.has(CAM), 5000, "the camera on hub A");
    const viewer = await openClient(
      `${lb.wsUrl}?cameras=${CAM}`,
      await a.pki.viewer("bob"),
      a.pki.caPem,
      clients,
    );
    await waitFor(() => b.hub.relay.viewers.size === 1, 5000, "the viewer on hub B");
    assert.equal(a.hub.relay.viewers.size, 0);
    assert.equal(b.hub.relay.devices.size, 0);
    // TLS ended at B: it saw the viewer's certificate, not HAProxy's.
    assert.equal([...b.hub.relay.viewers][0].peer.cn, "bob");

    const jpegs = [fakeJpeg(300, 0x21), fakeJpeg(1000, 0x42), fakeJpeg(64, 0x63)];
    // B subscribes in NATS when its viewer arrives; frames sent before that stay on A.
    await nats.untilSubscriptions(
      `trustcam-hub-${(b.hub.state.bus as NatsBus).hubId}`,
      ["trustcam.event.>", "trustcam.want.>", `trustcam.frame.${CAM}`],
    );
    // A publishes only once B's want reached it, which follows B's subscription on the bus.
    await waitFor(
      () => (a.hub.state.bus as NatsBus).wanted(CAM),
      5000,
      "A to hear B's want",
    );
    for (const jpeg of jpegs) device.ws.send(jpeg);
    await viewer.until(() => viewer.binary.length >= jpegs.length, 5000, "A's frames on B");
    assert.deepEqual(viewer.binary, jpegs.map((j) => buildViewerFrame(j, CAM)));

    // A certificate from another CA: the hub behind the balancer refuses the connection.
    const foreign = await a.pki.foreign("mallory");
    await assert.rejects(openClient(lb.wsUrl, foreign, a.pki.caPem, clients));
  } finally {
    await Promise.all([...clients].map((c) => c.close()));
  }
});
