/**
 * The relay: device sessions in, viewer sessions out, the bus in between. Every rule of
 * docs/protocol.md that concerns an open WebSocket lives here. There are no per-connection
 * timers: the hub calls `heartbeat()` and `tick()` from two intervals it owns, so a closed
 * connection leaves nothing behind (the seed leaked one timer per connection, forever).
 */
import type { WebSocket } from "ws";
import type { Bus, BusEvent, BusFrame } from "../lib/bus.ts";
import { closeCodeOf, errorBody, TrustcamError } from "../lib/errors.ts";
import { FRAME_PROBLEM_TEXT, frameProblem } from "../lib/frame_check.ts";
import { buildViewerFrame } from "../lib/trailer.ts";
import type { CameraInfo, Registry } from "../lib/registry.ts";
import { parseDeviceStatus } from "../lib/device_status.ts";
import { MAX_TEXT_BYTES, parseViewerCommand, Subscription, TokenBucket } from "../lib/control.ts";
import { quote } from "../lib/quote.ts";
import type { Peer } from "../lib/peer.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";

export interface RelayOptions {
  registry: Registry;
  bus: Bus;
  metrics: HubMetrics;
  log: Log;
  isSerial: (s: string) => boolean;
  /** Reads the access policy in force now (it can be reloaded). */
  canSee: (viewer: string, serial: string) => boolean;
  maxFrameBytes: number;
  viewerBufferBytes: number;
  /** Bad device messages in a row before the device is closed with 1003. */
  maxBadInRow?: number;
  deviceTextRate?: { perSec: number; burst: number };
  viewerControlRate?: { perSec: number; burst: number };
}

const OPEN = 1;
const SEND_BINARY = { binary: true } as const;

interface Conn {
  ws: WebSocket;
  peer: Peer;
  missedPongs: number;
}

interface DeviceConn extends Conn {
  serial: string;
  badInRow: number;
  text: TokenBucket;
  counters: CameraCounters;
}

interface ViewerConn extends Conn {
  sub: Subscription;
  control: TokenBucket;
  /** Frames skipped for this viewer, per camera. */
  skipped: Map<string, number>;
  sent: number;
  off: () => void;
  /** A frame write is on its way to the socket; the next waits for its callback. */
  inFlight: boolean;
  /** Frames waiting for the write in flight, in order: shared buffers, not copies. */
  queue: BusFrame[];
  queuedBytes: number;
  /** The write callback, made once per viewer so the per-frame path allocates nothing. */
  onWritten: (err?: Error) => void;
}

/** Bound metric children per camera, so the per-frame path does no label lookups. */
interface CameraCounters {
  framesIn: { inc(n?: number): void };
  bytesIn: { inc(n?: number): void };
  framesOut: { inc(n?: number): void };
  bytesOut: { inc(n?: number): void };
  skipped: { inc(n?: number): void };
}

export class Relay {
  readonly devices = new Map<string, DeviceConn>();
  readonly viewers = new Set<ViewerConn>();
  /** Latest frame per camera, for snapshots and MJPEG; fed from the bus like any viewer. */
  readonly latest = new Map<string, BusFrame>();
  #o: Required<RelayOptions>;
  #counters = new Map<string, CameraCounters>();
  #offLatest: () => void;

  constructor(options: RelayOptions) {
    this.#o = {
      maxBadInRow: 50,
      deviceTextRate: { perSec: 10, burst: 10 },
      viewerControlRate: { perSec: 20, burst: 40 },
      ...options,
    };
    this.#offLatest = this.#o.bus.subscribe("*", {
      frame: (f) => this.latest.set(f.serial, f),
    });
  }

  #countersFor(serial: string): CameraCounters {
    let c = this.#counters.get(serial);
    if (!c) {
      const m = this.#o.metrics;
      const labels = { serial };
      c = {
        framesIn: m.framesIn.labels(labels),
        bytesIn: m.bytesIn.labels(labels),
        framesOut: m.framesOut.labels(labels),
        bytesOut: m.bytesOut.labels(labels),
        skipped: m.framesSkipped.labels(labels),
      };
      this.#counters.set(serial, c);
    }
    return c;
  }

  // ---- devices ------------------------------------------------------------------------

  attachDevice(ws: WebSocket, peer: Peer): void {
    const serial = peer.cn;
    const conn: DeviceConn = {
      ws,
      peer,
      serial,
      missedPongs: 0,
      badInRow: 0,
      text: new TokenBucket(this.#o.deviceTextRate.perSec, this.#o.deviceTextRate.burst),
      counters: this.#countersFor(serial),
    };
    const previous = this.devices.get(serial);
    this.devices.set(serial, conn);
    if (previous) {
      this.#o.log("replace", { serial, addr: previous.peer.remoteAddress, by: peer.remoteAddress });
      this.#close(previous, new TrustcamError("TC_ERR_REPLACED", "replaced"), "replaced");
    }
    this.#o.log("connect", {
      role: "device",
      cn: peer.cn,
      serial,
      addr: peer.remoteAddress,
    });
    this.#announce(serial, "online", this.#o.registry.connected(serial));
    this.#o.registry.flush();

    ws.on("message", (data: Uint8Array, isBinary: boolean) => {
      // Messages already read when the hub decided to close are not processed.
      if (ws.readyState !== OPEN) return;
      if (isBinary) this.#onDeviceFrame(conn, data);
      else this.#onDeviceText(conn, data);
    });
    ws.on("pong", () => conn.missedPongs = 0);
    ws.on("error", (err: Error & { code?: string }) => this.#onError(conn, err));
    ws.on("close", (code: number, reason: Uint8Array) => {
      this.#o.log("disconnect", {
        role: "device",
        cn: peer.cn,
        serial,
        addr: peer.remoteAddress,
        code,
        reason: new TextDecoder().decode(reason) || undefined,
      });
      // A replaced connection must not mark the camera offline under its successor.
      if (this.devices.get(serial) !== conn) return;
      this.devices.delete(serial);
      const info = this.#o.registry.disconnected(serial);
      if (info) this.#announce(serial, "offline", info);
      this.#o.registry.flush();
    });
  }

  #onDeviceFrame(conn: DeviceConn, data: Uint8Array): void {
    const problem = frameProblem(data, this.#o.maxFrameBytes);
    if (problem) {
      this.#o.metrics.framesBad.inc({ serial: conn.serial, reason: problem });
      this.#bad(conn, FRAME_PROBLEM_TEXT[problem]);
      return;
    }
    conn.badInRow = 0;
    const serial = conn.serial;
    const frame: BusFrame = {
      serial,
      data: buildViewerFrame(data, serial),
      jpegLength: data.byteLength,
      receivedAt: performance.now(),
    };
    conn.counters.framesIn.inc();
    conn.counters.bytesIn.inc(data.byteLength);
    if (this.#o.registry.frame(serial, data.byteLength)) {
      const info = this.#o.registry.get(serial);
      if (info) this.#announce(serial, "online", info);
    }
    this.#o.bus.publishFrame(frame);
  }

  #onDeviceText(conn: DeviceConn, data: Uint8Array): void {
    if (!conn.text.take(performance.now())) {
      this.#o.metrics.framesBad.inc({ serial: conn.serial, reason: "text_rate" });
      this.#bad(conn, "Too many text messages");
      return;
    }
    if (data.byteLength > MAX_TEXT_BYTES) {
      this.#o.metrics.framesBad.inc({ serial: conn.serial, reason: "text_too_large" });
      this.#bad(conn, `Text message too large: ${data.byteLength} bytes > ${MAX_TEXT_BYTES}`);
      return;
    }
    const text = new TextDecoder().decode(data);
    try {
      const status = parseDeviceStatus(text, new Date());
      conn.badInRow = 0;
      this.#announce(conn.serial, "status", this.#o.registry.status(conn.serial, status));
      return;
    } catch (err) {
      if (looksLikeViewerCommand(text)) {
        this.#close(
          conn,
          new TrustcamError("TC_ERR_WRONG_ROLE", "Devices cannot watch"),
          "wrong_role",
        );
        return;
      }
      this.#o.metrics.framesBad.inc({ serial: conn.serial, reason: "bad_text" });
      this.#bad(conn, err instanceof Error ? err.message : String(err));
    }
  }

  #bad(conn: DeviceConn, why: string): void {
    this.#o.registry.bad(conn.serial);
    if (++conn.badInRow >= this.#o.maxBadInRow) {
      this.#close(
        conn,
        new TrustcamError("TC_ERR_TOO_MANY_BAD", "Too many bad messages"),
        "too_many_bad",
        why,
      );
    }
  }

  // ---- viewers ------------------------------------------------------------------------

  attachViewer(ws: WebSocket, peer: Peer, url: URL): void {
    const conn: ViewerConn = {
      ws,
      peer,
      missedPongs: 0,
      sub: new Subscription("*"),
      control: new TokenBucket(this.#o.viewerControlRate.perSec, this.#o.viewerControlRate.burst),
      skipped: new Map(),
      sent: 0,
      off: () => {},
      inFlight: false,
      queue: [],
      queuedBytes: 0,
      onWritten: () => {},
    };
    conn.onWritten = (err) => this.#written(conn, err);
    const initial = url.searchParams.get("cameras");
    if (initial !== null) {
      this.#control(conn, JSON.stringify({ type: "unsubscribe", cameras: "*" }));
      const cameras = initial.split(",").filter(Boolean);
      if (cameras.length > 0) this.#control(conn, JSON.stringify({ type: "subscribe", cameras }));
    }
    this.viewers.add(conn);
    this.#o.log("connect", { role: "viewer", cn: peer.cn, addr: peer.remoteAddress });
    const cameras = this.#o.registry.list().filter((c) => this.#o.canSee(peer.cn, c.serial));
    this.#sendText(conn, JSON.stringify({ type: "hello", v: 1, viewer: peer.cn, cameras }));
    conn.off = this.#o.bus.subscribe("*", {
      frame: (f) => this.#sendFrame(conn, f),
      event: (e) => this.#sendEvent(conn, e),
    });

    ws.on("message", (data: Uint8Array, isBinary: boolean) => {
      if (ws.readyState !== OPEN) return;
      if (isBinary) {
        this.#close(
          conn,
          new TrustcamError("TC_ERR_WRONG_ROLE", "Viewers cannot publish"),
          "wrong_role",
        );
        return;
      }
      if (!conn.control.take(performance.now())) {
        this.#o.metrics.controlRejected.inc({ code: "TC_ERR_CONTROL_RATE" });
        this.#close(
          conn,
          new TrustcamError("TC_ERR_CONTROL_RATE", "Too many control messages"),
          "control_rate",
        );
        return;
      }
      this.#control(conn, new TextDecoder().decode(data));
    });
    ws.on("pong", () => conn.missedPongs = 0);
    ws.on("error", (err: Error & { code?: string }) => this.#onError(conn, err));
    ws.on("close", (code: number) => {
      conn.off();
      conn.queue.length = 0;
      conn.queuedBytes = 0;
      this.viewers.delete(conn);
      this.#o.log("disconnect", {
        role: "viewer",
        cn: peer.cn,
        addr: peer.remoteAddress,
        code,
        sent: conn.sent,
        skipped: sum(conn.skipped),
      });
    });
  }

  #control(conn: ViewerConn, text: string): void {
    try {
      const cmd = parseViewerCommand(text, this.#o.isSerial);
      if (cmd.cameras !== "*") {
        const refused = cmd.cameras.filter((s) => !this.#o.canSee(conn.peer.cn, s));
        if (refused.length > 0) {
          cmd.cameras = cmd.cameras.filter((s) => !refused.includes(s));
          conn.sub.apply(cmd);
          throw new TrustcamError(
            "TC_ERR_FORBIDDEN",
            `Not allowed to see camera: ${refused.map((s) => quote(s)).join(", ")}`,
          );
        }
      }
      conn.sub.apply(cmd);
    } catch (err) {
      const body = errorBody(err);
      this.#o.metrics.controlRejected.inc({ code: body.code });
      this.#sendText(conn, JSON.stringify({ type: "error", ...body }));
    }
  }

  /**
   * The per-frame, per-viewer path: no copy, never throws. One frame write at a time goes
   * into a viewer's socket; frames arriving meanwhile wait in order and go out from the
   * write's callback. The limit counts waiting bytes plus the socket's, so a viewer that
   * keeps up (even through a burst of every camera at once) loses nothing, and one that
   * falls behind skips frames with at most the limit held for it. Writing every frame
   * straight into the sockets let them all fill under overload, and then every viewer waited
   * behind a full queue (bench/README.md has the figures).
   */
  #sendFrame(conn: ViewerConn, f: BusFrame): void {
    if (!conn.sub.has(f.serial)) return;
    if (conn.ws.readyState !== OPEN) return;
    if (!this.#o.canSee(conn.peer.cn, f.serial)) return;
    if (conn.queuedBytes + conn.ws.bufferedAmount > this.#o.viewerBufferBytes) {
      this.#skip(conn, f.serial);
      return;
    }
    if (conn.inFlight) {
      conn.queue.push(f);
      conn.queuedBytes += f.data.byteLength;
      return;
    }
    this.#write(conn, f);
  }

  #write(conn: ViewerConn, f: BusFrame): void {
    if (conn.ws.readyState !== OPEN) return;
    const counters = this.#countersFor(f.serial);
    conn.inFlight = true;
    try {
      conn.ws.send(f.data, SEND_BINARY, conn.onWritten);
      conn.sent++;
      counters.framesOut.inc();
      counters.bytesOut.inc(f.data.byteLength);
    } catch (err) {
      // A socket torn down between the readyState check and the write: the close event
      // will clean up this viewer; nobody else may notice.
      conn.inFlight = false;
      this.#o.log("send-failed", { cn: conn.peer.cn, error: err });
    }
  }

  #written(conn: ViewerConn, err?: Error): void {
    conn.inFlight = false;
    if (err || conn.ws.readyState !== OPEN) {
      conn.queue.length = 0;
      conn.queuedBytes = 0;
      return;
    }
    const next = conn.queue.shift();
    if (next) {
      conn.queuedBytes -= next.data.byteLength;
      this.#write(conn, next);
    }
  }

  #skip(conn: ViewerConn, serial: string): void {
    conn.skipped.set(serial, (conn.skipped.get(serial) ?? 0) + 1);
    this.#countersFor(serial).skipped.inc();
    this.#o.registry.skipped(serial);
  }

  #sendEvent(conn: ViewerConn, e: BusEvent): void {
    if (!this.#o.canSee(conn.peer.cn, e.serial)) return;
    e.json ??= JSON.stringify(e.payload);
    this.#sendText(conn, e.json);
  }

  #sendText(conn: ViewerConn, text: string): void {
    if (conn.ws.readyState !== OPEN) return;
    try {
      conn.ws.send(text);
    } catch {
      // As in #sendFrame: the close handler owns the cleanup.
    }
  }

  /** Skip counts of one viewer (tests and the API read these). */
  viewerSkips(cn: string): Map<string, number> {
    const total = new Map<string, number>();
    for (const v of this.viewers) {
      if (v.peer.cn !== cn) continue;
      for (const [s, n] of v.skipped) total.set(s, (total.get(s) ?? 0) + n);
    }
    return total;
  }

  // ---- shared -------------------------------------------------------------------------

  #announce(serial: string, event: string, camera: CameraInfo): void {
    this.#o.bus.publishEvent({ serial, payload: { type: "camera", event, camera } });
  }

  /** Announces an event that happened outside a session (rename, stall). */
  announce(serial: string, event: "renamed" | "stalled"): void {
    const info = this.#o.registry.get(serial);
    if (info) this.#announce(serial, event, info);
  }

  #onError(conn: Conn, err: Error & { code?: string }): void {
    if (err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
      const role = conn.peer.role;
      this.#o.metrics.closes.inc({ role, reason: "too_large" });
      if (role === "device") {
        this.#o.metrics.framesBad.inc({ serial: conn.peer.cn, reason: "too_large" });
        this.#o.registry.bad(conn.peer.cn);
      }
      this.#o.log("close", {
        role,
        cn: conn.peer.cn,
        addr: conn.peer.remoteAddress,
        code: 1009,
        reason: role === "device" ? "Frame too large" : "Message too large",
      });
      return;
    }
    this.#o.log("ws-error", { cn: conn.peer.cn, addr: conn.peer.remoteAddress, error: err });
  }

  #close(conn: Conn, err: TrustcamError, metricReason: string, detail?: string): void {
    this.#o.metrics.closes.inc({ role: conn.peer.role, reason: metricReason });
    const code = closeCodeOf(err) ?? 1011;
    this.#o.log("close", {
      role: conn.peer.role,
      cn: conn.peer.cn,
      addr: conn.peer.remoteAddress,
      code,
      reason: err.message,
      detail,
    });
    if (conn.ws.readyState === OPEN) conn.ws.close(code, err.message);
    else conn.ws.terminate();
  }

  /** Pings every peer; one that missed two pongs in a row is terminated. */
  heartbeat(): void {
    for (const conn of [...this.devices.values(), ...this.viewers]) {
      if (conn.missedPongs >= 2) {
        this.#o.metrics.closes.inc({ role: conn.peer.role, reason: "missed_pongs" });
        this.#o.log("terminate", {
          role: conn.peer.role,
          cn: conn.peer.cn,
          addr: conn.peer.remoteAddress,
          reason: "missed pongs",
        });
        conn.ws.terminate();
        continue;
      }
      conn.missedPongs++;
      try {
        conn.ws.ping();
      } catch {
        // Closing already; the close handler cleans up.
      }
    }
  }

  /** Sends per-camera stats to every viewer, each seeing only what it may. */
  broadcastStats(): void {
    if (this.viewers.size === 0) return;
    const stats = this.#o.registry.stats();
    let shared: string | undefined;
    for (const v of this.viewers) {
      const visible = stats.filter((s) => this.#o.canSee(v.peer.cn, s.serial));
      const text = visible.length === stats.length
        ? (shared ??= JSON.stringify({ type: "stats", cameras: stats }))
        : JSON.stringify({ type: "stats", cameras: visible });
      this.#sendText(v, text);
    }
  }

  /** Closes every connection whose certificate is now revoked; returns how many. */
  enforceRevocations(isRevoked: (p: Peer) => boolean): number {
    let n = 0;
    for (const conn of [...this.devices.values(), ...this.viewers]) {
      if (!isRevoked(conn.peer)) continue;
      n++;
      this.#o.log("revoke", {
        role: conn.peer.role,
        cn: conn.peer.cn,
        addr: conn.peer.remoteAddress,
        fingerprint: conn.peer.fingerprint256,
      });
      this.#close(conn, new TrustcamError("TC_ERR_REVOKED", "Certificate revoked"), "revoked");
    }
    return n;
  }

  /** Closes everything (hub shutdown) and waits for the close handshakes, bounded. */
  async closeAll(waitMs = 2000): Promise<void> {
    this.#offLatest();
    const all = [...this.devices.values(), ...this.viewers];
    const closed = all.map((c) =>
      c.ws.readyState === 3 ? Promise.resolve() : new Promise<void>((r) => c.ws.once("close", r))
    );
    for (const c of all) {
      this.#close(c, new TrustcamError("TC_ERR_SHUTDOWN", "Hub shutting down"), "shutdown");
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((r) => timer = setTimeout(r, waitMs)),
    ]);
    clearTimeout(timer);
    for (const c of all) if (c.ws.readyState !== 3) c.ws.terminate();
    await Promise.all(closed);
  }

  get connectionCounts(): { device: number; viewer: number } {
    return { device: this.devices.size, viewer: this.viewers.size };
  }
}

function sum(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

function looksLikeViewerCommand(text: string): boolean {
  try {
    const o = JSON.parse(text);
    return o?.type === "subscribe" || o?.type === "unsubscribe";
  } catch {
    return false;
  }
}
