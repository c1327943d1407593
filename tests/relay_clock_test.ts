/**
 * The relay's rate limits and frame times follow its injected clock (`now`), not the wall
 * clock: each test freezes the clock, lets real time pass, and moves the clock by hand.
 */
import assert from "node:assert/strict";
import { fakeJpeg, type TestClient, waitFor } from "./hub_fixture.ts";
import { startTestRelay } from "./relay_fixture.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const SUBSCRIBE_ALL = JSON.stringify({ type: "subscribe", cameras: "*" });

function typed(client: TestClient, type: string, event?: string): Record<string, unknown>[] {
  return (client.texts as Record<string, unknown>[]).filter((t) =>
    t.type === type && (event === undefined || t.event === event)
  );
}

Deno.test("Relay limits viewer control messages by its clock: a frozen clock refills nothing", async () => {
  let now = 1000;
  await using r = await startTestRelay({
    now: () => now,
    viewerControlRate: { perSec: 20, burst: 40 },
  });
  const viewer = await r.viewer("alice");
  await viewer.until(() => typed(viewer, "subscribed").length === 1, 5000, "the connect ack");
  // The burst, one message at a time: the wall clock runs on meanwhile, the relay's does not.
  const wallStart = performance.now();
  for (let i = 0; i < 40; i++) {
    viewer.ws.send(SUBSCRIBE_ALL);
    await viewer.until(() => typed(viewer, "subscribed").length === i + 2, 5000, `ack ${i + 1}`);
  }
  const wallMs = performance.now() - wallStart;
  viewer.ws.send(SUBSCRIBE_ALL);
  assert.deepEqual(await viewer.closed, { code: 1008, reason: "Too many control messages" });
  assert.equal(typed(viewer, "subscribed").length, 41, "the 41st was not processed");
  console.log(
    `frozen clock: 40 messages acknowledged over ${Math.round(wallMs)} ms of wall time ` +
      `(${
        Math.floor((wallMs * 20) / 1000)
      } tokens had the relay read the wall clock), none refilled`,
  );

  // 50 ms on the relay's clock is one token at 20/s: exactly one more message.
  const second = await r.viewer("bob");
  for (let i = 0; i < 40; i++) second.ws.send(SUBSCRIBE_ALL);
  await second.until(() => typed(second, "subscribed").length === 41, 5000, "40 acks");
  now += 50;
  second.ws.send(SUBSCRIBE_ALL);
  await second.until(() => typed(second, "subscribed").length === 42, 5000, "the refilled one");
  second.ws.send(SUBSCRIBE_ALL);
  assert.deepEqual(await second.closed, { code: 1008, reason: "Too many control messages" });
  assert.equal(typed(second, "subscribed").length, 42);
});

Deno.test("Relay limits device text messages by its clock", async () => {
  let now = 0;
  await using r = await startTestRelay({
    now: () => now,
    deviceTextRate: { perSec: 10, burst: 10 },
  });
  const viewer = await r.viewer("alice");
  const device = await r.device(CAM);
  const status = (i: number) => JSON.stringify({ type: "status", uptime_s: i });
  for (let i = 0; i < 10; i++) device.ws.send(status(i));
  await viewer.until(() => typed(viewer, "camera", "status").length === 10, 5000, "10 statuses");
  device.ws.send(status(10));
  await waitFor(() => r.registry.get(CAM)?.bad === 1, 5000, "the 11th counted bad");
  assert.ok(r.log.some((l) => l.startsWith("connect") && l.includes(`serial=${CAM}`)));
  // 100 ms is one token at 10/s.
  now += 100;
  device.ws.send(status(11));
  await viewer.until(() => typed(viewer, "camera", "status").length === 11, 5000, "11th status");
  device.ws.send(status(12));
  await waitFor(() => r.registry.get(CAM)?.bad === 2, 5000, "the 13th counted bad");
  const last = typed(viewer, "camera", "status").at(-1) as {
    camera: { status: { uptime_s: number } };
  };
  assert.equal(last.camera.status.uptime_s, 11);
});

Deno.test("Relay stamps frames with its clock", async () => {
  let now = 12_345.5;
  await using r = await startTestRelay({ now: () => now });
  const device = await r.device(CAM);
  device.ws.send(fakeJpeg(100));
  await waitFor(() => r.relay.latest.has(CAM), 5000, "the frame");
  assert.equal(r.relay.latest.get(CAM)!.receivedAt, 12_345.5);
  now = 99_000;
  device.ws.send(fakeJpeg(100, 2));
  await waitFor(() => r.relay.latest.get(CAM)!.receivedAt === 99_000, 5000, "the second frame");
});

Deno.test("Relay drops a device's frames over --max-fps by its clock, counted, not bad", async () => {
  let now = 1000;
  await using r = await startTestRelay({ now: () => now, maxFps: 10 });
  const viewer = await r.viewer("alice");
  await viewer.until(() => typed(viewer, "subscribed").length === 1, 5000, "the connect ack");
  const device = await r.device(CAM);
  // 25 good frames at once on a frozen clock: the burst of 10 passes, 15 are dropped.
  for (let i = 0; i < 25; i++) device.ws.send(fakeJpeg(200, i));
  await waitFor(
    () =>
      /trustcam_frames_dropped_total\{serial="[^"]+",reason="max_fps"\} 15/.test(r.metricsText()),
    5000,
    "15 dropped",
  );
  // The 10 passed before the drops were counted, but reach the viewer a few turns later.
  await viewer.until(() => viewer.binary.length >= 10, 5000, "the burst at the viewer");
  assert.equal(viewer.binary.length, 10);
  // 100 ms of clock is one more frame at 10 fps; the device was never closed as bad.
  now += 100;
  device.ws.send(fakeJpeg(200, 99));
  await viewer.until(() => viewer.binary.length === 11, 5000, "the refilled frame");
  assert.equal(device.ws.readyState, 1);
  assert.doesNotMatch(r.metricsText(), /trustcam_frames_bad_total\{/);
});
