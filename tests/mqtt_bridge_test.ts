/**
 * hub/mqtt_bridge.ts against a real mosquitto: motion from a feed of the test's own, camera
 * changes from the bus, and a broker that goes away and comes back.
 */
import assert from "node:assert/strict";
import { InProcessBus } from "../lib/bus.ts";
import type { CameraInfo } from "../lib/registry.ts";
import type { MotionFeed, MotionNotice } from "../lib/motion_notice.ts";
import { cameraMessage } from "../lib/protocol.ts";
import { cameraTopics, discoveryMessages } from "../lib/ha_discovery.ts";
import { type MqttBridge, startMqttBridge } from "../hub/mqtt_bridge.ts";
import { createHubMetrics } from "../hub/hub_metrics.ts";
import { fakeJpeg } from "../harness/fake_jpeg.ts";
import { listen, mqttSettings, startBroker } from "./mosquitto_fixture.ts";
import { waitFor } from "./wait_for.ts";

const SERIAL = "0123CAFE0000000001";
const T = cameraTopics("trustcam", SERIAL);

/** The feed the motion side will provide, driven by the test. */
class TestFeed implements MotionFeed {
  listeners = new Set<(n: MotionNotice) => void>();
  subscribe(listener: (n: MotionNotice) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(n: MotionNotice) {
    for (const l of this.listeners) l(n);
  }
}

function camera(name: string, state: CameraInfo["state"]): CameraInfo {
  return { serial: SERIAL, name, state } as CameraInfo;
}

const START: MotionNotice = {
  id: "ev1",
  camera: SERIAL,
  state: "start",
  startedAt: "2026-11-27T10:00:00.000Z",
  score: 0.2,
  box: { x: 0.1, y: 0.1, w: 0.5, h: 0.5 },
};
const END: MotionNotice = { ...START, state: "end", endedAt: "2026-11-27T10:00:04.000Z" };

async function openBridge(
  url: string,
  feed: TestFeed,
  jpeg: Uint8Array,
  cameras: CameraInfo[],
  more: { snapshotMs?: number; maxPendingBytes?: number } = {},
) {
  const bus = new InProcessBus();
  const log: string[] = [];
  const metrics = createHubMetrics();
  const bridge: MqttBridge = await startMqttBridge({
    settings: mqttSettings(url, { snapshotMs: more.snapshotMs ?? 100 }),
    certsDir: "/nonexistent",
    log: (event, fields) => log.push(`${event} ${JSON.stringify(fields ?? {})}`),
    metrics,
    cameras: () => cameras,
    // A copy per call: a new frame each time, as from a live camera.
    latestJpeg: (serial) => serial === SERIAL ? jpeg.slice() : undefined,
    bus,
    motion: feed,
    backoff: { baseMs: 50, maxMs: 200 },
    maxPendingBytes: more.maxPendingBytes,
  });
  return {
    bus,
    log,
    metrics,
    bridge,
    async [Symbol.asyncDispose]() {
      await bridge.close();
      assert.equal(feed.listeners.size, 0, "the bridge left the motion feed");
      assert.equal(bus.size, 0, "the bridge left the bus");
      await bus.close();
    },
  };
}

Deno.test("startMqttBridge() publishes discovery, availability, snapshots, motion and events", async () => {
  await using broker = await startBroker();
  await using listener = await listen(broker.url);
  const feed = new TestFeed();
  const jpeg = fakeJpeg(3000, 0x5a);
  const b = await openBridge(broker.url, feed, jpeg, [camera("Porch", "online")]);
  await using _ = b;

  await listener.until(() => listener.last(T.image) !== undefined, 5000, "a snapshot");
  assert.deepEqual(listener.last(T.image)?.payload, jpeg);
  assert.equal(listener.last("trustcam/status")?.text(), "online");
  assert.equal(listener.last(T.availability)?.text(), "online");
  assert.equal(listener.last(T.motion)?.text(), "OFF");
  for (const m of discoveryMessages({ serial: SERIAL, name: "Porch" }, "trustcam")) {
    assert.deepEqual(listener.last(m.topic)?.json(), JSON.parse(m.payload), m.topic);
  }

  feed.emit(START);
  await listener.until(() => listener.last(T.motion)?.text() === "ON", 5000, "motion ON");
  feed.emit(END);
  await listener.until(() => listener.last(T.motion)?.text() === "OFF", 5000, "motion OFF");
  await listener.until(() => listener.on("trustcam/events").length === 2, 5000, "two events");
  assert.deepEqual(listener.on("trustcam/events").map((m) => m.json()), [
    { type: "motion", ...START },
    { type: "motion", ...END },
  ]);
  assert.ok(listener.on("trustcam/events").every((m) => !m.retain));

  // A rename publishes the configs again with the device's new name; leaving marks it offline.
  b.bus.publishEvent({
    serial: SERIAL,
    payload: cameraMessage("renamed", camera("Gate", "online")),
  });
  await listener.until(
    () =>
      (listener.last(T.cameraConfig)?.json() as { device: { name: string } }).device.name ===
        "Gate",
    5000,
    "the renamed device",
  );
  // The motion sensor's config is published after the camera's, and may come in a later read.
  const motionName = () =>
    (listener.last(T.motionConfig)?.json() as { device: { name: string } }).device.name;
  await listener.until(() => motionName() === "Gate", 5000, "the renamed motion sensor");
  assert.equal(motionName(), "Gate");
  b.bus.publishEvent({
    serial: SERIAL,
    payload: cameraMessage("offline", camera("Gate", "offline")),
  });
  await listener.until(() => listener.last(T.availability)?.text() === "offline");

  // A later subscriber gets the retained state, and no event.
  await using late = await listen(broker.url);
  await late.until(() => late.last(T.availability)?.text() === "offline", 5000, "retained state");
  // Retained messages come in the broker's order, not the publisher's.
  await late.until(() => late.last(T.motion) !== undefined, 5000, "the retained motion state");
  assert.equal(late.last(T.motion)?.text(), "OFF");
  assert.equal(late.on("trustcam/events").length, 0);

  await b.bridge.close();
  await listener.until(() => listener.last("trustcam/status")?.text() === "offline");
  assert.deepEqual(b.log.map((l) => l.split(" ")[0]), ["mqtt-connected", "mqtt-closed"]);
});

Deno.test("startMqttBridge() rides out a broker that goes away, then publishes it all again", async () => {
  await using broker = await startBroker();
  const feed = new TestFeed();
  const b = await openBridge(broker.url, feed, fakeJpeg(2000, 1), [camera("Porch", "online")]);
  await using _ = b;
  await using listener = await listen(broker.url);
  await listener.until(() => listener.last(T.image) !== undefined, 5000, "a snapshot");

  await broker.kill();
  await listener.until(() => !b.bridge.connected, 5000, "the bridge to see the broker gone");
  const dropped = () => b.metrics.mqttDropped.labels({ kind: "snapshot" }).value;
  await listener.until(() => dropped() >= 2, 5000, "snapshots dropped while away");
  // What happens while the broker is away is kept: the state, and the event in its queue.
  feed.emit(START);

  const mark = listener.messages.length;
  const since = (topic: string) => listener.messages.slice(mark).findLast((m) => m.topic === topic);
  await broker.start();
  await listener.until(() => since(T.motion)?.text() === "ON", 10_000, "motion ON again");
  // The queued event goes out on the new connection, maybe before the listener is back (not
  // retained): the count says it was sent.
  const sent = () => b.metrics.mqttPublished.labels({ kind: "event" }).value;
  await listener.until(() => sent() === 1, 5000, "the queued event sent");
  assert.equal(b.metrics.mqttDropped.labels({ kind: "event" }).value, 0);
  // The restarted broker had nothing retained: all of it came from the bridge again.
  await listener.until(() => since(T.image) !== undefined, 5000, "a new snapshot");
  // The listener may have come back after the bridge: then all of it is the broker's retained
  // burst on its subscribe, in the broker's order, the snapshot perhaps first.
  const topics = ["trustcam/status", T.availability, T.cameraConfig, T.motionConfig];
  await listener.until(() => topics.every((topic) => since(topic)), 5000, "the state again");
  assert.equal(since("trustcam/status")?.text(), "online");
  assert.equal(since(T.availability)?.text(), "online");
  assert.ok(since(T.cameraConfig), "camera config again");
  assert.ok(since(T.motionConfig), "motion config again");
  // One line per change of state, however many retries there were.
  assert.deepEqual(b.log.map((l) => l.split(" ")[0]), [
    "mqtt-connected",
    "mqtt-disconnected",
    "mqtt-connected",
  ]);
});

Deno.test("startMqttBridge() drops snapshots, then old events, while the broker does not read", async () => {
  await using broker = await startBroker();
  await using listener = await listen(broker.url);
  const feed = new TestFeed();
  const jpeg = fakeJpeg(200_000, 7);
  const b = await openBridge(broker.url, feed, jpeg, [camera("Porch", "online")], {
    snapshotMs: 20,
    maxPendingBytes: 512 * 1024,
  });
  await using _ = b;
  await listener.until(() => listener.last(T.image) !== undefined, 5000, "a snapshot");

  broker.pause();
  const dropped = (kind: string) => b.metrics.mqttDropped.labels({ kind }).value;
  // The kernel's socket buffers fill first; then the connection stops taking bytes.
  await listener.until(() => dropped("snapshot") >= 10, 20_000, "snapshots dropped");
  assert.ok(b.bridge.connected, "still connected: the broker is slow, not gone");
  const published = b.metrics.mqttPublished.labels({ kind: "snapshot" }).value;
  // Events fill what is left of the byte budget, then wait in a queue of the newest 100.
  for (let i = 0; i < 3000; i++) feed.emit({ ...START, id: `ev${i}` });
  const lost = dropped("event");
  assert.ok(lost > 0, "events dropped");
  await listener.until(() => dropped("snapshot") >= 20, 5000, "more snapshots dropped");
  assert.equal(b.metrics.mqttPublished.labels({ kind: "snapshot" }).value, published);

  broker.resume();
  const events = () => listener.on("trustcam/events");
  await listener.until(() => events().length === 3000 - lost, 20_000, "the events kept");
  const ids = events().map((m) => Number((m.json() as { id: string }).id.slice(2)));
  const sent = 3000 - lost - 100;
  assert.deepEqual(ids, [
    ...Array.from({ length: sent }, (_, i) => i),
    ...Array.from({ length: 100 }, (_, i) => 2900 + i),
  ]);
  await listener.until(() => listener.last(T.motion)?.text() === "ON");
  await listener.until(
    () => b.metrics.mqttPublished.labels({ kind: "snapshot" }).value > published,
    10_000,
    "snapshots again",
  );
});

Deno.test("startMqttBridge() refuses to start with a TLS file it cannot read", async () => {
  const bus = new InProcessBus();
  await assert.rejects(
    startMqttBridge({
      settings: mqttSettings("mqtts://127.0.0.1:8883", {
        certFile: "/nonexistent/hub.chain",
        keyFile: "/nonexistent/hub.key",
      }),
      certsDir: "/nonexistent",
      log: () => {},
      metrics: createHubMetrics(),
      cameras: () => [],
      latestJpeg: () => undefined,
      bus,
    }),
    { name: "HubStartError", message: /^Cannot read --mqtt-cert "\/nonexistent\/hub.chain": / },
  );
  assert.equal(bus.size, 0);
});

Deno.test("startMqttBridge() close() returns while the broker does not read", async () => {
  await using broker = await startBroker();
  const feed = new TestFeed();
  const b = await openBridge(broker.url, feed, fakeJpeg(200_000, 7), [camera("Porch", "online")], {
    snapshotMs: 20,
    maxPendingBytes: 512 * 1024,
  });
  await using _ = b;
  await waitFor(() => b.bridge.connected, 5000, "connected");
  broker.pause();
  await waitFor(
    () => b.metrics.mqttDropped.labels({ kind: "snapshot" }).value > 0,
    20_000,
    "a stuck connection",
  );
  const started = Date.now();
  await b.bridge.close();
  assert.ok(Date.now() - started < 4000, `close took ${Date.now() - started} ms`);
  assert.deepEqual(b.log.map((l) => l.split(" ")[0]), ["mqtt-connected", "mqtt-closed"]);
});
