/**
 * Wall preferences shared across hubs (`--bus`): a viewer's layout follows its certificate to
 * whichever hub serves its page. Each save goes to this hub's SQLite store first (so the page
 * works with NATS away), then to the JetStream KV bucket `trustcam_prefs` under the CN's key;
 * the bucket is watched and what another hub wrote is stored here. The last write wins, but a
 * save made here and not yet written to KV is never overwritten by an older value read back.
 */
import type { NatsConnection, Status } from "@nats-io/transport-node";
import { type KV, Kvm, KvWatchInclude } from "@nats-io/kv";
import { parseWallPrefs, type WallPrefs, type WallPrefsStore } from "../lib/wall_prefs.ts";
import type { SqliteWallPrefs } from "./wall_prefs_store.ts";
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";

export const PREFS_BUCKET = "trustcam_prefs";
/** How long one KV write may take before it counts as failed. */
const KV_TIMEOUT_MS = 2000;

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
  #kv: KV | null = null;
  /** CNs saved here and not yet in KV: written when the link is (back) up. */
  #unwritten = new Set<string>();
  #generation = 0;
  #closing = false;
  #offLink: () => void;
  #stopWatch = () => {};
  #stopStatus = () => {};
  #pending = new Set<Promise<unknown>>();

  constructor(o: ClusterPrefsOptions) {
    this.#o = o;
    this.#offLink = o.link.onConnection((nc) => this.#track(this.#follow(nc)));
  }

  get(cn: string): WallPrefs {
    return this.#o.local.get(cn);
  }

  set(cn: string, prefs: WallPrefs): void {
    this.#o.local.set(cn, prefs);
    this.#unwritten.add(cn);
    const kv = this.#kv;
    if (kv && this.#o.link.connected) this.#track(this.#write(kv, cn));
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#generation++;
    this.#offLink();
    this.#stopWatch();
    this.#stopStatus();
    this.#kv = null;
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    p.finally(() => this.#pending.delete(p));
  }

  async #follow(nc: NatsConnection): Promise<void> {
    const generation = ++this.#generation;
    const live = () => generation === this.#generation && !this.#closing && !nc.isClosed();
    this.#stopStatus();
    const statuses = nc.status() as AsyncIterable<Status> & { stop(): void };
    this.#stopStatus = () => statuses.stop();
    const start = async () => {
      try {
        const kv = await new Kvm(nc).create(PREFS_BUCKET, { history: 1, timeout: KV_TIMEOUT_MS });
        if (!live()) return;
        this.#kv = kv;
        for (const cn of this.#unwritten) this.#track(this.#write(kv, cn));
        this.#track(this.#watch(kv, live));
      } catch (err) {
        this.#o.log("cluster-error", { where: "prefs", error: err });
      }
    };
    this.#track(start());
    const stop = () => statuses.stop();
    nc.closed().then(stop, stop);
    for await (const s of statuses) {
      if (!live()) break;
      if (s.type === "reconnect") this.#track(start());
    }
  }

  async #watch(kv: KV, live: () => boolean): Promise<void> {
    let watch;
    try {
      watch = await kv.watch({ include: KvWatchInclude.LastValue });
    } catch (err) {
      this.#o.log("cluster-error", { where: "prefs-watch", error: err });
      return;
    }
    if (!live()) return watch.stop();
    this.#stopWatch();
    this.#stopWatch = () => watch.stop();
    try {
      for await (const e of watch) {
        if (!live()) break;
        if (e.operation !== "PUT") continue;
        try {
          const entry = e.json<Entry>();
          // Our own writes come back; a save not yet written here is newer than any read.
          if (entry.hub === this.#o.hubId || this.#unwritten.has(entry.cn)) continue;
          if (prefsKey(entry.cn) !== e.key) throw new RangeError("CN does not match its key");
          this.#o.local.store(entry.cn, parseWallPrefs(entry.prefs, this.#o.isSerial));
        } catch (err) {
          this.#o.log("cluster-error", { where: "prefs-entry", key: e.key, error: err });
        }
      }
    } finally {
      watch.stop();
    }
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
