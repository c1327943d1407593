/**
 * Each viewer's wall preferences in SQLite (`node:sqlite`, synchronous), in `<data>/prefs.db`:
 * one row per certificate CN holding the JSON that parseWallPrefs returned. A database of its
 * own, like the events', so its migrations never touch the camera registry's.
 *
 * Saves come from pages (debounced), so a viewer is held to a per-CN rate: a page or script
 * looping on PUT spends its tokens and is answered 429, not a disk write each time.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { CameraStoreError, openDatabase } from "./camera_store.ts";
import { KeyedBuckets } from "../lib/keyed_buckets.ts";
import { TrustcamError } from "../lib/errors.ts";
import { DEFAULT_WALL_PREFS, parseWallPrefs, type WallPrefs } from "../lib/wall_prefs.ts";
import type { WallPrefsStore } from "../lib/wall_prefs.ts";

/** Entry i takes `PRAGMA user_version` from i to i + 1. Append only. */
export const PREFS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE wall_prefs (
    cn         TEXT PRIMARY KEY,
    prefs      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`,
];

/** Saves a viewer may make per minute after the burst: a page saves at most twice a second. */
export const PREFS_SAVES_PER_MINUTE = 120;
/** Saves a viewer may make at once (several tabs saving together). */
export const PREFS_SAVE_BURST = 30;

export interface SqliteWallPrefsOptions {
  /** The database file, or ":memory:". */
  path: string;
  isSerial: (s: string) => boolean;
  /** Clock in milliseconds; injected by tests. */
  now?: () => number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class SqliteWallPrefs implements WallPrefsStore {
  readonly path: string;
  #db: DatabaseSync;
  #get: StatementSync;
  #put: StatementSync;
  #isSerial: (s: string) => boolean;
  #now: () => number;
  #saves: KeyedBuckets;
  #closed = false;

  constructor(o: SqliteWallPrefsOptions) {
    this.path = o.path;
    this.#isSerial = o.isSerial;
    this.#now = o.now ?? Date.now;
    this.#saves = new KeyedBuckets({
      ratePerSec: PREFS_SAVES_PER_MINUTE / 60,
      burst: PREFS_SAVE_BURST,
      now: this.#now,
    });
    let db: DatabaseSync | undefined;
    try {
      db = openDatabase(o.path, PREFS_MIGRATIONS);
      this.#get = db.prepare("SELECT prefs FROM wall_prefs WHERE cn = ?");
      this.#put = db.prepare(
        `INSERT INTO wall_prefs (cn, prefs, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (cn) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`,
      );
    } catch (cause) {
      try {
        db?.close();
      } catch { /* already failing; report the first error */ }
      throw new CameraStoreError(
        o.path,
        `Cannot open preferences database "${o.path}": ${message(cause)}`,
        { cause },
      );
    }
    this.#db = db;
  }

  /**
   * The stored preferences, checked again: a row written by an older hub (or edited by hand)
   * that no longer parses reads as the defaults rather than breaking the viewer's wall.
   */
  get(cn: string): WallPrefs {
    const row = this.#get.get(cn) as { prefs: string } | undefined;
    if (!row) return { ...DEFAULT_WALL_PREFS, order: [], favourites: [] };
    try {
      return parseWallPrefs(JSON.parse(row.prefs), this.#isSerial);
    } catch {
      return { ...DEFAULT_WALL_PREFS, order: [], favourites: [] };
    }
  }

  /** Stores `prefs` (already parsed); 429 TC_ERR_RATE when this CN saves too fast. */
  set(cn: string, prefs: WallPrefs): void {
    if (!this.#saves.take(cn)) {
      throw new TrustcamError(
        "TC_ERR_RATE",
        `Too many saves: at most ${PREFS_SAVES_PER_MINUTE} a minute after ${PREFS_SAVE_BURST} at once`,
      );
    }
    this.store(cn, prefs);
  }

  /** Stores `prefs` without spending a token: what another hub saved (hub/cluster_prefs.ts). */
  store(cn: string, prefs: WallPrefs): void {
    this.#put.run(cn, JSON.stringify(prefs), this.#now());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
