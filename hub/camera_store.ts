/**
 * The registry's persistent part in SQLite (`node:sqlite`, synchronous): one row per camera.
 * The hub flushes every few seconds, so a save is one short transaction in WAL mode.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { DeviceStatus } from "../lib/device_status.ts";
import type { CameraStore, StoredCamera } from "../lib/registry.ts";
import { isRecordMode, type RecordMode } from "../lib/recording_mode.ts";
import { type MotionSettings, parseMotionSettings } from "../lib/motion_settings.ts";

/** A camera database that cannot be opened, migrated or written; names the file. */
export class CameraStoreError extends Error {
  override name = "CameraStoreError";
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

/**
 * Schema migrations, in order: entry i takes `PRAGMA user_version` from i to i + 1. Append
 * only; never edit a released entry.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE cameras (
    serial        TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    last_frame_at INTEGER,
    frames        INTEGER NOT NULL DEFAULT 0,
    bad           INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    status        TEXT
  ) STRICT`,
  // The camera's own recording mode (off, continuous, motion); NULL follows `--record`.
  `ALTER TABLE cameras ADD COLUMN record_mode TEXT`,
  // The camera's motion settings as JSON (lib/motion_settings.ts); NULL is the defaults.
  `ALTER TABLE cameras ADD COLUMN motion TEXT`,
  // 1 when an admin hid the camera from the wall.
  `ALTER TABLE cameras ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Opens (creating it and its directory if needed) the SQLite database at `path`, or
 * ":memory:", and brings it to the version of `migrations`; closed again if that fails.
 */
export function openDatabase(path: string, migrations: readonly string[]): DatabaseSync {
  const inMemory = path === ":memory:" || path === "";
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    if (!inMemory) {
      db.exec("PRAGMA journal_mode = WAL");
      // WAL + NORMAL survives a crash of the hub; a power cut may lose the last flush only.
      db.exec("PRAGMA synchronous = NORMAL");
    }
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Brings `db` to {@link SCHEMA_VERSION}; each step commits with its version or not at all. */
export function migrate(db: DatabaseSync, migrations: readonly string[] = MIGRATIONS): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  const from = row.user_version;
  if (from > migrations.length) {
    throw new RangeError(
      `Database schema is newer than this hub: version ${from} > ${migrations.length}`,
    );
  }
  for (let v = from; v < migrations.length; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migrations[v]);
      // PRAGMA takes no parameters; v is an integer from our own loop.
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  }
  return from;
}

interface CameraRow {
  serial: string;
  name: string;
  first_seen: number;
  last_seen: number;
  last_frame_at: number | null;
  frames: number;
  bad: number;
  skipped: number;
  status: string | null;
  record_mode: string | null;
  motion: string | null;
  hidden: number;
}

export class SqliteCameraStore implements CameraStore {
  readonly path: string;
  #db: DatabaseSync;
  #upsert: StatementSync;
  #delete: StatementSync;
  #closed = false;

  /** Opens (creating it and its directory if needed) the database at `path`, or ":memory:". */
  constructor(path: string) {
    this.path = path;
    let db: DatabaseSync | undefined;
    try {
      db = openDatabase(path, MIGRATIONS);
      this.#upsert = db.prepare(
        `INSERT INTO cameras
           (serial, name, first_seen, last_seen, last_frame_at, frames, bad, skipped, status,
            record_mode, motion, hidden)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (serial) DO UPDATE SET
           name = excluded.name, first_seen = excluded.first_seen,
           last_seen = excluded.last_seen, last_frame_at = excluded.last_frame_at,
           frames = excluded.frames, bad = excluded.bad, skipped = excluded.skipped,
           status = excluded.status, record_mode = excluded.record_mode,
           motion = excluded.motion, hidden = excluded.hidden`,
      );
      this.#delete = db.prepare("DELETE FROM cameras WHERE serial = ?");
    } catch (cause) {
      try {
        db?.close();
      } catch { /* already failing; report the first error */ }
      throw new CameraStoreError(
        path,
        `Cannot open camera database "${path}": ${message(cause)}`,
        { cause },
      );
    }
    this.#db = db;
  }

  load(): StoredCamera[] {
    const rows = this.#db.prepare(
      `SELECT serial, name, first_seen, last_seen, last_frame_at, frames, bad, skipped, status,
              record_mode, motion, hidden
       FROM cameras ORDER BY serial`,
    ).all() as unknown as CameraRow[];
    return rows.map((r) => ({
      serial: r.serial,
      name: r.name,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      lastFrameAt: r.last_frame_at,
      frames: r.frames,
      bad: r.bad,
      skipped: r.skipped,
      status: parseStatus(r.status),
      recordMode: parseRecordMode(r.record_mode),
      motion: parseMotion(r.motion),
      ...(r.hidden === 1 ? { hidden: true } : {}),
    }));
  }

  /** Upserts `cameras` in one transaction: all of them or none. */
  save(cameras: StoredCamera[]): void {
    if (cameras.length === 0) return;
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        for (const c of cameras) {
          this.#upsert.run(
            c.serial,
            c.name,
            Math.round(c.firstSeen),
            Math.round(c.lastSeen),
            c.lastFrameAt === null ? null : Math.round(c.lastFrameAt),
            c.frames,
            c.bad,
            c.skipped,
            c.status === null ? null : JSON.stringify(c.status),
            c.recordMode,
            c.motion ? JSON.stringify(c.motion) : null,
            c.hidden ? 1 : 0,
          );
        }
        this.#db.exec("COMMIT");
      } catch (err) {
        this.#db.exec("ROLLBACK");
        throw err;
      }
    } catch (cause) {
      throw new CameraStoreError(
        this.path,
        `Cannot save cameras to "${this.path}": ${message(cause)}`,
        { cause },
      );
    }
  }

  /** Deletes these cameras' rows in one transaction. */
  delete(serials: string[]): void {
    if (serials.length === 0) return;
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        for (const serial of serials) this.#delete.run(serial);
        this.#db.exec("COMMIT");
      } catch (err) {
        this.#db.exec("ROLLBACK");
        throw err;
      }
    } catch (cause) {
      throw new CameraStoreError(
        this.path,
        `Cannot delete cameras from "${this.path}": ${message(cause)}`,
        { cause },
      );
    }
  }

  /** Closes the database; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}

// A status written by an older or newer hub that no longer parses is dropped, not fatal.
function parseStatus(text: string | null): DeviceStatus | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text);
    return typeof v === "object" && v !== null && typeof v.at === "string" ? v : null;
  } catch {
    return null;
  }
}

// A mode this hub does not know (a newer hub's) follows the default rather than failing.
function parseRecordMode(text: string | null): RecordMode | null {
  return isRecordMode(text) ? text : null;
}

// Settings a newer hub wrote that this one cannot read follow the defaults rather than failing.
function parseMotion(text: string | null): MotionSettings | null {
  if (text === null) return null;
  try {
    return parseMotionSettings(JSON.parse(text));
  } catch {
    return null;
  }
}
