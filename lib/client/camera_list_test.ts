import assert from "node:assert/strict";
import {
  applyHubMessage,
  type CameraList,
  isMotionActive,
  isRecording,
  withMotionActive,
} from "./camera_list.ts";
import type { CameraInfo } from "./messages.ts";

function cam(serial: string, name: string, more: Partial<CameraInfo> = {}): CameraInfo {
  return {
    serial,
    name,
    state: "online",
    firstSeen: "2026-01-01T00:00:00.000Z",
    lastSeen: "2026-01-01T00:00:00.000Z",
    lastFrameAt: null,
    fps: 0,
    kbps: 0,
    frames: 0,
    bad: 0,
    skipped: 0,
    status: null,
    recording: { mode: "off", source: "default", recording: false, dropped: 0 },
    motion: { enabled: false, active: false },
    ...more,
  };
}

const A = "0123000000000000AA";
const B = "0123000000000000BB";
const C = "0123000000000000CC";

Deno.test("applyHubMessage() takes the hello list in name order", () => {
  const list = applyHubMessage([], {
    type: "hello",
    v: 1,
    viewer: "v",
    cameras: [cam(A, "Cam 10"), cam(B, "cam 2"), cam(C, "Cam 2")],
  });
  assert.deepEqual(list.map((c) => c.serial), [B, C, A]);
});

Deno.test("applyHubMessage() upserts cameras from events, places new ones by name, keeps a renamed tile in place", () => {
  let list: CameraList = [cam(A, "Alpha"), cam(B, "Bravo")];
  list = applyHubMessage(list, {
    type: "camera",
    event: "offline",
    camera: cam(A, "Alpha", { state: "offline" }),
  });
  assert.deepEqual(list.map((c) => [c.serial, c.state]), [[A, "offline"], [B, "online"]]);
  list = applyHubMessage(list, { type: "camera", event: "online", camera: cam(C, "Aardvark") });
  assert.deepEqual(list.map((c) => c.serial), [C, A, B]);
  // Issue 14: a rename no longer moves the tile (it used to sort to [A, B, C]).
  list = applyHubMessage(list, { type: "camera", event: "renamed", camera: cam(C, "Zulu") });
  assert.deepEqual(list.map((c) => c.serial), [C, A, B]);
  assert.equal(list[0].name, "Zulu");
});

Deno.test("applyHubMessage() keeps the page's order across a reconnect's hello", () => {
  const D = "0123000000000000DD";
  const list: CameraList = [cam(A, "Alpha"), cam(C, "Zulu"), cam(B, "Bravo")];
  const next = applyHubMessage(list, {
    type: "hello",
    v: 1,
    viewer: "v",
    // B is gone (no longer visible to this viewer); D is new.
    cameras: [cam(A, "Alpha", { state: "offline" }), cam(D, "Charlie"), cam(C, "Zulu")],
  });
  // D goes before the first tile whose name sorts after its own.
  assert.deepEqual(next.map((c) => c.serial), [A, D, C]);
  assert.equal(next[0].state, "offline");
});

Deno.test("applyHubMessage() merges stats and keeps the list when nothing changed", () => {
  const list: CameraList = [cam(A, "Alpha"), cam(B, "Bravo")];
  const stats = {
    type: "stats" as const,
    cameras: [{ serial: B, fps: 15, kbps: 2000, frames: 30, bad: 1, skipped: 2 }],
  };
  const next = applyHubMessage(list, stats);
  assert.equal(next[0], list[0]);
  assert.deepEqual(next[1], { ...list[1], fps: 15, kbps: 2000, frames: 30, bad: 1, skipped: 2 });
  assert.equal(applyHubMessage(next, stats), next);
  assert.equal(applyHubMessage(next, { type: "error", code: "X", message: "" }), next);
});

Deno.test("isRecording() reads the camera's recording state, false when the hub says none", () => {
  const rec = (recording: unknown) =>
    ({ ...cam("0123A1B2C3D4E5F6A7", "A"), recording }) as CameraInfo;
  assert.equal(isRecording(cam("0123A1B2C3D4E5F6A7", "A")), false);
  assert.equal(
    isRecording(rec({ mode: "continuous", source: "default", recording: true, dropped: 0 })),
    true,
  );
  assert.equal(
    isRecording(rec({ mode: "continuous", source: "camera", recording: false, dropped: 0 })),
    false,
  );
  assert.equal(isRecording(rec(null)), false);
  assert.equal(isRecording(rec("yes")), false);
});

Deno.test("applyHubMessage() takes a recording event's camera as it is", () => {
  const a = cam("0123A1B2C3D4E5F6A7", "A");
  const on = { ...a, recording: { mode: "continuous", recording: true } } as CameraInfo;
  const list = applyHubMessage([a], {
    type: "camera",
    event: "recording" as "status",
    camera: on,
  });
  assert.equal(isRecording(list[0]), true);
});

Deno.test("applyHubMessage() follows motion starts and ends on the camera's motion flag", () => {
  const motion = (active: boolean) => ({ enabled: true, active });
  const list: CameraList = [
    { ...cam(A, "Alpha"), motion: motion(false) } as CameraInfo,
    cam(B, "Bravo"),
  ];
  assert.equal(isMotionActive(list[0]), false);
  const notice = {
    type: "motion" as const,
    id: "e1",
    camera: A,
    startedAt: "2026-01-01T00:00:00.000Z",
    score: 0.1,
    box: { x: 0, y: 0, w: 1, h: 1 },
  };
  const started = applyHubMessage(list, { ...notice, state: "start" });
  assert.equal(isMotionActive(started[0]), true);
  assert.deepEqual((started[0] as { motion?: unknown }).motion, motion(true));
  assert.equal(started[1], list[1]);
  // Told twice, or of a camera not on the page: the same list.
  assert.equal(applyHubMessage(started, { ...notice, state: "start" }), started);
  assert.equal(applyHubMessage(started, { ...notice, camera: C, state: "start" }), started);
  const ended = applyHubMessage(started, {
    ...notice,
    state: "end",
    endedAt: "2026-01-01T00:00:05.000Z",
  });
  assert.equal(isMotionActive(ended[0]), false);
  // A hub that reports no motion object: the flag still works.
  assert.equal(isMotionActive(withMotionActive(cam(B, "Bravo"), true)), true);
  assert.equal(isMotionActive(cam(B, "Bravo")), false);
});

Deno.test("applyHubMessage() drops a removed camera and upserts a hidden one", () => {
  const list: CameraList = [cam("A", "a"), cam("B", "b")];
  const hidden = applyHubMessage(list, {
    type: "camera",
    event: "hidden",
    camera: cam("B", "b", { hidden: true }),
  });
  assert.deepEqual(hidden.map((c) => [c.serial, c.hidden]), [["A", undefined], ["B", true]]);
  const removed = applyHubMessage(hidden, {
    type: "camera",
    event: "removed",
    camera: cam("A", "a", { state: "offline" }),
  });
  assert.deepEqual(removed.map((c) => c.serial), ["B"]);
  const again = applyHubMessage(removed, {
    type: "camera",
    event: "removed",
    camera: cam("A", "a", { state: "offline" }),
  });
  assert.equal(again, removed);
});
