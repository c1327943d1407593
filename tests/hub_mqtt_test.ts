/**
 * The hub with `--mqtt` against a real mosquitto: what Home Assistant sees of a device, a
 * broker that dies mid-stream (the relay must not notice), a broker that is down at start,
 * and mqtts with a client certificate.
 */
import assert from "node:assert/strict";
import {
  expectedViewerFrame,
  fakeJpeg,
  startTestHub,
  type TestClient,
  type TestHub,
} from "./hub_fixture.ts";
import { listen, type Listener, mqttSettings, startBroker } from "./mosquitto_fixture.ts";
import { crossingScene, streamAtPace } from "../harness/motion_stream.ts";
import { cameraTopics, discoveryMessages } from "../lib/ha_discovery.ts";
import type { MqttSettings } from "../lib/mqtt_settings.ts";

const SERIAL = "0123CAFE0000000001";
const T = cameraTopics("trustcam", SERIAL);

function send(client: TestClient, data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) =>
    client.ws.send(data, (err) => err ? reject(err) : resolve())
  );
}

function hubWith(mqtt: MqttSettings): Promise<TestHub> {
  return startTestHub({ mqtt });
}

function deviceName(l: Listener, topic: string): string | undefined {
  return (l.last(topic)?.json() as { device?: { name?: string } } | undefined)?.device?.name;
}

const lines = (t: TestHub, event: string) => t.log.filter((l) => l.startsWith(`${event} `));

async function metric(t: TestHub, name: string): Promise<number> {
  const text = (await t.request("/metrics")).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, "m").exec(text)?.[1] ?? 0);
}

Deno.test("hub publishes a camera to Home Assistant over MQTT and follows the device", async () => {
  await using broker = await startBroker();
  await using listener = await listen(broker.url);
  await using t = await hubWith(mqttSettings(broker.url));
  await listener.until(() => listener.last("trustcam/status")?.text() === "online");

  await using dev = await t.device(SERIAL);
  await listener.until(() => listener.last(T.availability)?.text() === "online");
  for (const m of discoveryMessages({ serial: SERIAL, name: SERIAL }, "trustcam")) {
    assert.deepEqual(listener.last(m.topic)?.json(), JSON.parse(m.payload), m.topic);
  }
  // The motion state is published after the availability, and may come in a later read.
  await listener.until(() => listener.last(T.motion) !== undefined, 5000, "the motion state");
  assert.equal(listener.last(T.motion)?.text(), "OFF");

  // The image topic carries the camera's latest JPEG, byte for byte.
  const jpeg = fakeJpeg(4000, 0x33);
  await send(dev, fakeJpeg(4000, 0x32));
  await send(dev, jpeg);
  await listener.until(
    () =>
      listener.last(T.image)?.payload.length === jpeg.length &&
      listener.last(T.image)!.payload[100] === 0x33,
    5000,
    "the latest JPEG as a snapshot",
  );
  assert.deepEqual(listener.last(T.image)?.payload, jpeg);
  assert.equal(await metric(t, "trustcam_mqtt_connected"), 1);

  const renamed = await t.request(`/api/cameras/${SERIAL}`, {
    method: "PATCH",
    body: JSON.stringify({ name: "Porch" }),
  });
  assert.equal(renamed.status, 200);
  await listener.until(() => deviceName(listener, T.cameraConfig) === "Porch", 5000, "rename");
  await listener.until(() => deviceName(listener, T.motionConfig) === "Porch");

  await dev.close();
  await listener.until(() => listener.last(T.availability)?.text() === "offline");

  // Removed by an admin: every retained topic of the camera is cleared, so neither Home
  // Assistant nor a client subscribing later finds a trace of it.
  const topics = [T.cameraConfig, T.motionConfig, T.availability, T.motion, T.image];
  assert.equal((await t.request(`/api/cameras/${SERIAL}`, { method: "DELETE" })).status, 200);
  await listener.until(
    () => topics.every((topic) => listener.last(topic)?.payload.length === 0),
    5000,
    "the camera's topics cleared",
  );
  {
    await using late = await listen(broker.url);
    await late.until(() => late.last("trustcam/status")?.text() === "online");
    // The broker sends retained messages in one burst on subscribe: a probe published after
    // it arrives last, so everything retained has arrived by then.
    await new Promise<void>((ok) => listener.client.publish("probe/removed", "x", () => ok()));
    await late.until(() => late.last("probe/removed") !== undefined);
    assert.deepEqual(late.messages.filter((m) => topics.includes(m.topic)).map((m) => m.topic), []);
  }

  await t.hub.close();
  await listener.until(() => listener.last("trustcam/status")?.text() === "offline");
  assert.deepEqual(lines(t, "mqtt-connected").length, 1);
});

Deno.test("hub relays every frame while the MQTT broker dies, then publishes again", async () => {
  await using broker = await startBroker();
  await using listener = await listen(broker.url);
  await using t = await hubWith(mqttSettings(broker.url));
  await using dev = await t.device(SERIAL);
  await using viewer = await t.viewer("alice");
  await listener.until(() => listener.last(T.availability)?.text() === "online");

  const frames = Array.from({ length: 300 }, (_, i) => fakeJpeg(2000 + i, 1 + (i % 200)));
  for (const [i, f] of frames.entries()) {
    if (i === 100) await broker.kill();
    await send(dev, f);
  }
  await viewer.until(() => viewer.binary.length === frames.length, 10_000, "every frame");
  for (const [i, f] of frames.entries()) {
    assert.deepEqual(viewer.binary[i], expectedViewerFrame(f, SERIAL), `frame ${i}`);
  }
  assert.equal(await metric(t, "trustcam_mqtt_connected"), 0);
  // Snapshots are dropped, and counted, while the broker is away.
  const end = Date.now() + 5000;
  while (await metric(t, "trustcam_mqtt_dropped_total") === 0) {
    if (Date.now() > end) throw new Error("Timed out waiting for dropped snapshots");
    await new Promise((r) => setTimeout(r, 20));
  }

  const mark = listener.messages.length;
  const since = (topic: string) => listener.messages.slice(mark).findLast((m) => m.topic === topic);
  await broker.start();
  await listener.until(() => since(T.cameraConfig) !== undefined, 15_000, "discovery again");
  await listener.until(() => since(T.motionConfig) !== undefined, 5000, "motion config again");
  await listener.until(() => since(T.availability)?.text() === "online");
  await listener.until(() => since("trustcam/status")?.text() === "online");
  await listener.until(
    () => since(T.image)?.payload.length === frames.at(-1)!.length,
    5000,
    "the latest frame",
  );
  assert.deepEqual(since(T.image)?.payload, frames.at(-1));
  assert.equal(lines(t, "mqtt-disconnected").length, 1);
  assert.equal(lines(t, "mqtt-connected").length, 2);
});

Deno.test("hub starts and serves while the MQTT broker is down, and connects when it is up", async () => {
  await using broker = await startBroker();
  await broker.kill();
  await using t = await hubWith(mqttSettings(broker.url));
  await using dev = await t.device(SERIAL);
  await using viewer = await t.viewer("alice");
  const jpeg = fakeJpeg(1000);
  await send(dev, jpeg);
  await viewer.until(() => viewer.binary.length === 1);
  assert.deepEqual(viewer.binary[0], expectedViewerFrame(jpeg, SERIAL));
  await viewer.until(() => lines(t, "mqtt-unavailable").length === 1, 5000, "one log line");

  await broker.start();
  await using listener = await listen(broker.url);
  await listener.until(() => listener.last(T.cameraConfig) !== undefined, 15_000, "discovery");
  await listener.until(() => listener.last(T.availability)?.text() === "online");
  assert.equal(lines(t, "mqtt-unavailable").length, 1);
  assert.equal(lines(t, "mqtt-connected").length, 1);
});

Deno.test("hub connects to an mqtts broker that requires its client certificate", async () => {
  await using t0 = await startTestHub();
  const dir = t0.pki.dir;
  const client = await t0.pki.viewer("trustcam-hub");
  await Deno.writeTextFile(`${dir}/mqtt-hub.chain`, client.chainPem);
  await Deno.writeTextFile(`${dir}/mqtt-hub.key`, client.keyPem);
  await Deno.writeTextFile(`${dir}/mqtt-ca.pem`, t0.pki.caPem);
  await using broker = await startBroker({
    certFile: `${dir}/server.chain`,
    keyFile: `${dir}/server.key`,
    caFile: `${dir}/mqtt-ca.pem`,
    requireCertificate: true,
  });
  await using listener = await listen(broker.url, {
    ca: t0.pki.caPem,
    cert: client.chainPem,
    key: client.keyPem,
  });
  // The broker's certificate chains to the hub's own root CA, trusted by default.
  await t0.restart({
    mqtt: mqttSettings(broker.url, {
      certFile: `${dir}/mqtt-hub.chain`,
      keyFile: `${dir}/mqtt-hub.key`,
    }),
  });
  await using _dev = await t0.device(SERIAL);
  await listener.until(() => listener.last(T.availability)?.text() === "online", 10_000, "mqtts");
  assert.ok(listener.last(T.cameraConfig));

  // Without a client certificate the broker refuses the hub.
  await using t1 = await hubWith(mqttSettings(broker.url));
  await listener.until(() => lines(t1, "mqtt-unavailable").length === 1, 10_000, "a refusal");
  assert.equal(lines(t1, "mqtt-connected").length, 0);
});

Deno.test("hub publishes a real motion event to MQTT: sensor ON then OFF, the event on <prefix>/events", async () => {
  await using broker = await startBroker();
  await using listener = await listen(broker.url);
  await using t = await hubWith(mqttSettings(broker.url));
  const cam = "0123FEED00000000C9";
  const topics = cameraTopics("trustcam", cam);
  const dev = await t.device(cam);
  await listener.until(() => listener.last(topics.motion)?.text() === "OFF", 5000, "motion OFF");
  const set = await t.request(`/api/cameras/${cam}/motion`, { method: "PUT", body: '{"fps":15}' });
  assert.equal(set.status, 200, set.text());
  await streamAtPace(dev.ws, await crossingScene({ still: 20, moving: 30, after: 20 }), 50);
  await listener.until(
    () => listener.on("trustcam/events").length === 2,
    30_000,
    "the event's start and end",
  );
  const states = listener.on(topics.motion).map((m) => m.text());
  assert.deepEqual(states.slice(states.indexOf("ON")), ["ON", "OFF"]);
  const [start, end] = listener.on("trustcam/events").map((m) =>
    m.json() as Record<string, unknown>
  );
  assert.deepEqual([start.type, start.camera, start.state], ["motion", cam, "start"]);
  assert.deepEqual([end.state, end.id], ["end", start.id]);
  assert.equal(listener.on("trustcam/events").some((m) => m.retain), false, "events not retained");
});
