import assert from "node:assert/strict";
import { parseHubMessage } from "./messages.ts";
import {
  encodeMessage,
  groupsMessage,
  replayEndedMessage,
  replayLiveMessage,
  replayPausedMessage,
  replayPlayingMessage,
  subscribedMessage,
} from "../protocol.ts";

const camera = {
  serial: "0123A1B2C3D4E5F6A7",
  name: "Front door",
  state: "online",
  firstSeen: "2026-11-23T10:00:00.000Z",
  lastSeen: "2026-11-23T10:05:00.000Z",
  lastFrameAt: "2026-11-23T10:05:00.000Z",
  fps: 14.9,
  kbps: 7150.2,
  frames: 4470,
  bad: 0,
  skipped: 3,
  status: { fw: "trustcam-fw/1.0.0", uptime_s: 300, at: "2026-11-23T10:04:58.000Z" },
};

Deno.test("parseHubMessage() reads hello, camera, stats and error messages", () => {
  assert.deepEqual(
    parseHubMessage(JSON.stringify({ type: "hello", v: 1, viewer: "alice", cameras: [camera] })),
    { type: "hello", v: 1, viewer: "alice", cameras: [camera] },
  );
  assert.deepEqual(
    parseHubMessage(JSON.stringify({ type: "camera", event: "renamed", camera })),
    { type: "camera", event: "renamed", camera },
  );
  const stats = { serial: camera.serial, fps: 15, kbps: 1, frames: 2, bad: 0, skipped: 0 };
  assert.deepEqual(
    parseHubMessage(JSON.stringify({ type: "stats", cameras: [stats] })),
    { type: "stats", cameras: [stats] },
  );
  assert.deepEqual(
    parseHubMessage('{"type":"error","code":"TC_ERR_FORBIDDEN","message":"No"}'),
    { type: "error", code: "TC_ERR_FORBIDDEN", message: "No" },
  );
});

Deno.test("parseHubMessage() ignores what it does not understand", () => {
  for (
    const text of [
      "not json",
      "[]",
      "null",
      '{"type":"party"}',
      '{"type":"hello"}',
      JSON.stringify({ type: "camera", event: "exploded", camera }),
      JSON.stringify({ type: "camera", event: "online", camera: { ...camera, state: "happy" } }),
      JSON.stringify({ type: "camera", event: "online", camera: { ...camera, serial: 5 } }),
      '{"type":"stats","cameras":{}}',
    ]
  ) {
    assert.equal(parseHubMessage(text), null, text);
  }
  // A hello keeps the cameras it can read and drops the rest.
  const hello = parseHubMessage(
    JSON.stringify({ type: "hello", v: 1, viewer: "a", cameras: [camera, { serial: 1 }] }),
  );
  assert.equal(hello?.type === "hello" && hello.cameras.length, 1);
});

Deno.test("parseHubMessage() reads a subscribed acknowledgement built by lib/protocol.ts", () => {
  const ack = subscribedMessage([camera.serial], false);
  assert.deepEqual(parseHubMessage(encodeMessage(ack)), ack);
  assert.deepEqual(
    parseHubMessage(JSON.stringify({ type: "subscribed", cameras: [camera.serial, 7], all: true })),
    { type: "subscribed", cameras: [camera.serial], all: true },
  );
  assert.equal(parseHubMessage('{"type":"subscribed","cameras":"*"}'), null);
});

Deno.test("parseHubMessage() reads replay acknowledgements and the recording event", () => {
  const S = camera.serial;
  const t = Date.UTC(2026, 10, 27, 14, 0, 0);
  for (
    const msg of [
      replayPlayingMessage(S, t, 4),
      replayPausedMessage(S, t),
      replayEndedMessage(S, t),
      replayLiveMessage(S),
    ]
  ) {
    assert.deepEqual(parseHubMessage(encodeMessage(msg)), msg);
  }
  for (
    const bad of [
      { type: "replay", camera: S, state: "rewinding" },
      { type: "replay", camera: 7, state: "live" },
      { type: "replay", state: "live" },
      // A time the page cannot read, or none where one is due.
      { type: "replay", camera: S, state: "paused", at: "soon" },
      { type: "replay", camera: S, state: "ended" },
      { type: "replay", camera: S, state: "playing", from: new Date(t).toISOString() },
      { type: "replay", camera: S, state: "playing", speed: 1 },
    ]
  ) {
    assert.equal(parseHubMessage(JSON.stringify(bad)), null, JSON.stringify(bad));
  }
  const recording = { mode: "continuous", source: "default", recording: true, dropped: 0 };
  assert.deepEqual(
    parseHubMessage(
      JSON.stringify({ type: "camera", event: "recording", camera: { ...camera, recording } }),
    ),
    { type: "camera", event: "recording", camera: { ...camera, recording } },
  );
});

Deno.test("parseHubMessage() reads motion starts and ends as the hub words them", () => {
  const S = camera.serial;
  const start =
    `{"type":"motion","id":"ev1","camera":"${S}","state":"start","startedAt":"2026-11-27T14:00:00.000Z","score":0.042,"box":{"x":0.1,"y":0.25,"w":0.2,"h":0.3}}`;
  assert.deepEqual(parseHubMessage(start), {
    type: "motion",
    id: "ev1",
    camera: S,
    state: "start",
    startedAt: "2026-11-27T14:00:00.000Z",
    score: 0.042,
    box: { x: 0.1, y: 0.25, w: 0.2, h: 0.3 },
  });
  const end =
    `{"type":"motion","id":"ev1","camera":"${S}","state":"end","startedAt":"2026-11-27T14:00:00.000Z","endedAt":"2026-11-27T14:00:09.500Z","score":0.1,"box":{"x":0,"y":0,"w":1,"h":1},"extra":true}`;
  assert.deepEqual(parseHubMessage(end), {
    type: "motion",
    id: "ev1",
    camera: S,
    state: "end",
    startedAt: "2026-11-27T14:00:00.000Z",
    endedAt: "2026-11-27T14:00:09.500Z",
    score: 0.1,
    box: { x: 0, y: 0, w: 1, h: 1 },
  });
  const base = JSON.parse(start);
  for (
    const bad of [
      { ...base, state: "middle" },
      { ...base, camera: 7 },
      { ...base, id: undefined },
      { ...base, startedAt: "soon" },
      { ...base, score: 1.5 },
      { ...base, box: { x: 0, y: 0, w: 2, h: 1 } },
      { ...base, box: null },
      // An end without its end time.
      { ...base, state: "end" },
    ]
  ) {
    assert.equal(parseHubMessage(JSON.stringify(bad)), null, JSON.stringify(bad));
  }
  assert.deepEqual(
    parseHubMessage(JSON.stringify({ type: "camera", event: "motion", camera })),
    { type: "camera", event: "motion", camera },
  );
});

Deno.test("parseHubMessage() reads a motion settings change as a camera event", () => {
  const withMotion = { ...camera, motion: { enabled: false, active: false } };
  assert.deepEqual(
    parseHubMessage(JSON.stringify({ type: "camera", event: "motion", camera: withMotion })),
    { type: "camera", event: "motion", camera: withMotion },
  );
});

Deno.test("parseHubMessage() reads the groups notice and hidden/removed camera events", () => {
  assert.deepEqual(parseHubMessage(encodeMessage(groupsMessage())), { type: "groups" });
  for (const event of ["hidden", "removed"] as const) {
    const msg = parseHubMessage(JSON.stringify({ type: "camera", event, camera }));
    assert.equal(msg?.type === "camera" && msg.event, event);
  }
});

Deno.test("parseHubMessage() reads a subscribed acknowledgement's stream options", () => {
  const ack = subscribedMessage([camera.serial], false, {
    [camera.serial]: { size: "tile", maxFps: 5 },
  });
  assert.deepEqual(parseHubMessage(encodeMessage(ack)), ack);
  assert.deepEqual(
    parseHubMessage(
      JSON.stringify({
        type: "subscribed",
        cameras: [camera.serial],
        all: false,
        streams: { [camera.serial]: { size: "huge" }, x: 1 },
      }),
    ),
    { type: "subscribed", cameras: [camera.serial], all: false, streams: {} },
  );
});
