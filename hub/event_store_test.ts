import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { EVENT_MIGRATIONS, SqliteEventStore } from "./event_store.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123A1B2C3D4E5F6B8";
const T0 = Date.parse("2026-11-27T10:00:00.000Z");
const BOX = { x: 0.25, y: 0.5, w: 0.125, h: 0.25 };
const ALL = { from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 };

function facts(serial: string, startedAt: number, score = 0.1) {
  return { serial, startedAt, score, peakAt: startedAt, box: BOX };
}

Deno.test("SqliteEventStore: a start inserts, an end updates, newest first per camera", () => {
  const store = new SqliteEventStore(":memory:");
  try {
    const a1 = store.start(facts(A, T0));
    const b1 = store.start(facts(B, T0 + 1000));
    const a2 = store.start(facts(A, T0 + 2000));
    assert.notEqual(a1, a2);
    const wide = { x: 0, y: 0, w: 1, h: 0.5 };
    store.end(a1, { ...facts(A, T0, 0.4), peakAt: T0 + 500, box: wide, endedAt: T0 + 900 });
    assert.deepEqual(store.list({ ...ALL, cameras: [A, B] }).map((e) => e.id), [a2, b1, a1]);
    assert.deepEqual(store.list({ ...ALL, cameras: [A] }), [
      { id: a2, camera: A, startedAt: T0 + 2000, endedAt: null, score: 0.1, box: BOX },
      { id: a1, camera: A, startedAt: T0, endedAt: T0 + 900, score: 0.4, box: wide },
    ]);
    assert.deepEqual(store.list({ ...ALL, cameras: [] }), [], "a viewer who sees nothing");
    assert.deepEqual(store.list({ ...ALL, cameras: [A], limit: 1 }).map((e) => e.id), [a2]);
    const overlap = store.list({ cameras: [A, B], from: T0 + 950, to: T0 + 1500, limit: 10 });
    assert.deepEqual(overlap.map((e) => e.id), [b1], "events overlapping [from, to]");
    const open = store.list({ cameras: [A], from: T0 + 5000, to: T0 + 6000, limit: 10 });
    assert.deepEqual(open.map((e) => e.id), [a2], "an open event overlaps all after its start");
    const before = store.list({ cameras: [A], from: 0, to: T0 + 1500, limit: 10 });
    assert.deepEqual(before.map((e) => e.id), [a1], "events started after to are out");
  } finally {
    store.close();
  }
});

Deno.test("SqliteEventStore.thumbnail() is undefined until one is stored, then names the camera", () => {
  const store = new SqliteEventStore(":memory:");
  try {
    const id = store.start(facts(A, T0));
    assert.equal(store.thumbnail(id), undefined);
    assert.equal(store.thumbnail("nope"), undefined);
    const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    store.setThumbnail(id, jpeg);
    const got = store.thumbnail(id)!;
    assert.equal(got.camera, A);
    assert.deepEqual([...got.jpeg], [...jpeg]);
  } finally {
    store.close();
  }
});

Deno.test("SqliteEventStore.deleteEndedBefore() deletes old ended events only", () => {
  const store = new SqliteEventStore(":memory:");
  try {
    const old = store.start(facts(A, T0));
    store.end(old, { ...facts(A, T0), endedAt: T0 + 1000 });
    const recent = store.start(facts(A, T0 + 5000));
    store.end(recent, { ...facts(A, T0 + 5000), endedAt: T0 + 6000 });
    const open = store.start(facts(B, T0));
    assert.equal(store.deleteEndedBefore(T0 + 2000), 1);
    assert.deepEqual(store.list({ ...ALL, cameras: [A, B] }).map((e) => e.id), [recent, open]);
    assert.equal(store.deleteEndedBefore(T0 + 2000), 0);
  } finally {
    store.close();
  }
});

Deno.test("SqliteEventStore ends at their peak the events a crash left open", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_events_" });
  try {
    const path = `${dir}/events.db`;
    const s1 = new SqliteEventStore(path);
    const id = s1.start({ ...facts(A, T0), peakAt: T0 + 300 });
    s1.close();
    const s2 = new SqliteEventStore(path);
    try {
      assert.equal(s2.list({ ...ALL, cameras: [A] })[0].endedAt, T0 + 300);
      assert.equal(s2.list({ ...ALL, cameras: [A] })[0].id, id);
    } finally {
      s2.close();
    }
    const db = new DatabaseSync(path);
    try {
      assert.deepEqual({ ...db.prepare("PRAGMA user_version").get() }, {
        user_version: EVENT_MIGRATIONS.length,
      });
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
