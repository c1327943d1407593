/**
 * The camera groups admins define on this hub (lib/camera_groups.ts), in SQLite next to the
 * camera database, and the hub's {@link CameraGroups}: the policy file's groups, as the policy
 * in force now has them, followed by these. Every change is written at once (a group is a
 * rare admin action) and reported through `onChange` so open walls refetch their groups.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { CameraStoreError, openDatabase } from "./camera_store.ts";
import { type CameraGroup, type EditableCameraGroups, mergeGroups } from "../lib/camera_groups.ts";

/** Schema migrations of the groups database; append only, as for the camera database. */
export const GROUP_MIGRATIONS: readonly string[] = [
  `CREATE TABLE groups (
    name    TEXT PRIMARY KEY,
    cameras TEXT NOT NULL
  ) STRICT`,
];

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export interface HubGroupsOptions {
  /** The database file, or ":memory:". */
  path: string;
  /** The groups of the access policy in force now. */
  policyGroups(): CameraGroup[];
  /** A hub group was defined or deleted, here or (through {@link HubGroups.apply}) elsewhere. */
  onChange?(): void;
  /** A hub group was defined or deleted here: to share with the other hubs. */
  shared?(name: string): void;
}

export class HubGroups implements EditableCameraGroups {
  readonly path: string;
  #db: DatabaseSync;
  #upsert: StatementSync;
  #delete: StatementSync;
  #hub = new Map<string, CameraGroup>();
  #o: HubGroupsOptions;
  #closed = false;

  constructor(o: HubGroupsOptions) {
    this.#o = o;
    this.path = o.path;
    let db: DatabaseSync | undefined;
    try {
      db = openDatabase(o.path, GROUP_MIGRATIONS);
      this.#upsert = db.prepare(
        `INSERT INTO groups (name, cameras) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET cameras = excluded.cameras`,
      );
      this.#delete = db.prepare("DELETE FROM groups WHERE name = ?");
      const rows = db.prepare("SELECT name, cameras FROM groups").all() as unknown as Array<
        { name: string; cameras: string }
      >;
      for (const r of rows) {
        const cameras = parseCameras(r.cameras);
        if (cameras) this.#hub.set(r.name, { name: r.name, cameras, source: "hub" });
      }
    } catch (cause) {
      try {
        db?.close();
      } catch { /* already failing; report the first error */ }
      throw new CameraStoreError(
        o.path,
        `Cannot open group database "${o.path}": ${message(cause)}`,
        { cause },
      );
    }
    this.#db = db;
  }

  list(): CameraGroup[] {
    return mergeGroups(this.#o.policyGroups(), [...this.#hub.values()]);
  }

  /** Whether the policy in force defines `name` (then it is not the hub's to change). */
  isPolicyGroup(name: string): boolean {
    return this.#o.policyGroups().some((g) => g.name === name);
  }

  define(name: string, cameras: string[]): CameraGroup {
    const group: CameraGroup = { name, cameras: [...cameras], source: "hub" };
    this.#write(() => this.#upsert.run(name, JSON.stringify(group.cameras)));
    this.#hub.set(name, group);
    this.#o.onChange?.();
    this.#o.shared?.(name);
    return group;
  }

  remove(name: string): boolean {
    if (!this.#hub.has(name)) return false;
    this.#write(() => this.#delete.run(name));
    this.#hub.delete(name);
    this.#o.onChange?.();
    this.#o.shared?.(name);
    return true;
  }

  /**
   * An admin removed the camera: it leaves every hub group (shared as any change is); a group
   * left with no camera goes too. A camera that comes back is in no group.
   */
  forgetCamera(serial: string): void {
    for (const g of [...this.#hub.values()]) {
      if (!g.cameras.includes(serial)) continue;
      const rest = g.cameras.filter((s) => s !== serial);
      if (rest.length > 0) this.define(g.name, rest);
      else this.remove(g.name);
    }
  }

  /** A hub group's cameras; undefined when there is no such hub group. */
  camerasOf(name: string): string[] | undefined {
    const g = this.#hub.get(name);
    return g && [...g.cameras];
  }

  /**
   * Applies what another hub defined (`cameras`) or deleted (null), without sharing it again;
   * `onChange` only when that changes something here.
   */
  apply(name: string, cameras: string[] | null): void {
    const had = this.#hub.get(name);
    if (cameras === null) {
      if (!had) return;
      this.#write(() => this.#delete.run(name));
      this.#hub.delete(name);
    } else {
      if (had && had.cameras.join() === cameras.join()) return;
      this.#write(() => this.#upsert.run(name, JSON.stringify(cameras)));
      this.#hub.set(name, { name, cameras: [...cameras], source: "hub" });
    }
    this.#o.onChange?.();
  }

  /** Closes the database; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #write(run: () => unknown): void {
    try {
      run();
    } catch (cause) {
      throw new CameraStoreError(
        this.path,
        `Cannot save groups to "${this.path}": ${message(cause)}`,
        { cause },
      );
    }
  }
}

// A row a newer hub wrote that this one cannot read is skipped rather than fatal.
function parseCameras(text: string): string[] | null {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) && v.every((s) => typeof s === "string") ? v : null;
  } catch {
    return null;
  }
}
