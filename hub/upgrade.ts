/**
 * WebSocket upgrades: who may open `/ws`, and the hand-over of admitted sockets to the relay
 * (devices publish, viewers watch, each with its own message size limit). A refusal is a
 * short HTTP answer the peer can read before the socket closes.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Buffer } from "node:buffer";
import type { TLSSocket } from "node:tls";
import { WebSocketServer } from "ws";
import type { Peer } from "../lib/peer.ts";
import { type Unverified, unverifiedReason } from "./peer.ts";
import { BASELINE_HEADERS } from "./app.ts";
import { originAllowed } from "../lib/origin.ts";
import type { Relay } from "./relay.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";

/** Viewer control messages are small; a bigger one is closed with 1009 before buffering. */
export const VIEWER_MAX_PAYLOAD = 4096;

export interface Refusal {
  status: 403 | 404 | 503;
  reason: Unverified | "shutting_down" | "not_found" | "revoked" | "origin";
}

export interface UpgradeTarget {
  pathname: string;
  origin?: string;
  host?: string;
  /** Why there is no peer, when there is none. */
  unverified?: Unverified;
}

/**
 * Why an upgrade is refused, or null to accept it; in the order that leaks the least. A
 * viewer's socket opened by another site's page is refused (lib/origin.ts); devices are
 * exempt: their key lives in a secure element no browser holds, and the ESP32 library sends
 * `Origin: file://`.
 */
export function upgradeRefusal(
  target: UpgradeTarget,
  peer: Peer | null,
  o: {
    shuttingDown: boolean;
    isRevoked(peer: Peer): boolean;
    allowedOrigins: ReadonlySet<string>;
  },
): Refusal | null {
  if (!peer) return { status: 403, reason: target.unverified ?? "no_certificate" };
  if (o.shuttingDown) return { status: 503, reason: "shutting_down" };
  if (target.pathname !== "/ws") return { status: 404, reason: "not_found" };
  if (o.isRevoked(peer)) return { status: 403, reason: "revoked" };
  if (peer.role === "viewer" && !originAllowed(target.origin, target.host, o.allowedOrigins)) {
    return { status: 403, reason: "origin" };
  }
  return null;
}

/** hub/app.ts's baseline headers, for answers written on the raw socket. */
export const RAW_BASELINE_HEADERS = Object.entries({
  ...BASELINE_HEADERS,
  "cache-control": "no-store",
}).map(([k, v]) => `${k}: ${v}\r\n`).join("");

const STATUS_TEXT: Record<Refusal["status"], string> = {
  403: "Forbidden",
  404: "Not Found",
  503: "Service Unavailable",
};

export interface UpgradeOptions {
  relay: Relay;
  metrics: HubMetrics;
  log: Log;
  maxFrameBytes: number;
  peerFor(socket: TLSSocket): Peer | null;
  isRevoked(peer: Peer): boolean;
  shutdown: AbortSignal;
  /** Base for parsing the request target: "https://localhost:5000". */
  origin(): string;
  allowedOrigins: ReadonlySet<string>;
}

export function createUpgradeHandler(
  o: UpgradeOptions,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const deviceWss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: o.maxFrameBytes,
  });
  const viewerWss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: VIEWER_MAX_PAYLOAD,
  });

  const refuse = (socket: Duplex, r: Refusal, fields: Record<string, unknown>) => {
    o.metrics.upgradesRefused.inc({ reason: r.reason });
    o.log("refuse", { stage: "upgrade", reason: r.reason, ...fields });
    const text = `${r.status} ${r.reason}`;
    // end(), not destroy(): the peer must read the refusal before the socket closes.
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 ${r.status} ${STATUS_TEXT[r.status]}\r\nConnection: close\r\n` +
          `Content-Type: text/plain\r\n${RAW_BASELINE_HEADERS}` +
          `Content-Length: ${text.length}\r\n\r\n${text}`,
      );
    } else socket.destroy();
  };

  return function onUpgrade(req, socket, head) {
    socket.on("error", () => {}); // Resets during the upgrade are the peer's business.
    const tls = socket as TLSSocket;
    const peer = o.peerFor(tls);
    const url = new URL(req.url ?? "/", o.origin());
    const addr = `${tls.remoteAddress}:${tls.remotePort}`;
    const target = {
      pathname: url.pathname,
      origin: req.headers.origin,
      host: req.headers.host,
      unverified: peer ? undefined : unverifiedReason(tls),
    };
    const refusal = upgradeRefusal(target, peer, {
      shuttingDown: o.shutdown.aborted,
      isRevoked: o.isRevoked,
      allowedOrigins: o.allowedOrigins,
    });
    if (refusal || !peer) {
      const who = peer ? { cn: peer.cn, addr } : { addr };
      return refuse(
        socket,
        refusal!,
        refusal?.reason === "origin" ? { ...who, origin: target.origin } : who,
      );
    }
    const wss = peer.role === "device" ? deviceWss : viewerWss;
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (o.shutdown.aborted) return ws.close(1001, "Hub shutting down");
      if (peer.role === "device") o.relay.attachDevice(ws, peer);
      else o.relay.attachViewer(ws, peer, url);
    });
  };
}
