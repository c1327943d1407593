import assert from "node:assert/strict";
import {
  cameraTopics,
  discoveryMessages,
  eventPayload,
  hubTopics,
  isTopicPrefix,
  motionState,
} from "./ha_discovery.ts";

const SERIAL = "0123CAFE0000000001";

Deno.test("hubTopics() and cameraTopics() name every topic under the prefix", () => {
  assert.deepEqual(hubTopics("trustcam"), {
    status: "trustcam/status",
    events: "trustcam/events",
  });
  assert.deepEqual(cameraTopics("trustcam", SERIAL), {
    image: "trustcam/0123CAFE0000000001/image",
    motion: "trustcam/0123CAFE0000000001/motion",
    availability: "trustcam/0123CAFE0000000001/availability",
    cameraConfig: "homeassistant/camera/0123CAFE0000000001/config",
    motionConfig: "homeassistant/binary_sensor/0123CAFE0000000001_motion/config",
  });
  assert.equal(cameraTopics("home/cams", SERIAL, "ha").image, `home/cams/${SERIAL}/image`);
  assert.equal(cameraTopics("home/cams", SERIAL, "ha").cameraConfig, `ha/camera/${SERIAL}/config`);
});

Deno.test("discoveryMessages() gives a camera and a motion sensor on one device", () => {
  const [camera, motion] = discoveryMessages({ serial: SERIAL, name: "Porch" }, "trustcam");
  const availability = [
    { topic: "trustcam/status" },
    { topic: "trustcam/0123CAFE0000000001/availability" },
  ];
  const device = {
    identifiers: ["trustcam_0123CAFE0000000001"],
    name: "Porch",
    manufacturer: "trustcam",
    model: "trustcam camera",
    serial_number: "0123CAFE0000000001",
  };
  assert.equal(camera.topic, "homeassistant/camera/0123CAFE0000000001/config");
  assert.deepEqual(JSON.parse(camera.payload), {
    name: null,
    unique_id: "trustcam_0123CAFE0000000001_camera",
    topic: "trustcam/0123CAFE0000000001/image",
    availability,
    availability_mode: "all",
    payload_available: "online",
    payload_not_available: "offline",
    device,
    origin: { name: "trustcam" },
  });
  assert.equal(motion.topic, "homeassistant/binary_sensor/0123CAFE0000000001_motion/config");
  assert.deepEqual(JSON.parse(motion.payload), {
    name: "Motion",
    unique_id: "trustcam_0123CAFE0000000001_motion",
    state_topic: "trustcam/0123CAFE0000000001/motion",
    device_class: "motion",
    payload_on: "ON",
    payload_off: "OFF",
    availability,
    availability_mode: "all",
    payload_available: "online",
    payload_not_available: "offline",
    device,
    origin: { name: "trustcam" },
  });
});

Deno.test("discoveryMessages() follows a rename in the device name only", () => {
  const before = discoveryMessages({ serial: SERIAL, name: "Porch" }, "trustcam");
  const after = discoveryMessages({ serial: SERIAL, name: "Front door" }, "trustcam");
  assert.deepEqual(after.map((m) => m.topic), before.map((m) => m.topic));
  for (
    const [b, a] of before.map((m, i) => [JSON.parse(m.payload), JSON.parse(after[i].payload)])
  ) {
    assert.equal(a.device.name, "Front door");
    assert.deepEqual({ ...a, device: b.device }, b);
  }
});

Deno.test("motionState() and eventPayload() say what a motion notice means", () => {
  const notice = {
    id: "ev1",
    camera: SERIAL,
    state: "start" as const,
    startedAt: "2026-11-27T10:00:00.000Z",
    score: 0.25,
    box: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 },
  };
  assert.equal(motionState(notice), "ON");
  assert.equal(motionState({ state: "end" }), "OFF");
  assert.equal(
    eventPayload(notice),
    '{"type":"motion","id":"ev1","camera":"0123CAFE0000000001","state":"start",' +
      '"startedAt":"2026-11-27T10:00:00.000Z","score":0.25,"box":{"x":0.1,"y":0.2,"w":0.3,"h":0.4}}',
  );
});

Deno.test("isTopicPrefix() refuses wildcards, empty levels and $ topics", () => {
  for (const ok of ["trustcam", "home/cams", "a-b_c"]) assert.ok(isTopicPrefix(ok), ok);
  for (const bad of ["", "a/+", "#", "a//b", "/a", "a/", "$SYS", "a\0b"]) {
    assert.ok(!isTopicPrefix(bad), JSON.stringify(bad));
  }
});
