import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  CameraStoreError,
  migrate,
  MIGRATIONS,
  SCHEMA_VERSION,
  SqliteCameraStore,
} from "./camera_store.ts";
import { Registry, type StoredCamera } from "../lib/registry.ts";
import { DEFAULT_MOTION_SETTINGS } from "../lib/motion_settings.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123000000000000B0";
const T0 = Date.parse("2026-11-23T10:00:00.000Z");

function camera(serial: string, extra: Partial<StoredCamera> = {}): StoredCamera {
  return {
    serial,
    name: `Camera ${serial.slice(-2)}`,
    firstSeen: T0,
    lastSeen: T0 + 1000,
    lastFrameAt: T0 + 900,
    frames: 4470,
    bad: 1,
    skipped: 3,
    status: {
      fw: "trustcam-fw/1.0.0",
      uptime_s: 300,
      rssi_dbm: -61,
      at: "2026-11-23T10:04:58.000Z",
    },
    recordMode: null,
    motion: null,
    ...extra,
  };
}

async function withTempDir(fn: (dir: string) => void | Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_store_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SqliteCameraStore keeps cameras across close and reopen", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "nested", "data", "trustcam.db");
    const cams = [camera(A), camera(B, { lastFrameAt: null, status: null, name: "Gate ✓" })];
    const s1 = new SqliteCameraStore(path);
    try {
      assert.deepEqual(s1.load(), []);
      s1.save(cams);
    } finally {
      s1.close();
    }
    const s2 = new SqliteCameraStore(path);
    try {
      assert.deepEqual(s2.load(), [cams[1], cams[0]], "sorted by serial");
    } finally {
      s2.close();
    }
  });
});

Deno.test("SqliteCameraStore.save() updates an existing camera in place", async () => {
  await withTempDir((dir) => {
    const store = new SqliteCameraStore(join(dir, "t.db"));
    try {
      store.save([camera(A), camera(B)]);
      const changed = camera(A, { name: "Renamed", frames: 9999, lastSeen: T0 + 5000 });
      store.save([changed]);
      assert.deepEqual(store.load(), [camera(B), changed]);
    } finally {
      store.close();
    }
  });
});

Deno.test("SqliteCameraStore uses WAL and records the schema version", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "t.db");
    new SqliteCameraStore(path).close();
    const db = new DatabaseSync(path);
    try {
      assert.deepEqual({ ...db.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
      assert.deepEqual({ ...db.prepare("PRAGMA user_version").get() }, {
        user_version: SCHEMA_VERSION,
      });
    } finally {
      db.close();
    }
  });
});

Deno.test("SqliteCameraStore.save() writes all cameras or none", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "t.db");
    const store = new SqliteCameraStore(path);
    try {
      store.save([camera(A)]);
      // A fractional counter is refused by the STRICT INTEGER column, after A was written.
      assert.throws(
        () => store.save([camera(A, { name: "Lost" }), camera(B, { frames: 1.5 })]),
        (err) => {
          assert.ok(err instanceof CameraStoreError);
          assert.equal(err.path, path);
          assert.match(err.message, /^Cannot save cameras to ".*t\.db": .*REAL/);
          return true;
        },
      );
      assert.deepEqual(store.load(), [camera(A)]);
      store.save([camera(B)]);
      assert.equal(store.load().length, 2, "the store still works after a failed save");
    } finally {
      store.close();
    }
  });
});

Deno.test("SqliteCameraStore names the path when the file cannot be opened", async () => {
  await withTempDir(async (dir) => {
    // A directory where the database file should be.
    const asDir = join(dir, "is_a_dir.db");
    await Deno.mkdir(asDir);
    assert.throws(() => new SqliteCameraStore(asDir), (err) => {
      assert.ok(err instanceof CameraStoreError);
      assert.equal(err.path, asDir);
      assert.ok(err.message.startsWith(`Cannot open camera database "${asDir}": `), err.message);
      return true;
    });
    // A regular file where its directory should be.
    const file = join(dir, "file");
    await Deno.writeTextFile(file, "x");
    const under = join(file, "trustcam.db");
    assert.throws(
      () => new SqliteCameraStore(under),
      (err) => err instanceof CameraStoreError && err.message.includes(`"${under}"`),
    );
  });
});

Deno.test("SqliteCameraStore refuses a database from a newer hub", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "t.db");
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(
      () => new SqliteCameraStore(path),
      (err) =>
        err instanceof CameraStoreError &&
        err.message.endsWith(
          `Database schema is newer than this hub: version ${
            SCHEMA_VERSION + 1
          } > ${SCHEMA_VERSION}`,
        ),
    );
  });
});

Deno.test("SqliteCameraStore.load() drops a stored status that does not parse", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "t.db");
    const s1 = new SqliteCameraStore(path);
    s1.save([camera(A), camera(B)]);
    s1.close();
    const db = new DatabaseSync(path);
    db.prepare("UPDATE cameras SET status = ? WHERE serial = ?").run("{not json", A);
    db.prepare("UPDATE cameras SET status = ? WHERE serial = ?").run('"a string"', B);
    db.close();
    const s2 = new SqliteCameraStore(path);
    try {
      assert.deepEqual(s2.load().map((c) => c.status), [null, null]);
      assert.equal(s2.load()[0].frames, 4470, "the rest of the row survives");
    } finally {
      s2.close();
    }
  });
});

Deno.test("SqliteCameraStore.close() can be called twice", () => {
  const store = new SqliteCameraStore(":memory:");
  store.close();
  store.close();
});

Deno.test("migrate() applies pending steps in order and records each version", () => {
  const db = new DatabaseSync(":memory:");
  try {
    assert.equal(migrate(db, ["CREATE TABLE a (x INTEGER)"]), 0);
    assert.equal(migrate(db, ["CREATE TABLE a (x INTEGER)", "ALTER TABLE a ADD COLUMN y TEXT"]), 1);
    db.prepare("INSERT INTO a (x, y) VALUES (1, 'ok')").run();
    assert.deepEqual({ ...db.prepare("PRAGMA user_version").get() }, { user_version: 2 });
  } finally {
    db.close();
  }
});

Deno.test("migrate() rolls back a failing step and keeps the old version", () => {
  const db = new DatabaseSync(":memory:");
  try {
    migrate(db, ["CREATE TABLE a (x INTEGER)"]);
    assert.throws(() =>
      migrate(db, ["CREATE TABLE a (x INTEGER)", "CREATE TABLE b (y); SELECT nope()"])
    );
    assert.deepEqual({ ...db.prepare("PRAGMA user_version").get() }, { user_version: 1 });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").all();
    assert.equal(tables.length, 0);
  } finally {
    db.close();
  }
});

Deno.test("Registry state survives a restart through SqliteCameraStore", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "trustcam.db");
    let t = T0;
    const now = () => t;
    const s1 = new SqliteCameraStore(path);
    let before;
    try {
      const r1 = new Registry({ store: s1, now });
      r1.connected(A);
      r1.rename(A, "Front door");
      t += 100;
      r1.frame(A, 5000);
      r1.bad(A);
      r1.skipped(A, 2);
      r1.status(A, { fw: "fw/1", heap_free: 100, at: new Date(t).toISOString() });
      r1.disconnected(A);
      r1.flush();
      before = r1.get(A);
    } finally {
      s1.close();
    }
    const s2 = new SqliteCameraStore(path);
    try {
      const r2 = new Registry({ store: s2, now });
      assert.deepEqual(r2.get(A), before);
      assert.equal(r2.get(A)?.name, "Front door");
    } finally {
      s2.close();
    }
  });
});

Deno.test("SqliteCameraStore keeps each camera's recording mode across close and reopen", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "t.db");
    const cams = [camera(A, { recordMode: "continuous" }), camera(B, { recordMode: "motion" })];
    const s1 = new SqliteCameraStore(path);
    s1.save(cams);
    s1.save([camera(B, { recordMode: null })]);
    s1.close();
    const s2 = new SqliteCameraStore(path);
    try {
      assert.deepEqual(s2.load().map((c) => [c.serial, c.recordMode]), [[B, null], [
        A,
        "continuous",
      ]]);
    } finally {
      s2.close();
    }
  });
});

Deno.test("SqliteCameraStore opens a database from before recording modes and keeps its rows", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "old.db");
    const db = new DatabaseSync(path);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.prepare(
      `INSERT INTO cameras (serial, name, first_seen, last_seen, last_frame_at, frames, bad,
         skipped, status) VALUES (?, 'Old', ?, ?, NULL, 12, 0, 0, NULL)`,
    ).run(A, T0, T0 + 1000);
    db.close();
    const store = new SqliteCameraStore(path);
    try {
      assert.deepEqual(store.load(), [{
        serial: A,
        name: "Old",
        firstSeen: T0,
        lastSeen: T0 + 1000,
        lastFrameAt: null,
        frames: 12,
        bad: 0,
        skipped: 0,
        status: null,
        recordMode: null,
        motion: null,
      }]);
      store.save([camera(A, { recordMode: "off" })]);
      assert.equal(store.load()[0].recordMode, "off");
    } finally {
      store.close();
    }
    const check = new DatabaseSync(path);
    try {
      assert.deepEqual({ ...check.prepare("PRAGMA user_version").get() }, {
        user_version: SCHEMA_VERSION,
      });
    } finally {
      check.close();
    }
  });
});

Deno.test("SqliteCameraStore.load() follows the default for a recording mode it does not know", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "t.db");
    const s1 = new SqliteCameraStore(path);
    s1.save([camera(A, { recordMode: "continuous" })]);
    s1.close();
    const db = new DatabaseSync(path);
    db.prepare("UPDATE cameras SET record_mode = 'on-alarm' WHERE serial = ?").run(A);
    db.close();
    const s2 = new SqliteCameraStore(path);
    try {
      assert.equal(s2.load()[0].recordMode, null);
    } finally {
      s2.close();
    }
  });
});

Deno.test("Registry recording modes survive a restart through SqliteCameraStore", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "trustcam.db");
    const s1 = new SqliteCameraStore(path);
    try {
      const r1 = new Registry({ store: s1, now: () => T0 });
      r1.connected(A);
      r1.connected(B);
      r1.setRecordMode(A, "continuous");
      r1.setRecordMode(B, "motion");
      r1.flush();
    } finally {
      s1.close();
    }
    const s2 = new SqliteCameraStore(path);
    try {
      const r2 = new Registry({ store: s2, now: () => T0 });
      assert.equal(r2.recordModeOf(A), "continuous");
      assert.equal(r2.recordModeOf(B), "motion");
      assert.equal(r2.get(A)!.recording.source, "camera");
    } finally {
      s2.close();
    }
  });
});

Deno.test("SqliteCameraStore opens a database from before motion settings and keeps its modes", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "old.db");
    const db = new DatabaseSync(path);
    migrate(db, MIGRATIONS.slice(0, 2));
    db.prepare(
      `INSERT INTO cameras (serial, name, first_seen, last_seen, last_frame_at, frames, bad,
         skipped, status, record_mode) VALUES (?, 'Old', ?, ?, NULL, 12, 0, 0, NULL, 'motion')`,
    ).run(A, T0, T0 + 1000);
    db.close();
    const store = new SqliteCameraStore(path);
    try {
      const [old] = store.load();
      assert.equal(old.recordMode, "motion");
      assert.equal(old.motion, null, "no settings of its own: the defaults");
      const motion = {
        ...DEFAULT_MOTION_SETTINGS,
        fps: 2,
        mask: [{ x: 0, y: 0, w: 0.5, h: 0.25 }],
      };
      store.save([camera(A, { motion })]);
      assert.deepEqual(store.load()[0].motion, motion);
    } finally {
      store.close();
    }
  });
});

Deno.test("SqliteCameraStore.load() follows the defaults for motion settings it cannot read", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "t.db");
    const s1 = new SqliteCameraStore(path);
    s1.save([camera(A, { motion: { ...DEFAULT_MOTION_SETTINGS, fps: 2 } })]);
    s1.close();
    const db = new DatabaseSync(path);
    db.prepare(`UPDATE cameras SET motion = '{"fps":2,"zones":[]}' WHERE serial = ?`).run(A);
    db.close();
    const s2 = new SqliteCameraStore(path);
    try {
      assert.equal(s2.load()[0].motion, null);
    } finally {
      s2.close();
    }
  });
});
