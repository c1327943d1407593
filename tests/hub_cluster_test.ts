/**
 * Hubs as one cluster on a real nats-server (issue 13, part 2): a camera that connects to
 * another hub replaces its session cluster-wide, also when it first connected while NATS was
 * down.
 */
import assert from "node:assert/strict";
import { Kvm } from "@nats-io/kv";
import { type Claim, decodeClaim, SESSIONS_BUCKET } from "../lib/session_claims.ts";
import { fakeJpeg, startTestHub, type TestHub, waitFor } from "./hub_fixture.ts";
import { type NatsServer, startNatsServer } from "./nats_fixture.ts";
import { clusterConnects, natsClient, startClusterHub } from "./cluster_fixture.ts";
import type { NatsBus } from "../hub/nats_bus.ts";

const CAM = "0123A1B2C3D4E5F6A7";

/** The claim in the sessions bucket for `serial` once `pred` holds for it, polled for 5 s. */
async function claimWhen(
  nats: NatsServer,
  serial: string,
  pred: (claim: Claim | null) => boolean,
): Promise<Claim | null> {
  await using nc = await natsClient(nats);
  const sessions = await new Kvm(nc).create(SESSIONS_BUCKET);
  const end = Date.now() + 5000;
  for (;;) {
    const e = await sessions.get(serial);
    const claim = e?.operation === "PUT" ? decodeClaim(e.value) : null;
    if (pred(claim) || Date.now() > end) return claim;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const hubIdOf = (t: TestHub) => (t.hub.state.bus as NatsBus).hubId;

Deno.test("Cluster: the same serial on hub B replaces its session on hub A with 4000", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await waitFor(
    () => clusterConnects(a) === 1 && clusterConnects(b) === 1,
    5000,
    "both hubs on NATS",
  );
  const onA = await a.device(CAM);
  assert.equal((await claimWhen(nats, CAM, (c) => c?.hub === hubIdOf(a)))?.hub, hubIdOf(a));

  const onB = await b.device(CAM);
  const { code } = await onA.closed;
  assert.equal(code, 4000);
  assert.ok(a.log.some((l) => l.startsWith(`replace serial=${CAM}`)), "A logs the replace");
  await waitFor(() => !a.hub.relay.devices.has(CAM), 5000, "A to drop the camera");
  assert.equal((await claimWhen(nats, CAM, (c) => c?.hub === hubIdOf(b)))?.hub, hubIdOf(b));
  // B's session lives: it takes frames.
  const viewer = await b.viewer("bob", `?cameras=${CAM}`);
  onB.ws.send(fakeJpeg(100, 1));
  await viewer.until(() => viewer.binary.length >= 1, 5000, "a frame through B");
  assert.equal(onB.ws.readyState, onB.ws.OPEN);
  assert.ok(b.hub.relay.devices.has(CAM));
});

Deno.test("Cluster: a session opened while NATS was down is claimed when it returns, and replaced", async () => {
  await using nats = await startNatsServer();
  await nats.stop();
  await using a = await startClusterHub(nats);
  const onA = await a.device(CAM);
  await waitFor(() => a.hub.relay.devices.has(CAM), 5000, "the camera on A without NATS");

  await nats.restart();
  await using b = await startClusterHub(nats);
  await waitFor(
    () => clusterConnects(a) === 1 && clusterConnects(b) === 1,
    10_000,
    "both hubs on NATS",
  );
  const claim = await claimWhen(nats, CAM, (c) => c !== null);
  assert.equal(claim?.hub, hubIdOf(a));
  assert.equal(claim?.restored, true);

  const onB = await b.device(CAM);
  assert.equal((await onA.closed).code, 4000);
  assert.equal(onB.ws.readyState, onB.ws.OPEN);
});

Deno.test("Cluster: after NATS restarts under both hubs, the same serial on B still replaces A's", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await waitFor(
    () => clusterConnects(a) === 1 && clusterConnects(b) === 1,
    5000,
    "both hubs on NATS",
  );
  const onA = await a.device(CAM);
  await waitFor(() => a.hub.relay.devices.has(CAM), 5000, "the camera on A");

  await nats.stop("SIGKILL");
  await nats.restart();
  // Both links reconnected (nats.js's own reconnect: same connection, watches made afresh).
  await waitFor(
    () => clusterConnects(a) === 2 && clusterConnects(b) === 2,
    10_000,
    "both hubs back",
  );
  assert.equal((await claimWhen(nats, CAM, (c) => c?.hub === hubIdOf(a)))?.hub, hubIdOf(a));

  const onB = await b.device(CAM);
  assert.equal((await onA.closed).code, 4000);
  assert.equal(onB.ws.readyState, onB.ws.OPEN);
});

Deno.test("Cluster: one edit of the shared revocation list closes a viewer and a device on every hub within 5 s", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_shared_" });
  await using _cleanup = { [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
  // Both hubs read one file (README, "Running several hubs"): no NATS needed for this.
  const revocationFile = `${dir}/revoked.txt`;
  await using a = await startTestHub({ revocationFile });
  await using b = await startTestHub({ revocationFile });
  const viewerA = await a.viewer("eve");
  const viewerB = await b.viewer("eve");
  const deviceB = await b.device(CAM);
  const kept = await b.viewer("bob");

  const revoked = performance.now();
  await Deno.writeTextFile(revocationFile, `cn:eve\ncn:${CAM}\n`);
  const closes = await Promise.all([viewerA.closed, viewerB.closed, deviceB.closed]);
  const ms = performance.now() - revoked;
  assert.deepEqual(closes.map((c) => c.code), [1008, 1008, 1008]);
  assert.ok(ms < 5000, `closed after ${ms.toFixed(0)} ms`);
  assert.equal(kept.ws.readyState, kept.ws.OPEN);
});
