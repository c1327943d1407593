/**
 * Motion events in SQLite (`node:sqlite`, synchronous), in `<data>/events.db`: a database of
 * their own beside the camera registry's, so each has its own migrations and a vacuum or a
 * large thumbnail table never slows the registry's flushes. The thumbnail (a 320 px JPEG of
 * the peak frame, about 10-20 KB) is a BLOB in the event's row: written, read and deleted
 * with it in one statement, with no file to leave behind or to find missing.
 *
 * A start inserts the row, an end updates it; a thumbnail comes a little later (it is
 * encoded off the relay's path) and may be replaced by a better one at the end.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { CameraStoreError, openDatabase } from "./camera_store.ts";
import type { EventLog, EventQuery, MotionEventRow } from "../lib/motion_event_log.ts";
import type { MotionRect } from "../lib/motion_settings.ts";

/** Entry i takes `PRAGMA user_version` from i to i + 1. Append only. */
export const EVENT_MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
    id         TEXT PRIMARY KEY,
    serial     TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    peak_at    INTEGER NOT NULL,
    score      REAL NOT NULL,
    box        TEXT NOT NULL,
    thumbnail  BLOB
  ) STRICT;
  CREATE INDEX events_by_start ON events (started_at);
  CREATE INDEX events_by_camera ON events (serial, started_at)`,
];

/** What is known of an event at its start or its end. */
export interface EventFacts {
  serial: string;
  startedAt: number;
  score: number;
  peakAt: number;
  box: MotionRect;
}

interface EventRow {
  id: string;
  serial: string;
  started_at: number;
  ended_at: number | null;
  score: number;
  box: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class SqliteEventStore implements EventLog {
  readonly path: string;
  #db: DatabaseSync;
  #insert: StatementSync;
  #end: StatementSync;
  #thumb: StatementSync;
  #closed = false;

  /**
   * Opens (creating it if needed) the database at `path`, or ":memory:". Events a crash left
   * open are ended at their peak, the last motion known of them.
   */
  constructor(path: string) {
    this.path = path;
    let db: DatabaseSync | undefined;
    try {
      db = openDatabase(path, EVENT_MIGRATIONS);
      db.exec("UPDATE events SET ended_at = peak_at WHERE ended_at IS NULL");
      this.#insert = db.prepare(
        `INSERT INTO events (id, serial, started_at, peak_at, score, box)
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
      this.#end = db.prepare(
        "UPDATE events SET ended_at = ?, peak_at = ?, score = ?, box = ? WHERE id = ?",
      );
      this.#thumb = db.prepare("UPDATE events SET thumbnail = ? WHERE id = ?");
    } catch (cause) {
      try {
        db?.close();
      } catch { /* already failing; report the first error */ }
      throw new CameraStoreError(path, `Cannot open events database "${path}": ${message(cause)}`, {
        cause,
      });
    }
    this.#db = db;
  }

  /** Stores a started event; returns its id (random: ids say nothing of other events). */
  start(e: EventFacts): string {
    const id = crypto.randomUUID();
    this.#insert.run(id, e.serial, e.startedAt, e.peakAt, e.score, JSON.stringify(e.box));
    return id;
  }

  /** Ends an event with its final score and box. */
  end(id: string, e: EventFacts & { endedAt: number }): void {
    this.#end.run(e.endedAt, e.peakAt, e.score, JSON.stringify(e.box), id);
  }

  setThumbnail(id: string, jpeg: Uint8Array): void {
    this.#thumb.run(jpeg, id);
  }

  list(q: EventQuery): MotionEventRow[] {
    if (q.cameras.length === 0) return [];
    const rows = this.#db.prepare(
      `SELECT id, serial, started_at, ended_at, score, box FROM events
       WHERE serial IN (SELECT value FROM json_each(?))
         AND started_at <= ? AND (ended_at IS NULL OR ended_at >= ?)
       ORDER BY started_at DESC, id LIMIT ?`,
    ).all(JSON.stringify(q.cameras), q.to, q.from, q.limit) as unknown as EventRow[];
    return rows.map((r) => ({
      id: r.id,
      camera: r.serial,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      score: r.score,
      box: JSON.parse(r.box),
    }));
  }

  thumbnail(id: string): { camera: string; jpeg: Uint8Array } | undefined {
    const row = this.#db.prepare(
      "SELECT serial, thumbnail FROM events WHERE id = ? AND thumbnail IS NOT NULL",
    ).get(id) as { serial: string; thumbnail: Uint8Array } | undefined;
    return row && { camera: row.serial, jpeg: row.thumbnail };
  }

  /** Deletes the events that ended before `cutoff` (epoch ms); returns how many. */
  deleteEndedBefore(cutoff: number): number {
    const r = this.#db.prepare("DELETE FROM events WHERE ended_at < ?").run(cutoff);
    return Number(r.changes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
