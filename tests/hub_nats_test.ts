/**
 * Hubs joined by a real nats-server (`--bus`): a camera on one hub reaches viewers on another
 * byte-exact; a hub subscribes in NATS only to the cameras its viewers watch; NATS going away
 * never stops a hub relaying its own cameras, and cross-hub delivery comes back with NATS,
 * also for a hub that started while NATS was down.
 */
import assert from "node:assert/strict";
import type { NatsBus } from "../hub/nats_bus.ts";
import type { BusSettings } from "../lib/bus_settings.ts";
import { buildViewerFrame, parseViewerFrame } from "../lib/trailer.ts";
import { fakeJpeg, startTestHub, type TestClient, type TestHub, waitFor } from "./hub_fixture.ts";
import { type NatsServer, startNatsServer } from "./nats_fixture.ts";

const CAM_A = "0123A1B2C3D4E5F6A7";
const CAM_B = "0123B1B2C3D4E5F6B7";

/** How long cross-hub delivery may take to come back after NATS does (issue 13). */
const RESUME_MS = 10_000;

function busSettings(nats: NatsServer): BusSettings {
  return {
    servers: [`127.0.0.1:${nats.port}`],
    tls: false,
    caFile: null,
    certFile: null,
    keyFile: null,
    user: null,
    password: null,
    credsFile: null,
  };
}

/** A hub on the NATS bus; motion off: its analysis is a wildcard subscriber of its own. */
function startBusHub(nats: NatsServer): Promise<TestHub> {
  return startTestHub({ bus: busSettings(nats), motion: "off" });
}

function busOf(t: TestHub): NatsBus {
  return t.hub.state.bus as NatsBus;
}

/** Waits until the hub's connection subscribes in NATS to exactly `subjects`. */
function waitForSubscriptions(nats: NatsServer, t: TestHub, subjects: string[]) {
  return nats.untilSubscriptions(`trustcam-hub-${busOf(t).hubId}`, subjects);
}

const connected = (t: TestHub) => t.log.filter((l) => l.startsWith("bus-connected")).length;

function framesOf(client: TestClient, serial: string): Uint8Array[] {
  return client.binary.filter((b) => parseViewerFrame(b).serial === serial);
}

/** Sends a frame every 20 ms, a different fill each, until stopped. */
function stream(device: TestClient): { sent: Uint8Array[]; [Symbol.dispose](): void } {
  const sent: Uint8Array[] = [];
  const timer = setInterval(() => {
    const jpeg = fakeJpeg(200, sent.length % 251);
    sent.push(jpeg);
    device.ws.send(jpeg);
  }, 20);
  return { sent, [Symbol.dispose]: () => clearInterval(timer) };
}

Deno.test("NATS bus: a camera on hub A reaches a viewer on hub B byte-exact, B subscribing to that camera only", async () => {
  await using nats = await startNatsServer();
  await using a = await startBusHub(nats);
  await using b = await startBusHub(nats);
  await waitFor(() => connected(a) === 1 && connected(b) === 1, 5000, "both hubs on NATS");
  await waitForSubscriptions(nats, b, ["trustcam.event.>", "trustcam.want.>"]);

  const camA = await a.device(CAM_A);
  const camB = await a.device(CAM_B);
  await waitFor(() => a.hub.relay.devices.size === 2, 5000, "both cameras on A");
  const viewer = await b.viewer("bob", `?cameras=${CAM_A}`);
  await waitForSubscriptions(nats, b, [
    "trustcam.event.>",
    "trustcam.want.>",
    `trustcam.frame.${CAM_A}`,
  ]);
  // A publishes only once B's want reached it, which follows B's subscription on the bus.
  await waitFor(() => busOf(a).wanted(CAM_A), 5000, "A to hear B's want");

  const jpegs = [fakeJpeg(300, 0x21), fakeJpeg(1000, 0x42), fakeJpeg(64, 0x63)];
  for (const jpeg of jpegs) {
    camA.ws.send(jpeg);
    camB.ws.send(fakeJpeg(100, 0x99));
  }
  await viewer.until(() => viewer.binary.length >= jpegs.length, 5000, "A's frames on B");
  assert.deepEqual(viewer.binary, jpegs.map((j) => buildViewerFrame(j, CAM_A)));
  assert.equal(framesOf(viewer, CAM_B).length, 0);
  // B's wildcard (its relay's cache) did not pull the unwatched camera across the bus.
  assert.equal(b.hub.relay.latest.has(CAM_B), false);
  assert.equal(busOf(b).counters.bad, 0);
  assert.deepEqual(busOf(b).remoteSerials, [CAM_A]);

  await viewer.close();
  await waitForSubscriptions(nats, b, ["trustcam.event.>", "trustcam.want.>"]);
  assert.deepEqual(busOf(b).remoteSerials, []);
});

Deno.test("NATS bus: killing NATS never stops local relaying; cross-hub delivery resumes after its restart", async () => {
  await using nats = await startNatsServer();
  await using a = await startBusHub(nats);
  await using b = await startBusHub(nats);
  await waitFor(() => connected(a) === 1 && connected(b) === 1, 5000, "both hubs on NATS");
  const cam = await a.device(CAM_A);
  const local = await a.viewer("alice", `?cameras=${CAM_A}`);
  const remote = await b.viewer("bob", `?cameras=${CAM_A}`);
  await waitForSubscriptions(nats, b, [
    "trustcam.event.>",
    "trustcam.want.>",
    `trustcam.frame.${CAM_A}`,
  ]);

  // Gaps between frames reaching A's own viewer, measured over the whole outage.
  let last = performance.now();
  let maxGap = 0;
  local.ws.on("message", () => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  });
  using sending = stream(cam);
  await remote.until(() => remote.binary.length >= 5, 5000, "frames across the bus");

  await nats.stop("SIGKILL");
  await waitFor(() => a.log.some((l) => l.startsWith("bus-disconnected")), 5000, "A to notice");
  const localAtKill = local.binary.length;
  const remoteAtKill = remote.binary.length;
  // A second of NATS being away: A's own viewer goes on receiving.
  await local.until(() => local.binary.length >= localAtKill + 40, 5000, "local frames");

  await nats.restart();
  const restarted = performance.now();
  await remote.until(() => remote.binary.length > remoteAtKill + 5, RESUME_MS, "B to resume");
  const resumedMs = performance.now() - restarted;
  sending[Symbol.dispose]();

  assert.ok(resumedMs < RESUME_MS, `resumed after ${resumedMs} ms`);
  assert.ok(maxGap < 1000, `A's own viewer waited ${maxGap.toFixed(0)} ms for a frame`);
  // Every frame B got is one A accepted, byte for byte.
  const sent = new Set(sending.sent.map((j) => buildViewerFrame(j, CAM_A).join()));
  for (const f of remote.binary) assert.ok(sent.has(f.join()), "a frame B got was never sent");
});

Deno.test("NATS bus: a hub started while NATS is down serves locally, then joins across hubs", async () => {
  await using nats = await startNatsServer();
  await nats.stop();
  await using a = await startBusHub(nats);
  await using b = await startBusHub(nats);
  // Both started without NATS, and say so once.
  await waitFor(
    () => [a, b].every((t) => t.log.some((l) => l.startsWith("bus-unavailable"))),
    5000,
    "the hubs to report NATS down",
  );
  assert.equal(connected(a) + connected(b), 0);

  const cam = await a.device(CAM_A);
  const local = await a.viewer("alice", `?cameras=${CAM_A}`);
  const remote = await b.viewer("bob", `?cameras=${CAM_A}`);
  using _sending = stream(cam);
  await local.until(() => local.binary.length >= 5, 5000, "local frames with NATS down");
  assert.equal(remote.binary.length, 0);

  await nats.restart();
  const started = performance.now();
  await remote.until(() => remote.binary.length >= 5, RESUME_MS, "B to receive A's camera");
  assert.ok(performance.now() - started < RESUME_MS);
  await waitForSubscriptions(nats, b, [
    "trustcam.event.>",
    "trustcam.want.>",
    `trustcam.frame.${CAM_A}`,
  ]);
});
