/**
 * The bus across hubs (`--bus nats://...`): an {@link InProcessBus} for this hub, joined to the
 * others through NATS subjects `trustcam.frame.<serial>` and `trustcam.event.<serial>`
 * (lib/bus_wire.ts; docs/protocol.md, "NATS bus").
 *
 * Local delivery stays synchronous and in-process, NATS or not: a hub's own cameras reach its
 * own viewers while NATS is away. What NATS adds:
 * - Every event this hub accepts is published too, tagged with the hub's id; a hub drops its
 *   own coming back. A frame is published only while another hub wants its camera
 *   (lib/bus_wants.ts: hubs announce the cameras they subscribe to on `trustcam.want.<serial>`,
 *   at once and every 2 s), so a camera nobody elsewhere watches costs the link to NATS
 *   nothing, and the cluster's NATS traffic follows what is watched, not what is filmed (see
 *   "Publishing" in docs/protocol.md). A viewer on another hub gets the frame after its hub's
 *   announcement arrives, a round trip through NATS. Frames are not published while the link
 *   is down (nats.js would buffer them without bound); events are, a bounded number, as they
 *   carry state.
 * - Remote frames arrive only for the cameras local specific subscriptions (`subscribe(serial)`,
 *   one per viewer and camera) want now: NATS subscription on the first, unsubscription on the
 *   last. `"*"` subscribers (the relay's cache, the recorder) get local frames plus those remote
 *   frames; they never pull every camera across the bus. Events come from `trustcam.event.>`.
 * - With `wantAll` (the recorder process, cli/recorder.ts) it is the other way round: one
 *   subscription to `trustcam.frame.>` and a `trustcam.want.%all` announcement (same period and
 *   TTL as a camera's), which every hub honours for each of its cameras.
 * - A received frame's bytes go to every local handler as they are (no per-subscriber copies),
 *   `receivedAt` stamped with this hub's clock, `origin` set to the publishing hub's id.
 */
import {
  headers,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from "@nats-io/transport-node";
import {
  type Bus,
  type BusEvent,
  type BusFrame,
  type BusHandler,
  InProcessBus,
} from "../lib/bus.ts";
import {
  encodeEvent,
  EVENT_SUBJECTS,
  eventOf,
  eventSubject,
  FRAME_SUBJECTS,
  frameOf,
  frameSubject,
  HUB_HEADER,
  Interest,
  serialOfSubject,
  WANT_ALL_SUBJECT,
  WANT_SUBJECTS,
  wantSubject,
} from "../lib/bus_wire.ts";
import { WANT_REFRESH_MS, Wants } from "../lib/bus_wants.ts";

const EMPTY = new Uint8Array(0);
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";

/** Events published while the link is down, at most, until it is back (nats.js buffers them). */
export const MAX_EVENTS_WHILE_DOWN = 1000;

export interface NatsBusOptions {
  link: NatsLink;
  /** This hub's id, unique in the cluster: tags what it publishes. */
  hubId: string;
  log: Log;
  /** The clock of `receivedAt`; `performance.now()` by default, as the relay's. */
  now?: () => number;
  /** Want every camera of the cluster (a recorder process), not only those subscribed to. */
  wantAll?: boolean;
}

/** What crossed the link, for tests and metrics. */
export interface NatsBusCounters {
  framesOut: number;
  /** Frames not published because the link was down. */
  framesNotSent: number;
  /** Frames not published because no other hub wanted the camera. */
  framesUnwanted: number;
  /** Announcements of the cameras this hub wants. */
  wantsOut: number;
  eventsOut: number;
  framesIn: number;
  eventsIn: number;
  /** Our own messages that came back (a camera of ours that a local viewer watches). */
  ownIgnored: number;
  /** Messages that did not decode (wrong trailer, not JSON). */
  bad: number;
}

export class NatsBus implements Bus {
  readonly hubId: string;
  readonly counters: NatsBusCounters = {
    framesOut: 0,
    framesNotSent: 0,
    framesUnwanted: 0,
    wantsOut: 0,
    eventsOut: 0,
    framesIn: 0,
    eventsIn: 0,
    ownIgnored: 0,
    bad: 0,
  };
  #o: NatsBusOptions;
  #local: InProcessBus;
  #interest = new Interest();
  #frameSubs = new Map<string, Subscription>();
  #eventSub: Subscription | null = null;
  #wantSub: Subscription | null = null;
  #allSub: Subscription | null = null;
  #wants = new Wants();
  #wantTimer: ReturnType<typeof setInterval>;
  #nc: NatsConnection | null = null;
  #hdrs: MsgHdrs;
  #eventsWhileDown = 0;
  #offLink: () => void;
  #now: () => number;

  constructor(o: NatsBusOptions) {
    this.#o = o;
    this.hubId = o.hubId;
    this.#now = o.now ?? (() => performance.now());
    this.#local = new InProcessBus({ onError: (err) => o.log("bus-error", { error: err }) });
    // Encoded at each publish: one header object serves them all.
    this.#hdrs = headers();
    this.#hdrs.set(HUB_HEADER, o.hubId);
    this.#offLink = o.link.onConnection((nc) => this.#attach(nc));
    this.#wantTimer = setInterval(() => {
      if (o.wantAll) this.#announceAll();
      for (const serial of this.#interest.serials()) this.#announce(serial);
    }, WANT_REFRESH_MS);
  }

  publishFrame(frame: BusFrame): void {
    this.#local.publishFrame(frame);
    if (frame.origin !== undefined) return;
    if (!this.#wants.wanted(frame.serial, this.#now())) {
      this.counters.framesUnwanted++;
      return;
    }
    const nc = this.#nc;
    if (!nc || !this.#o.link.connected) {
      this.counters.framesNotSent++;
      return;
    }
    try {
      nc.publish(frameSubject(frame.serial), frame.data, { headers: this.#hdrs });
      this.counters.framesOut++;
    } catch (err) {
      this.counters.framesNotSent++;
      this.#o.log("bus-error", { where: "publish-frame", serial: frame.serial, error: err });
    }
  }

  publishEvent(event: BusEvent): void {
    this.#local.publishEvent(event);
    if (event.origin !== undefined) return;
    const nc = this.#nc;
    if (!nc) return;
    if (this.#o.link.connected) this.#eventsWhileDown = 0;
    else if (++this.#eventsWhileDown > MAX_EVENTS_WHILE_DOWN) return;
    try {
      nc.publish(eventSubject(event.serial), encodeEvent(event), { headers: this.#hdrs });
      this.counters.eventsOut++;
    } catch (err) {
      this.#o.log("bus-error", { where: "publish-event", serial: event.serial, error: err });
    }
  }

  subscribe(serial: string | "*", handler: BusHandler): () => void {
    const off = this.#local.subscribe(serial, handler);
    // With `wantAll`, `trustcam.frame.>` brings every camera already.
    if (serial === "*" || this.#o.wantAll) return off;
    if (this.#interest.add(serial)) {
      this.#subscribeRemote(serial);
      this.#announce(serial);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      if (this.#interest.remove(serial)) this.#unsubscribeRemote(serial);
    };
  }

  /** Whether another hub wants `serial`'s frames now, so this one publishes them. */
  wanted(serial: string): boolean {
    return this.#wants.wanted(serial, this.#now());
  }

  /** Cameras this hub subscribes to in NATS now (tests, metrics). */
  get remoteSerials(): string[] {
    return [...this.#frameSubs.keys()];
  }

  /** Live local subscriptions, for leak checks (as {@link InProcessBus.size}). */
  get size(): number {
    return this.#local.size;
  }

  /** Live local subscriptions to one camera, or to every camera with `"*"`. */
  count(serial: string | "*"): number {
    return this.#local.count(serial);
  }

  async close(): Promise<void> {
    this.#offLink();
    clearInterval(this.#wantTimer);
    this.#wantSub?.unsubscribe();
    this.#wantSub = null;
    for (const serial of [...this.#frameSubs.keys()]) this.#unsubscribeRemote(serial);
    this.#eventSub?.unsubscribe();
    this.#eventSub = null;
    this.#allSub?.unsubscribe();
    this.#allSub = null;
    this.#nc = null;
    await this.#local.close();
  }

  /** A new connection (the first, or after nats.js gave up): subscribe to all we need. */
  #attach(nc: NatsConnection): void {
    this.#nc = nc;
    this.#frameSubs.clear();
    this.#eventSub = nc.subscribe(EVENT_SUBJECTS, {
      callback: (err, msg) => {
        if (err) return this.#o.log("bus-error", { where: "events", error: err });
        if (this.#own(msg.headers)) return;
        const serial = serialOfSubject(msg.subject, "event");
        try {
          if (serial === null) throw new RangeError(`Bad event subject: "${msg.subject}"`);
          const event = eventOf(serial, msg.data, msg.headers?.get(HUB_HEADER) ?? "");
          this.counters.eventsIn++;
          this.#local.publishEvent(event);
          // The camera may have moved to another hub: tell it now, not at the next round.
          if (this.#interest.has(serial)) this.#announce(serial);
        } catch (err) {
          this.counters.bad++;
          this.#o.log("bus-error", { where: "event", subject: msg.subject, error: err });
        }
      },
    });
    this.#wantSub = nc.subscribe(WANT_SUBJECTS, {
      callback: (err, msg) => {
        if (err) return this.#o.log("bus-error", { where: "wants", error: err });
        if (this.#own(msg.headers)) return;
        if (msg.subject === WANT_ALL_SUBJECT) return this.#wants.heardAll(this.#now());
        const serial = serialOfSubject(msg.subject, "want");
        if (serial === null) {
          this.counters.bad++;
          return;
        }
        this.#wants.heard(serial, this.#now());
      },
    });
    if (this.#o.wantAll) {
      this.#allSub = nc.subscribe(FRAME_SUBJECTS, {
        callback: (err, msg) => {
          if (err) return this.#o.log("bus-error", { where: "frames", error: err });
          const serial = serialOfSubject(msg.subject, "frame");
          if (serial === null) {
            this.counters.bad++;
            return;
          }
          this.#received(serial, msg.data, msg.headers);
        },
      });
      this.#announceAll();
    }
    for (const serial of this.#interest.serials()) {
      this.#subscribeRemote(serial);
      this.#announce(serial);
    }
  }

  /** Tells the other hubs this one wants `serial`'s frames (nothing while the link is down). */
  #announce(serial: string): void {
    const nc = this.#nc;
    if (!nc || !this.#o.link.connected) return;
    try {
      nc.publish(wantSubject(serial), EMPTY, { headers: this.#hdrs });
      this.counters.wantsOut++;
    } catch (err) {
      this.#o.log("bus-error", { where: "publish-want", serial, error: err });
    }
  }

  /** Tells the hubs this process wants every camera's frames. */
  #announceAll(): void {
    const nc = this.#nc;
    if (!nc || !this.#o.link.connected) return;
    try {
      nc.publish(WANT_ALL_SUBJECT, EMPTY, { headers: this.#hdrs });
      this.counters.wantsOut++;
    } catch (err) {
      this.#o.log("bus-error", { where: "publish-want-all", error: err });
    }
  }

  #own(h: MsgHdrs | undefined): boolean {
    if (h?.get(HUB_HEADER) !== this.hubId) return false;
    this.counters.ownIgnored++;
    return true;
  }

  #subscribeRemote(serial: string): void {
    const nc = this.#nc;
    if (!nc || this.#frameSubs.has(serial)) return;
    const sub = nc.subscribe(frameSubject(serial), {
      callback: (err, msg) => {
        if (err) return this.#o.log("bus-error", { where: "frames", serial, error: err });
        this.#received(serial, msg.data, msg.headers);
      },
    });
    this.#frameSubs.set(serial, sub);
  }

  #received(serial: string, data: Uint8Array, h: MsgHdrs | undefined): void {
    if (this.#own(h)) return;
    let frame: BusFrame;
    try {
      frame = frameOf(serial, data, this.#now(), h?.get(HUB_HEADER) ?? "");
    } catch (err) {
      this.counters.bad++;
      this.#o.log("bus-error", { where: "frame", serial, error: err });
      return;
    }
    this.counters.framesIn++;
    this.#local.publishFrame(frame);
  }

  #unsubscribeRemote(serial: string): void {
    const sub = this.#frameSubs.get(serial);
    if (!sub) return;
    this.#frameSubs.delete(serial);
    sub.unsubscribe();
  }
}
