/**
 * Which hubs live (issue 13): each hub publishes on `trustcam.hub.alive` every 2 s its id and
 * the cameras it holds, on the cluster's connection (the bus's carries frames and events
 * only), and reads the others' (lib/remote_cameras.ts decides). A hub not heard for 6 s (killed, or cut off) has its
 * cameras read offline on this hub, and they read online again when it is heard again; an
 * `offline` missed while NATS was away, or an `online` sent before this hub started, is caught
 * up by the next presence message.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  decodePresence,
  encodePresence,
  PRESENCE_INTERVAL_MS,
  PRESENCE_SUBJECT,
  type RemoteCameras,
} from "../lib/remote_cameras.ts";
import type { CameraInfo } from "../lib/registry.ts";
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";

export interface HubPresenceOptions {
  /** The cluster's link. */
  link: NatsLink;
  hubId: string;
  remote: RemoteCameras;
  /** The serials of the cameras this hub holds now. */
  held(): string[];
  /** What this hub knows of a camera (its registry), to list one another hub holds. */
  describe?(serial: string): CameraInfo | undefined;
  /** These cameras' reported state changed; each as last known (viewers are to hear of it). */
  changed(cameras: CameraInfo[]): void;
  log: Log;
  /** Wall clock in ms; `Date.now` by default. */
  now?: () => number;
}

export class HubPresence {
  #o: HubPresenceOptions;
  #sub: Subscription | null = null;
  #offLink: () => void;
  #now: () => number;
  #lastSent = -Infinity;

  constructor(o: HubPresenceOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#offLink = o.link.onConnection((nc) => this.#attach(nc));
  }

  /** Call about every second: says this hub lives, and finds the hubs that went quiet. */
  tick(): void {
    const now = this.#now();
    const nc = this.#o.link.connection;
    if (nc && this.#o.link.connected && now - this.#lastSent >= PRESENCE_INTERVAL_MS - 100) {
      this.#lastSent = now;
      try {
        nc.publish(
          PRESENCE_SUBJECT,
          encodePresence({ hub: this.#o.hubId, cameras: this.#o.held() }),
        );
      } catch (err) {
        this.#o.log("bus-error", { where: "presence", error: err });
      }
    }
    const gone = this.#o.remote.expire(now);
    if (gone.length > 0) this.#o.changed(gone);
  }

  close(): void {
    this.#offLink();
    this.#sub?.unsubscribe();
    this.#sub = null;
  }

  #attach(nc: NatsConnection): void {
    this.#sub?.unsubscribe();
    this.#sub = nc.subscribe(PRESENCE_SUBJECT, {
      callback: (err, msg) => {
        if (err) return this.#o.log("bus-error", { where: "presence", error: err });
        try {
          const changed = this.#o.remote.presence(
            decodePresence(msg.data),
            this.#now(),
            this.#o.describe && ((serial) => this.#o.describe!(serial)),
          );
          if (changed.length > 0) this.#o.changed(changed);
        } catch (err) {
          this.#o.log("bus-error", { where: "presence", error: err });
        }
      },
    });
  }
}
