/**
 * What every hub-wide KV mirror needs (camera settings, groups, wall preferences): open the
 * JetStream KV bucket on each NATS connection (the first, a reconnect, or a new one), hand the
 * owner the bucket to write what waited, and watch it (the last value per key, then every
 * change). Nothing outlives {@link KvFollower.close}; a connection replaced stops what the old
 * one started. Errors are logged `cluster-error` with `where` = the name, `<name>-watch` or
 * `<name>-entry`, and never stop the follower.
 */
import type { NatsConnection, Status } from "@nats-io/transport-node";
import { type KV, type KvEntry, Kvm, KvWatchInclude } from "@nats-io/kv";
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";

/** How long opening the bucket or one write may take before it counts as failed. */
export const KV_TIMEOUT_MS = 2000;

export interface KvFollowerOptions {
  link: NatsLink;
  bucket: string;
  /** The logs' `where`: "cameras", "groups", "prefs". */
  name: string;
  log: Log;
  /** The bucket is open (again): write what waited. Runs before the watch starts. */
  ready(kv: KV): void;
  /** One watched entry of bucket `kv`; a throw is logged as `<name>-entry`, the entry skipped. */
  entry(e: KvEntry, kv: KV): void;
}

export class KvFollower {
  #o: KvFollowerOptions;
  #kv: KV | null = null;
  #generation = 0;
  #closing = false;
  #offLink: () => void;
  #stopWatch = () => {};
  #stopStatus = () => {};
  #pending = new Set<Promise<unknown>>();

  constructor(o: KvFollowerOptions) {
    this.#o = o;
    this.#offLink = o.link.onConnection((nc) => this.track(this.#follow(nc)));
  }

  /** The open bucket while NATS is connected, else null: write now, or wait for `ready`. */
  get kv(): KV | null {
    return this.#kv && this.#o.link.connected ? this.#kv : null;
  }

  /** Work `close` waits for (a write under way). */
  track(p: Promise<unknown>): void {
    this.#pending.add(p);
    p.finally(() => this.#pending.delete(p));
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

  async #follow(nc: NatsConnection): Promise<void> {
    const generation = ++this.#generation;
    const live = () => generation === this.#generation && !this.#closing && !nc.isClosed();
    this.#stopStatus();
    // nats.js's iterator has stop(); the type says only AsyncIterable.
    const statuses = nc.status() as AsyncIterable<Status> & { stop(): void };
    this.#stopStatus = () => statuses.stop();
    const start = async () => {
      try {
        const kv = await new Kvm(nc).create(this.#o.bucket, {
          history: 1,
          timeout: KV_TIMEOUT_MS,
        });
        if (!live()) return;
        this.#kv = kv;
        // The owner's own changes first: what the watch then reads of those keys is older.
        this.#o.ready(kv);
        this.track(this.#watch(kv, live));
      } catch (err) {
        this.#o.log("cluster-error", { where: this.#o.name, error: err });
      }
    };
    this.track(start());
    const stop = () => statuses.stop();
    nc.closed().then(stop, stop);
    for await (const s of statuses) {
      if (!live()) break;
      if (s.type === "reconnect") this.track(start());
    }
  }

  async #watch(kv: KV, live: () => boolean): Promise<void> {
    let watch;
    try {
      watch = await kv.watch({ include: KvWatchInclude.LastValue });
    } catch (err) {
      this.#o.log("cluster-error", { where: `${this.#o.name}-watch`, error: err });
      return;
    }
    if (!live()) return watch.stop();
    this.#stopWatch();
    this.#stopWatch = () => watch.stop();
    try {
      for await (const e of watch) {
        if (!live()) break;
        try {
          this.#o.entry(e, kv);
        } catch (err) {
          this.#o.log("cluster-error", { where: `${this.#o.name}-entry`, key: e.key, error: err });
        }
      }
    } finally {
      watch.stop();
    }
  }
}
