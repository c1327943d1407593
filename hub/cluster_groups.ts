/**
 * The admins' camera groups shared across hubs (issue 14): each hub keeps its groups in
 * `groups.db` (hub/group_store.ts) and, with `--bus`, writes every change to the JetStream KV
 * bucket `trustcam_groups`, one key per group name (encoded as serials are for claims); every
 * hub watches the bucket and applies what others wrote. The last writer wins, by KV revision.
 * NATS away: changes apply locally and are written when a connection is back.
 */
import type { NatsConnection, Status } from "@nats-io/transport-node";
import { type KV, Kvm, KvWatchInclude } from "@nats-io/kv";
import { claimKey, serialOfClaimKey } from "../lib/session_claims.ts";
import { SettingsBook } from "../lib/shared_settings.ts";
import { decodeGroup, encodeGroup, GROUPS_BUCKET, parseGroupName } from "../lib/camera_groups.ts";
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";

const KV_TIMEOUT_MS = 2000;

export interface ClusterGroupsOptions {
  link: NatsLink;
  hubId: string;
  log: Log;
  /** A hub group's cameras here now; undefined when there is no such group. */
  camerasOf(name: string): string[] | undefined;
  /** Another hub defined (cameras) or deleted (null) a group: apply it here. */
  apply(name: string, cameras: string[] | null): void;
}

export class ClusterGroups {
  #o: ClusterGroupsOptions;
  // Per group name: the revision last written or applied, and whether a local change waits.
  #book = new SettingsBook();
  #kv: KV | null = null;
  #generation = 0;
  #closing = false;
  #offLink: () => void;
  #stopWatch = () => {};
  #stopStatus = () => {};
  #pending = new Set<Promise<unknown>>();

  constructor(o: ClusterGroupsOptions) {
    this.#o = o;
    this.#offLink = o.link.onConnection((nc) => this.#track(this.#follow(nc)));
  }

  /** A group was defined or deleted on this hub: shared now, or when NATS is back. */
  changed(name: string): void {
    this.#book.changed(name);
    const kv = this.#kv;
    if (kv && this.#o.link.connected) this.#track(this.#write(kv, name));
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
    // nats.js's iterator has stop(); the type says only AsyncIterable.
    const statuses = nc.status() as AsyncIterable<Status> & { stop(): void };
    this.#stopStatus = () => statuses.stop();
    const start = async () => {
      try {
        const kv = await new Kvm(nc).create(GROUPS_BUCKET, { history: 1, timeout: KV_TIMEOUT_MS });
        if (!live()) return;
        this.#kv = kv;
        for (const name of this.#book.pending()) this.#track(this.#write(kv, name));
        this.#track(this.#watch(kv, live));
      } catch (err) {
        this.#o.log("cluster-error", { where: "groups", error: err });
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
      this.#o.log("cluster-error", { where: "groups-watch", error: err });
      return;
    }
    if (!live()) return watch.stop();
    this.#stopWatch();
    this.#stopWatch = () => watch.stop();
    try {
      for await (const e of watch) {
        if (!live()) break;
        const name = serialOfClaimKey(e.key);
        try {
          if (name === null || parseGroupName(name) !== name) {
            throw new RangeError(`Bad group key: "${e.key}"`);
          }
          const cameras = e.operation === "PUT" ? decodeGroup(e.value) : null;
          if (this.#book.seen(name, e.revision)) this.#o.apply(name, cameras);
        } catch (err) {
          this.#o.log("cluster-error", { where: "groups-entry", key: e.key, error: err });
        }
      }
    } finally {
      watch.stop();
    }
  }

  async #write(kv: KV, name: string): Promise<void> {
    this.#book.writing(name);
    const cameras = this.#o.camerasOf(name);
    try {
      if (cameras) {
        const revision = await kv.put(claimKey(name), encodeGroup(cameras, this.#o.hubId), {
          timeout: KV_TIMEOUT_MS,
        });
        this.#book.written(name, revision);
      } else await kv.delete(claimKey(name));
    } catch (err) {
      // Written again when the link is back.
      this.#book.changed(name);
      this.#o.log("cluster-error", { where: "groups-write", group: name, error: err });
    }
  }
}
