/**
 * One viewer's connection (docs/protocol.md, "Viewer to hub" and "Hub to viewer"). The session
 * holds one bus subscription per camera it receives frames of, no more: its subscription
 * (lib/control.ts) says what the viewer wants, the policy what it may see, and {@link sync}
 * keeps the bus in step when either changes. Frames go out through a {@link SendQueue}; camera
 * events come from the relay, which hears them all once. Replays (`play`/`pause`/`live`) are in
 * hub/viewer_replays.ts; a camera replayed gets no live frames until its `live`.
 *
 * Thin links (lib/thin_link.ts): a camera asked for at a reduced size is subscribed to its
 * shared reduced stream instead of the bus, and one with a `maxFps` through a rate gate of this
 * viewer's own (hub/viewer_feed.ts); either way one subscription per camera, released exactly
 * as a full one is.
 */
import type { WebSocket } from "ws";
import type { BusEvent, BusFrame, BusHandler } from "../lib/bus.ts";
import { errorBody, TrustcamError } from "../lib/errors.ts";
import {
  parseCamerasParam,
  parseViewerCommand,
  type ReplayCommand,
  Subscription,
  type SubscriptionCommand,
  TokenBucket,
  type ViewerCommand,
} from "../lib/control.ts";
import { DEFAULT_STREAM, streamKey, type StreamOptions } from "../lib/thin_link.ts";
import { type Feed, feedOptions, openFeed } from "./viewer_feed.ts";
import {
  encodeMessage,
  errorMessage,
  helloMessage,
  type HubMessage,
  replayLiveMessage,
  subscribedMessage,
} from "../lib/protocol.ts";
import { type FrameSink, SendQueue, type SendQueueEvents } from "../lib/send_queue.ts";
import { quote } from "../lib/quote.ts";
import type { Peer } from "../lib/peer.ts";
import {
  closeSession,
  OPEN,
  reportSocketError,
  type Session,
  type SessionContext,
} from "./session.ts";
import { type ReplayInfo, ViewerReplays } from "./viewer_replays.ts";

const SEND_BINARY = { binary: true } as const;

export class ViewerSession implements Session {
  readonly ws: WebSocket;
  readonly peer: Peer;
  missedPongs = 0;
  #ctx: SessionContext;
  #out: Outlet;
  #sub: Subscription;
  #control: TokenBucket;
  #queue: SendQueue<BusFrame>;
  /** The subscriptions: camera → feed. Exactly the cameras this viewer receives. */
  #frames = new Map<string, Feed>();
  /** One handler for all of them, so subscribing allocates no closure per frame. */
  #handler: BusHandler;
  #replays: ViewerReplays;

  /** `onClose` runs once the socket has closed, after every subscription is gone. */
  constructor(
    ctx: SessionContext,
    ws: WebSocket,
    peer: Peer,
    url: URL,
    onClose: (s: ViewerSession) => void,
  ) {
    this.#ctx = ctx;
    this.ws = ws;
    this.peer = peer;
    this.#control = new TokenBucket(ctx.viewerControlRate.perSec, ctx.viewerControlRate.burst);
    this.#out = new Outlet(ctx, ws, peer.cn);
    this.#queue = new SendQueue<BusFrame>(this.#out, ctx.viewerBufferBytes, this.#out);
    this.#handler = { frame: (f) => this.#onFrame(f) };
    this.#replays = new ViewerReplays(ctx, peer.cn, this.#out, (m) => this.#send(m));

    // The initial set: every camera, or those of `?cameras=` (refusals answered before hello).
    const initial = url.searchParams.get("cameras");
    this.#sub = new Subscription(initial === null ? "*" : []);
    if (initial !== null) {
      try {
        this.#command(parseCamerasParam(initial, ctx.isSerial, url.searchParams));
      } catch (err) {
        this.#refuse(err);
      }
    }
    ctx.log("connect", { role: "viewer", cn: peer.cn, addr: peer.remoteAddress });
    const cameras = ctx.registry.list().filter((c) => ctx.canSee(peer.cn, c.serial));
    this.#send(helloMessage(peer.cn, cameras));
    this.sync();
    this.ack();

    ws.on("message", (data: Uint8Array, isBinary: boolean) => {
      if (ws.readyState !== OPEN) return;
      if (isBinary) {
        closeSession(
          ctx,
          this,
          new TrustcamError("TC_ERR_WRONG_ROLE", "Viewers cannot publish"),
          "wrong_role",
        );
        return;
      }
      if (!this.#control.take(ctx.now())) {
        ctx.metrics.controlRejected.inc({ code: "TC_ERR_CONTROL_RATE" });
        closeSession(
          ctx,
          this,
          new TrustcamError("TC_ERR_CONTROL_RATE", "Too many control messages"),
          "control_rate",
        );
        return;
      }
      this.#onControl(new TextDecoder().decode(data));
    });
    ws.on("pong", () => this.missedPongs = 0);
    ws.on("error", (err: Error & { code?: string }) => reportSocketError(ctx, this, err));
    ws.on("close", (code: number) => {
      this.#replays.close();
      for (const feed of this.#frames.values()) feed.off();
      this.#frames.clear();
      this.#queue.close();
      onClose(this);
      ctx.log("disconnect", {
        role: "viewer",
        cn: peer.cn,
        addr: peer.remoteAddress,
        code,
        sent: this.sent,
        skipped: sum(this.skipped),
      });
    });
  }

  /** Frame writes started. */
  get sent(): number {
    return this.#out.sent;
  }

  /** Frames skipped for this viewer, per camera. */
  get skipped(): ReadonlyMap<string, number> {
    return this.#out.skipped;
  }

  /** The cameras whose frames this viewer receives now (tests and the ack read it). */
  get cameras(): string[] {
    return [...this.#frames.keys()].sort();
  }

  /** The cameras replayed and their states (tests read it). */
  get replays(): ReplayInfo[] {
    return this.#replays.states;
  }

  /**
   * Makes the bus subscriptions equal what the viewer wants and may see now; true when they
   * changed. Called after a control message, on a policy reload, and when a camera appears.
   */
  sync(): boolean {
    if (this.ws.readyState !== OPEN) return false;
    const ctx = this.#ctx;
    const { all, cameras } = this.#sub.toJSON();
    const want = new Set<string>();
    for (const serial of all ? ctx.knownCameras() : cameras) {
      if (this.#wants(serial) && ctx.canSee(this.peer.cn, serial)) want.add(serial);
    }
    let changed = this.#replays.endHidden((s) => ctx.canSee(this.peer.cn, s));
    for (const [serial, feed] of this.#frames) {
      if (want.has(serial)) continue;
      feed.off();
      this.#frames.delete(serial);
      changed = true;
    }
    for (const serial of want) {
      const feed = this.#frames.get(serial);
      if (feed && feed.key === streamKey(this.#optionsOf(serial))) continue;
      // The new feed first: a reduced stream another feed of this viewer holds carries on.
      this.#subscribe(serial);
      feed?.off();
      changed = true;
    }
    return changed;
  }

  /** Sends the `subscribed` acknowledgement: what the viewer receives now, and how. */
  ack(): void {
    const cameras = this.cameras;
    let streams: Record<string, StreamOptions> | undefined;
    if (cameras.some((s) => this.#frames.get(s)?.key !== "full")) {
      streams = {};
      for (const s of cameras) streams[s] = this.#frames.get(s)?.options ?? DEFAULT_STREAM;
    }
    this.#send(subscribedMessage(cameras, this.#sub.toJSON().all, streams));
  }

  /**
   * A camera event from the relay: passed on when the viewer may see the camera. A camera new
   * to a viewer that follows all cameras gets its frame subscription here, before its frames.
   */
  event(e: BusEvent): void {
    const serial = e.serial;
    if (!this.#ctx.canSee(this.peer.cn, serial)) return;
    if (!this.#frames.has(serial) && this.#wants(serial) && this.ws.readyState === OPEN) {
      this.#subscribe(serial);
    }
    e.json ??= JSON.stringify(e.payload);
    this.#sendText(e.json);
  }

  /** Sends a message already encoded (stats shared by every viewer). */
  sendText(text: string): void {
    this.#sendText(text);
  }

  /** Closes the socket for `err` (revoked, shutdown). */
  close(err: TrustcamError, metricReason: string): void {
    closeSession(this.#ctx, this, err, metricReason);
  }

  /**
   * The per-frame, per-viewer path: no copy, never throws. The bus only calls it for cameras
   * this viewer receives, so there is nothing to filter.
   */
  #onFrame(f: BusFrame): void {
    if (this.ws.readyState !== OPEN) return;
    this.#queue.push(f);
  }

  /** Subscribes `serial` as its options say, in place of any feed it had. */
  #subscribe(serial: string): void {
    this.#frames.set(serial, openFeed(this.#ctx, serial, this.#optionsOf(serial), this.#handler));
  }

  #optionsOf(serial: string): StreamOptions {
    return feedOptions(this.#ctx, this.#sub.optionsOf(serial));
  }

  /** Live frames of `serial`: subscribed and not replayed. */
  #wants(serial: string): boolean {
    return this.#sub.has(serial) && !this.#replays.has(serial);
  }

  #onControl(text: string): void {
    let cmd: ViewerCommand;
    try {
      cmd = parseViewerCommand(text, this.#ctx.isSerial);
    } catch (err) {
      this.#refuse(err);
      return;
    }
    if (cmd.type === "play" || cmd.type === "pause" || cmd.type === "live") {
      this.#replay(cmd);
      return;
    }
    try {
      this.#command(cmd);
    } catch (err) {
      this.#refuse(err);
      if (!(err instanceof TrustcamError && err.code === "TC_ERR_FORBIDDEN")) return;
    }
    this.ack();
  }

  /** A replay command (hub/viewer_replays.ts); `live` then subscribes as `subscribe` would. */
  #replay(cmd: ReplayCommand): void {
    try {
      this.#replays.command(cmd);
      if (cmd.type !== "live") {
        // No live frame of the camera after the `playing` ack: the bus, then those waiting.
        this.sync();
        this.#queue.dropWhere((f) => f.serial === cmd.camera);
        return;
      }
      // Live again as it was asked for before the replay, if it was.
      const o = this.#sub.has(cmd.camera) ? this.#sub.optionsOf(cmd.camera) : DEFAULT_STREAM;
      this.#command({ type: "subscribe", cameras: [cmd.camera], ...o });
      this.#send(replayLiveMessage(cmd.camera));
      this.ack();
    } catch (err) {
      this.#refuse(err);
    }
  }

  /**
   * Applies a command and syncs the bus. Cameras the policy refuses are left out and the rest
   * applied; then it throws TC_ERR_FORBIDDEN naming them (TC_ERR_BAD_CONTROL, with nothing
   * changed, when the subscription would grow too large).
   */
  #command(cmd: SubscriptionCommand): void {
    let refused: string[] = [];
    if (cmd.cameras !== "*") {
      const cn = this.peer.cn;
      refused = cmd.cameras.filter((s) => !this.#ctx.canSee(cn, s));
      if (refused.length > 0) {
        cmd = { type: cmd.type, cameras: cmd.cameras.filter((s) => !refused.includes(s)) };
      }
    }
    this.#sub.apply(cmd);
    this.sync();
    if (refused.length > 0) {
      throw new TrustcamError(
        "TC_ERR_FORBIDDEN",
        `Not allowed to see camera: ${refused.map((s) => quote(s)).join(", ")}`,
      );
    }
  }

  #refuse(err: unknown): void {
    const body = errorBody(err);
    this.#ctx.metrics.controlRejected.inc({ code: body.code });
    this.#send(errorMessage(body));
  }

  #send(msg: HubMessage): void {
    this.#sendText(encodeMessage(msg));
  }

  #sendText(text: string): void {
    if (this.ws.readyState !== OPEN) return;
    try {
      this.ws.send(text);
    } catch {
      // As for frames: the close handler owns the cleanup.
    }
  }
}

/**
 * The socket as the send queue sees it, and the queue's events counted. A class rather than
 * literals with closures: one shape and one set of methods for every viewer, so the queue's
 * calls into it on the per-frame path stay monomorphic.
 */
class Outlet implements FrameSink, SendQueueEvents<BusFrame> {
  sent = 0;
  readonly skipped = new Map<string, number>();
  readonly #ctx: SessionContext;
  readonly #ws: WebSocket;
  readonly #cn: string;

  constructor(ctx: SessionContext, ws: WebSocket, cn: string) {
    this.#ctx = ctx;
    this.#ws = ws;
    this.#cn = cn;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  send(data: Uint8Array, done: (err?: Error) => void): boolean {
    if (this.#ws.readyState !== OPEN) return false;
    this.#ws.send(data, SEND_BINARY, done);
    return true;
  }

  onSent(f: BusFrame): void {
    this.sent++;
    const counters = this.#ctx.countersFor(f.serial);
    counters.framesOut.inc();
    counters.bytesOut.inc(f.data.byteLength);
  }

  onSkipped(f: BusFrame): void {
    const serial = f.serial;
    this.skipped.set(serial, (this.skipped.get(serial) ?? 0) + 1);
    this.#ctx.countersFor(serial).skipped.inc();
    this.#ctx.registry.skipped(serial);
  }

  /**
   * A socket torn down between the readyState check and the write: the close event cleans up
   * this viewer; nobody else may notice.
   */
  onFailed(err: unknown): void {
    this.#ctx.log("send-failed", { cn: this.#cn, error: err });
  }
}

function sum(m: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}
