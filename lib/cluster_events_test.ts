import assert from "node:assert/strict";
import {
  decodeEventQuery,
  decodeEventRows,
  encodeEventQuery,
  encodeEventRows,
  mergeEventRows,
} from "./cluster_events.ts";
import type { MotionEventRow } from "./motion_event_log.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const box = { x: 0, y: 0, w: 1, h: 1 };
const row = (id: string, startedAt: number, endedAt: number | null = startedAt + 1) =>
  ({ id, camera: CAM, startedAt, endedAt, score: 0.5, box }) satisfies MotionEventRow;

Deno.test("encodeEventQuery() and decodeEventQuery() round-trip, open ends included", () => {
  const q = { cameras: [CAM], from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 };
  assert.deepEqual(decodeEventQuery(encodeEventQuery(q)), q);
});

Deno.test("decodeEventQuery() rejects what is not a query", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  assert.throws(() => decodeEventQuery(bytes("{")), SyntaxError);
  assert.throws(
    () => decodeEventQuery(bytes('{"cameras":[1],"from":0,"to":1,"limit":1}')),
    {
      name: "TypeError",
      message: 'Not an event query: "{"cameras":[1],"from":0,"to":1,"limit":1}"',
    },
  );
  assert.throws(
    () => decodeEventQuery(bytes('{"cameras":[],"from":0,"to":1,"limit":0}')),
    TypeError,
  );
});

Deno.test("encodeEventRows() and decodeEventRows() round-trip; junk is a TypeError", () => {
  const rows = [row("a", 5), row("b", 3, null)];
  assert.deepEqual(decodeEventRows(encodeEventRows(rows)), rows);
  assert.throws(() => decodeEventRows(new TextEncoder().encode('[{"id":1}]')), TypeError);
  assert.throws(() => decodeEventRows(new TextEncoder().encode("{}")), TypeError);
});

Deno.test("mergeEventRows() lists each event once, newest first, ended copy winning, at most limit", () => {
  const open = row("b", 20, null);
  const ended = row("b", 20, 30);
  const merged = mergeEventRows([[row("a", 10), open], [ended, row("c", 20), row("a", 10)]], 3);
  assert.deepEqual(merged, [ended, row("c", 20), row("a", 10)]);
  assert.deepEqual(mergeEventRows([[row("a", 10), row("d", 40)], [row("e", 30)]], 2), [
    row("d", 40),
    row("e", 30),
  ]);
  assert.deepEqual(mergeEventRows([], 5), []);
});
