import assert from "node:assert/strict";
import { MotionRecording } from "./motion_recording.ts";
import { MotionFanout } from "../lib/motion_fanout.ts";
import type { MotionNotice } from "../lib/motion_notice.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const T0 = 1_800_000_000_000;

function notice(state: "start" | "end", camera = CAM): MotionNotice {
  return {
    id: "e1",
    camera,
    state,
    startedAt: new Date(T0).toISOString(),
    score: 0.1,
    box: { x: 0, y: 0, w: 1, h: 1 },
  };
}

function setup(o: { ringBytes?: number; motionMode?: boolean } = {}) {
  const feed = new MotionFanout((err) => assert.fail(String(err)));
  const clock = { t: T0 };
  const recorded: [number, number][] = [];
  const changes: string[] = [];
  const mr = new MotionRecording({
    preRollMs: 5000,
    postRollMs: 10_000,
    ringBytes: o.ringBytes,
    feed,
    isMotionMode: () => o.motionMode ?? true,
    record: (_serial, jpeg, time) => recorded.push([jpeg[0], time]),
    onChange: (serial) => changes.push(serial),
    now: () => clock.t,
  });
  return { feed, clock, recorded, changes, mr };
}

/** A "frame" of `bytes` bytes whose first byte says which it is. */
const frame = (id: number, bytes = 10) => new Uint8Array(bytes).fill(id);

Deno.test("MotionRecording keeps the last 5 s of refused frames and hands them over at the start", () => {
  const { feed, clock, recorded, changes, mr } = setup();
  for (let i = 0; i < 100; i++) mr.refused(CAM, frame(i), T0 + i * 100); // 10 s at 10 fps
  assert.deepEqual(mr.stats(CAM), { frames: 51, bytes: 510, dropped: 0 });
  assert.equal(mr.recording(CAM), false);
  clock.t = T0 + 9_950;
  feed.publish(notice("start"));
  assert.deepEqual(recorded, Array.from({ length: 51 }, (_, k) => [49 + k, T0 + (49 + k) * 100]));
  assert.deepEqual(changes, [CAM], "the pages hear the camera records now");
  assert.equal(mr.recording(CAM), true);
  assert.deepEqual(mr.stats(CAM), { frames: 0, bytes: 0, dropped: 0 });
  mr.close();
});

Deno.test("MotionRecording records 10 s past the end, then tells the pages", async () => {
  const { feed, clock, changes, mr } = setup();
  feed.publish(notice("start"));
  clock.t = T0 + 1000;
  feed.publish(notice("end"));
  assert.equal(mr.recording(CAM), true, "the post-roll");
  clock.t = T0 + 10_999;
  assert.equal(mr.recording(CAM), true);
  clock.t = T0 + 11_000;
  assert.equal(mr.recording(CAM), false);
  assert.deepEqual(changes, [CAM]);
  mr.close();
  assert.deepEqual(changes, [CAM], "close() clears the post-roll timer");
  // A start within the post-roll continues the recording without another change.
  const s = setup();
  s.feed.publish(notice("start"));
  s.feed.publish(notice("end"));
  s.feed.publish(notice("start"));
  assert.deepEqual(s.changes, [CAM]);
  s.mr.close();
  await Promise.resolve();
});

Deno.test("MotionRecording bounds the pre-roll in bytes and counts the frames dropped", () => {
  const { mr, feed, recorded } = setup({ ringBytes: 35 });
  for (let i = 0; i < 6; i++) mr.refused(CAM, frame(i), T0 + i * 100);
  assert.deepEqual(mr.stats(CAM), { frames: 3, bytes: 30, dropped: 3 });
  feed.publish(notice("start"));
  assert.deepEqual(recorded.map(([id]) => id), [3, 4, 5]);
  mr.close();
});

Deno.test("MotionRecording keeps nothing for a camera not in motion mode", () => {
  const { mr, feed, recorded } = setup({ motionMode: false });
  mr.refused(CAM, frame(1), T0);
  assert.deepEqual(mr.stats(CAM), { frames: 0, bytes: 0, dropped: 0 });
  feed.publish(notice("start"));
  assert.deepEqual(recorded, []);
  mr.close();
});
