/**
 * The admins' camera groups shared across hubs (issue 14): each hub keeps its groups in
 * `groups.db` (hub/group_store.ts) and, with `--bus`, writes every change to the JetStream KV
 * bucket `trustcam_groups`, one key per group name (encoded as serials are for claims); every
 * hub watches the bucket and applies what others wrote. The last writer wins, by KV revision.
 * NATS away: changes apply locally and are written when a connection is back.
 */
import type { KV, KvEntry } from "@nats-io/kv";
import { claimKey, serialOfClaimKey } from "../lib/session_claims.ts";
import { SettingsBook } from "../lib/shared_settings.ts";
import { decodeGroup, encodeGroup, GROUPS_BUCKET, parseGroupName } from "../lib/camera_groups.ts";
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";
import { KV_TIMEOUT_MS, KvFollower } from "./kv_follower.ts";

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
  #kv: KvFollower;

  constructor(o: ClusterGroupsOptions) {
    this.#o = o;
    this.#kv = new KvFollower({
      link: o.link,
      bucket: GROUPS_BUCKET,
      name: "groups",
      log: o.log,
      ready: (kv) => {
        for (const name of this.#book.pending()) this.#kv.track(this.#write(kv, name));
      },
      entry: (e) => this.#entry(e),
    });
  }

  /** A group was defined or deleted on this hub: shared now, or when NATS is back. */
  changed(name: string): void {
    this.#book.changed(name);
    const kv = this.#kv.kv;
    if (kv) this.#kv.track(this.#write(kv, name));
  }

  close(): Promise<void> {
    return this.#kv.close();
  }

  #entry(e: KvEntry): void {
    const name = serialOfClaimKey(e.key);
    if (name === null || parseGroupName(name) !== name) {
      throw new RangeError(`Bad group key: "${e.key}"`);
    }
    const cameras = e.operation === "PUT" ? decodeGroup(e.value) : null;
    if (this.#book.seen(name, e.revision)) this.#o.apply(name, cameras);
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
