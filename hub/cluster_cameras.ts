/**
 * Camera names and settings shared across hubs (issue 13): the KV side of
 * lib/shared_settings.ts. A change made on this hub is written to the JetStream KV bucket
 * `trustcam_cameras` under the camera's key; the bucket is watched, and what another hub wrote
 * is applied to this hub's registry and announced to its viewers. NATS away: changes apply
 * locally and are written when a connection is back (the first, a reconnect, or a new one).
 */
import type { NatsConnection, Status } from "@nats-io/transport-node";
import { type KV, Kvm, KvWatchInclude } from "@nats-io/kv";
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

/** How long one KV write may take before it counts as failed. */
const KV_TIMEOUT_MS = 2000;

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
  #kv: KV | null = null;
  #generation = 0;
  #closing = false;
  #offLink: () => void;
  #stopWatch = () => {};
  #stopStatus = () => {};
  #pending = new Set<Promise<unknown>>();
  /** Cameras removed here whose deletion is still to be written. */
  #removals = new Set<string>();

  constructor(o: ClusterCamerasOptions) {
    this.#o = o;
    this.#offLink = o.link.onConnection((nc) => this.#track(this.#follow(nc)));
  }

  /** A camera's name or settings changed on this hub: shared now, or when NATS is back. */
  changed(serial: string): void {
    this.#book.changed(serial);
    const kv = this.#kv;
    if (kv && this.#o.link.connected) this.#track(this.#write(kv, serial));
  }

  /** A camera was removed on this hub: its entry is deleted now, or when NATS is back. */
  removed(serial: string): void {
    this.#removals.add(serial);
    const kv = this.#kv;
    if (kv && this.#o.link.connected) this.#track(this.#delete(kv, serial));
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
        const kv = await new Kvm(nc).create(CAMERAS_BUCKET, {
          history: 1,
          timeout: KV_TIMEOUT_MS,
        });
        if (!live()) return;
        this.#kv = kv;
        // Ours first: what the watch then reads of those cameras is older and not applied.
        for (const serial of this.#book.pending()) this.#track(this.#write(kv, serial));
        for (const serial of this.#removals) this.#track(this.#delete(kv, serial));
        this.#track(this.#watch(kv, live));
      } catch (err) {
        this.#o.log("cluster-error", { where: "cameras", error: err });
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
      this.#o.log("cluster-error", { where: "cameras-watch", error: err });
      return;
    }
    if (!live()) return watch.stop();
    this.#stopWatch();
    this.#stopWatch = () => watch.stop();
    try {
      for await (const e of watch) {
        if (!live()) break;
        const serial = serialOfClaimKey(e.key);
        try {
          if (serial === null) throw new RangeError(`Bad camera key: "${e.key}"`);
          if (e.operation !== "PUT") {
            if (this.#book.seen(serial, e.revision)) this.#o.removed(serial);
            continue;
          }
          const settings = decodeSettings(e.value);
          if (this.#book.seen(serial, e.revision)) this.#o.apply(serial, settings);
        } catch (err) {
          this.#o.log("cluster-error", { where: "cameras-entry", key: e.key, error: err });
        }
      }
    } finally {
      watch.stop();
    }
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
