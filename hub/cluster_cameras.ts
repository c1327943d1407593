/**
 * Camera names and settings shared across hubs (issue 13): the KV side of
 * lib/shared_settings.ts. A change made on this hub is written to the JetStream KV bucket
 * `trustcam_cameras` under the camera's key; the bucket is watched, and what another hub wrote
 * is applied to this hub's registry and announced to its viewers. NATS away: changes apply
 * locally and are written when a connection is back (the first, a reconnect, or a new one).
 */
import type { KV, KvEntry } from "@nats-io/kv";
import { claimKey, serialOfClaimKey } from "../lib/session_claims.ts";
import {
  CAMERAS_BUCKET,
  decodeSettings,
  encodeSettings,
  SettingsBook,
  type SharedSettings,
} from "../lib/shared_settings.ts";
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";
import { KV_TIMEOUT_MS, KvFollower } from "./kv_follower.ts";

export interface ClusterCamerasOptions {
  link: NatsLink;
  hubId: string;
  log: Log;
  /** The camera's settings here now; undefined for an unknown serial. */
  settingsOf(serial: string): SharedSettings | undefined;
  /** Settings another hub wrote, to apply here and announce. */
  apply(serial: string, settings: SharedSettings): void;
  /** Another hub removed the camera: forget it here (unless online here) and announce it. */
  removed(serial: string): void;
}

export class ClusterCameras {
  #o: ClusterCamerasOptions;
  #book = new SettingsBook();
  #kv: KvFollower;
  /** Cameras removed here whose deletion is still to be written. */
  #removals = new Set<string>();

  constructor(o: ClusterCamerasOptions) {
    this.#o = o;
    this.#kv = new KvFollower({
      link: o.link,
      bucket: CAMERAS_BUCKET,
      name: "cameras",
      log: o.log,
      ready: (kv) => {
        for (const serial of this.#book.pending()) this.#kv.track(this.#write(kv, serial));
        for (const serial of this.#removals) this.#kv.track(this.#delete(kv, serial));
      },
      entry: (e) => this.#entry(e),
    });
  }

  /** A camera's name or settings changed on this hub: shared now, or when NATS is back. */
  changed(serial: string): void {
    this.#book.changed(serial);
    const kv = this.#kv.kv;
    if (kv) this.#kv.track(this.#write(kv, serial));
  }

  /** A camera was removed on this hub: its entry is deleted now, or when NATS is back. */
  removed(serial: string): void {
    this.#removals.add(serial);
    const kv = this.#kv.kv;
    if (kv) this.#kv.track(this.#delete(kv, serial));
  }

  close(): Promise<void> {
    return this.#kv.close();
  }

  #entry(e: KvEntry): void {
    const serial = serialOfClaimKey(e.key);
    if (serial === null) throw new RangeError(`Bad camera key: "${e.key}"`);
    if (e.operation !== "PUT") {
      if (this.#book.seen(serial, e.revision)) this.#o.removed(serial);
      return;
    }
    const settings = decodeSettings(e.value);
    if (this.#book.seen(serial, e.revision)) this.#o.apply(serial, settings);
  }

  async #delete(kv: KV, serial: string): Promise<void> {
    this.#removals.delete(serial);
    try {
      await kv.delete(claimKey(serial));
    } catch (err) {
      // Deleted again when the link is back.
      this.#removals.add(serial);
      this.#o.log("cluster-error", { where: "cameras-delete", serial, error: err });
    }
  }

  async #write(kv: KV, serial: string): Promise<void> {
    const settings = this.#o.settingsOf(serial);
    if (!settings) return;
    this.#book.writing(serial);
    try {
      const revision = await kv.put(claimKey(serial), encodeSettings(settings, this.#o.hubId), {
        timeout: KV_TIMEOUT_MS,
      });
      this.#book.written(serial, revision);
    } catch (err) {
      // Written again when the link is back.
      this.#book.changed(serial);
      this.#o.log("cluster-error", { where: "cameras-write", serial, error: err });
    }
  }
}
