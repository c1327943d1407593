/**
 * Wall preferences shared across hubs (`--bus`): a viewer's layout follows its certificate to
 * whichever hub serves its page. Each save goes to this hub's SQLite store first (so the page
 * works with NATS away), then to the JetStream KV bucket `trustcam_prefs` under the CN's key;
 * the bucket is watched and what another hub wrote is stored here. The last write wins, but a
 * save made here and not yet written to KV is never overwritten by an older value read back.
 */
import type { KV, KvEntry } from "@nats-io/kv";
import { parseWallPrefs, type WallPrefs, type WallPrefsStore } from "../lib/wall_prefs.ts";
import type { SqliteWallPrefs } from "./wall_prefs_store.ts";
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";
import { KV_TIMEOUT_MS, KvFollower } from "./kv_follower.ts";

export const PREFS_BUCKET = "trustcam_prefs";

/** A CN as a KV key: any text, in hex so that every CN is a valid, distinct key. */
export function prefsKey(cn: string): string {
  const hex = [...new TextEncoder().encode(cn)].map((b) => b.toString(16).padStart(2, "0"));
  return `cn.${hex.join("")}`;
}

export interface ClusterPrefsOptions {
  link: NatsLink;
  hubId: string;
  log: Log;
  local: SqliteWallPrefs;
  isSerial: (s: string) => boolean;
}

interface Entry {
  cn: string;
  hub: string;
  prefs: unknown;
}

export class ClusterPrefs implements WallPrefsStore {
  #o: ClusterPrefsOptions;
  #kv: KvFollower;
  /** CNs saved here and not yet in KV: written when the link is (back) up. */
  #unwritten = new Set<string>();

  constructor(o: ClusterPrefsOptions) {
    this.#o = o;
    this.#kv = new KvFollower({
      link: o.link,
      bucket: PREFS_BUCKET,
      name: "prefs",
      log: o.log,
      ready: (kv) => {
        for (const cn of this.#unwritten) this.#kv.track(this.#write(kv, cn));
      },
      entry: (e) => this.#entry(e),
    });
  }

  get(cn: string): WallPrefs {
    return this.#o.local.get(cn);
  }

  set(cn: string, prefs: WallPrefs): void {
    this.#o.local.set(cn, prefs);
    this.#unwritten.add(cn);
    const kv = this.#kv.kv;
    if (kv) this.#kv.track(this.#write(kv, cn));
  }

  close(): Promise<void> {
    return this.#kv.close();
  }

  #entry(e: KvEntry): void {
    if (e.operation !== "PUT") return;
    const entry = e.json<Entry>();
    // Our own writes come back; a save not yet written here is newer than any read.
    if (entry.hub === this.#o.hubId || this.#unwritten.has(entry.cn)) return;
    if (prefsKey(entry.cn) !== e.key) throw new RangeError("CN does not match its key");
    this.#o.local.store(entry.cn, parseWallPrefs(entry.prefs, this.#o.isSerial));
  }

  async #write(kv: KV, cn: string): Promise<void> {
    const prefs = this.#o.local.get(cn);
    const entry: Entry = { cn, hub: this.#o.hubId, prefs };
    try {
      await kv.put(prefsKey(cn), JSON.stringify(entry), { timeout: KV_TIMEOUT_MS });
      // Unless it changed again meanwhile: that save's own write follows.
      if (JSON.stringify(this.#o.local.get(cn)) === JSON.stringify(prefs)) {
        this.#unwritten.delete(cn);
      }
    } catch (err) {
      this.#o.log("cluster-error", { where: "prefs-write", error: err });
    }
  }
}
