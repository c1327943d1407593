import assert from "node:assert/strict";
import { MotionFanout } from "./motion_fanout.ts";
import type { MotionNotice } from "./motion_notice.ts";

const NOTICE: MotionNotice = {
  id: "e1",
  camera: "0123A1B2C3D4E5F6A7",
  state: "start",
  startedAt: "2026-11-27T10:00:00.000Z",
  score: 0.2,
  box: { x: 0, y: 0, w: 0.5, h: 0.5 },
};

Deno.test("MotionFanout.publish() reaches every listener, past one that throws", () => {
  const errors: unknown[] = [];
  const feed = new MotionFanout((err) => errors.push(err));
  const got: string[] = [];
  const off1 = feed.subscribe(() => {
    throw new Error("listener failed");
  });
  const off2 = feed.subscribe((n) => got.push(n.id));
  feed.publish(NOTICE);
  assert.deepEqual(got, ["e1"]);
  assert.equal(errors.length, 1);
  off1();
  off2();
  off2();
  feed.publish(NOTICE);
  assert.deepEqual(got, ["e1"], "unsubscribed listeners hear nothing");
  assert.equal(feed.size, 0);
});
