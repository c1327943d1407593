import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { PREFS_SAVE_BURST, SqliteWallPrefs } from "./wall_prefs_store.ts";
import { DEFAULT_WALL_PREFS, parseWallPrefs } from "../lib/wall_prefs.ts";
import { serialMatcher } from "../lib/serial.ts";
import { TrustcamError } from "../lib/errors.ts";

const isSerial = serialMatcher();
const A = "0123A1B2C3D4E5F6A7";

Deno.test("SqliteWallPrefs.get() gives the defaults to a CN that never saved", () => {
  const store = new SqliteWallPrefs({ path: ":memory:", isSerial });
  try {
    assert.deepEqual(store.get("alice"), DEFAULT_WALL_PREFS);
  } finally {
    store.close();
  }
});

Deno.test("SqliteWallPrefs keeps one row per CN across a reopen", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_prefs_" });
  try {
    const path = `${dir}/prefs.db`;
    const prefs = parseWallPrefs({ columns: 3, sort: "custom", order: [A] }, isSerial);
    const first = new SqliteWallPrefs({ path, isSerial });
    first.set("alice", prefs);
    first.set("alice", { ...prefs, columns: 2 });
    first.close();
    const second = new SqliteWallPrefs({ path, isSerial });
    try {
      assert.deepEqual(second.get("alice"), { ...prefs, columns: 2 });
      assert.deepEqual(second.get("bob"), DEFAULT_WALL_PREFS);
    } finally {
      second.close();
    }
    const db = new DatabaseSync(path);
    try {
      const rows = db.prepare("SELECT cn FROM wall_prefs").all();
      assert.deepEqual(rows.map((r) => r.cn), ["alice"]);
      // A row that no longer parses reads as the defaults.
      db.prepare("UPDATE wall_prefs SET prefs = ?").run('{"columns": 9}');
    } finally {
      db.close();
    }
    const third = new SqliteWallPrefs({ path, isSerial });
    try {
      assert.deepEqual(third.get("alice"), DEFAULT_WALL_PREFS);
    } finally {
      third.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteWallPrefs.set() refuses a CN that saves too fast, not the others", () => {
  let now = 0;
  const store = new SqliteWallPrefs({ path: ":memory:", isSerial, now: () => now });
  try {
    const prefs = { ...DEFAULT_WALL_PREFS, order: [], favourites: [] };
    for (let i = 0; i < PREFS_SAVE_BURST; i++) store.set("alice", prefs);
    assert.throws(
      () => store.set("alice", prefs),
      (err) =>
        err instanceof TrustcamError && err.code === "TC_ERR_RATE" &&
        err.message === "Too many saves: at most 120 a minute after 30 at once",
    );
    store.set("bob", prefs);
    now += 1000;
    store.set("alice", prefs);
  } finally {
    store.close();
  }
});
