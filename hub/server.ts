/**
 * The hub's listener: one node:https server that demands a client certificate from everyone,
 * hands each request to the app (hub/app.ts) with the peer its certificate proves, `/ws`
 * upgrades to the relay (hub/upgrade.ts), and owns the timers and the shutdown. Every rule
 * lives in the pure modules of lib/ and in the app; this is the socket side.
 */
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Buffer } from "node:buffer";
import type { TLSSocket } from "node:tls";
import { serialMatcher } from "../lib/serial.ts";
import type { Bus } from "../lib/bus.ts";
import type { Peer } from "../lib/peer.ts";
import type { HubState, RouteState } from "../lib/hub_state.ts";
import type { Manifest } from "../lib/web/router.ts";
import type { WebAssets } from "../lib/web/web_assets.ts";
import { loadTlsMaterial } from "./tls_files.ts";
import { HubStartError } from "./start_error.ts";
import { peerOf, unverifiedReason } from "./peer.ts";
import { RefusedMethod, toRequest, writeResponse } from "./http_adapter.ts";
import { TrustcamError } from "../lib/errors.ts";
import { createApp } from "./app.ts";
import { createUpgradeHandler, RAW_BASELINE_HEADERS } from "./upgrade.ts";
import { openServices } from "./services.ts";
import type { ReducedStreams } from "./reduced_streams.ts";
import type { Relay } from "./relay.ts";
import { createHubMetrics, type HubMetrics } from "./hub_metrics.ts";
import { consoleLog, type Log } from "./log.ts";
import { guardConnections, readNofileLimit, resolveConnectionLimits } from "./connection_limits.ts";
import { ListenerWatchdog } from "./listener_watchdog.ts";
import { type HubConfig, resolveConfig } from "./config.ts";
import type { FreeSpaceSource } from "./retention.ts";

const MAX_HTTP_BODY = 16 * 1024;

export interface StartOptions {
  /** The routes and islands (main.ts passes manifest.gen.ts). */
  manifest: Manifest<RouteState>;
  log?: Log;
  bus?: Bus;
  /** Built islands; by default built from the manifest with `deno bundle`. */
  assets?: WebAssets & { close?(): Promise<void> | void };
  /** Project root, for bundling islands. */
  root?: string;
  /** Free space of the recordings' volume (tests inject one); statfs by default. */
  freeSpace?: FreeSpaceSource;
}

export interface Hub extends AsyncDisposable {
  readonly port: number;
  readonly state: HubState;
  readonly relay: Relay;
  /** Thin links' reduced streams (tests and the bench read their figures). */
  readonly reduced: ReducedStreams;
  /** https://127.0.0.1:PORT (or the bound host) */
  readonly url: string;
  /** The listener, read-only use: leak checks count its event listeners. */
  readonly server: https.Server;
  /** TCP connections the listener holds open now, TLS finished or not (leak checks). */
  readonly openSockets: number;
  close(): Promise<void>;
}

/**
 * TLS failure → a reason label for /metrics and the log. Deno's TLS (rustls) tells the
 * server only that a peer sent no certificate; an unknown CA, an expired certificate and a
 * reset mid-handshake all arrive as "socket hang up", hence `handshake_failed`.
 */
export function handshakeReason(err: Error & { code?: string }): string {
  const m = `${err.code ?? ""} ${err.message}`.toLowerCase();
  if (m.includes("did_not_return_a_certificate") || m.includes("no certificate")) {
    return "no_certificate";
  }
  if (m.includes("timeout") || m.includes("timed out")) return "timeout";
  return "handshake_failed";
}

export async function startHub(
  partial: Partial<HubConfig> & Pick<HubConfig, "certsDir" | "dataDir">,
  options: StartOptions,
): Promise<Hub> {
  const config = resolveConfig(partial);
  const log = options.log ?? consoleLog();
  const tls = loadTlsMaterial(config.certsDir);
  const isSerial = serialMatcher(config.serialPattern);
  const metrics = createHubMetrics();
  const shutdown = new AbortController();
  let closeRevokedKeepAlives = () => {};
  const services = await openServices(config, {
    onRevocations: () => closeRevokedKeepAlives(),
    manifest: options.manifest,
    log,
    metrics,
    isSerial,
    shutdown: shutdown.signal,
    bus: options.bus,
    assets: options.assets,
    root: options.root ?? new URL("..", import.meta.url).pathname.replace(/\/$/, ""),
    signerCaPem: tls.ca[0],
    freeSpace: options.freeSpace,
  });
  const { relay, isRevoked } = services;
  const allowedOrigins: ReadonlySet<string> = new Set(config.allowedOrigins);
  const app = createApp({
    manifest: options.manifest,
    state: services.state,
    assets: services.assets,
    metrics,
    log,
    isRevoked,
    maxBodyBytes: MAX_HTTP_BODY,
    allowedOrigins,
  });

  const peers = new WeakMap<object, Peer | null>();
  const peerFor = (socket: TLSSocket): Peer | null => {
    let p = peers.get(socket);
    if (p === undefined) {
      p = peerOf(socket, isSerial);
      peers.set(socket, p);
    }
    return p;
  };

  const server = https.createServer({
    key: tls.key,
    cert: tls.chain,
    ca: tls.ca,
    requestCert: true,
    // Optional verification (nginx's `ssl_verify_client optional`): a browser without a
    // certificate finishes the handshake and gets a page saying what it needs; peerOf()
    // admits only verified certificates. --strict-tls refuses them at the handshake.
    rejectUnauthorized: config.strictTls,
    handshakeTimeout: config.handshakeTimeoutMs,
    maxHeaderSize: 16 * 1024,
  });
  let port = 0;
  const watchdog = new ListenerWatchdog({
    server,
    host: config.host,
    port: () => port,
    metrics,
    log,
  });
  const isProbe = (socket: Duplex) => watchdog.isProbe(socket as Socket);
  const sockets = trackSockets(server, metrics, log, isProbe);
  const guard = guardConnections(server, {
    limits: resolveConnectionLimits(config, readNofileLimit(), log),
    metrics,
    log,
    probes: watchdog,
  });
  const origin = () => `https://localhost:${port}`;

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const ac = new AbortController();
    res.once("close", () => ac.abort());
    let request: Request;
    let refusal: TrustcamError | undefined;
    try {
      request = toRequest(req, origin(), ac.signal);
    } catch (err) {
      if (!(err instanceof RefusedMethod)) throw err;
      request = err.request;
      refusal = new TrustcamError("TC_ERR_METHOD", err.message);
    }
    const socket = req.socket as TLSSocket;
    const peer = peerFor(socket);
    const unverified = peer ? undefined : unverifiedReason(socket);
    app(request, peer, { refusal, unverified })
      .then(async (response) => {
        await writeResponse(res, response);
        // One answer, then the connection ends: nothing else is served without a certificate.
        if (!peer) socket.end();
      })
      .catch((err) => {
        log("error", { path: req.url, error: err });
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
  });
  // A revoked certificate keeps no HTTP connection open: idle keep-alives and streams alike
  // (WebSockets are the relay's, closed with 1008 so the page can say why).
  const upgraded = new WeakSet<object>();
  const secured = new Set<TLSSocket>();
  server.on("secureConnection", (socket: TLSSocket) => {
    secured.add(socket);
    socket.once("close", () => secured.delete(socket));
  });
  closeRevokedKeepAlives = () => {
    for (const socket of secured) {
      const peer = peers.get(socket);
      if (peer && !upgraded.has(socket) && isRevoked(peer)) socket.destroy();
    }
  };
  const onUpgrade = createUpgradeHandler({
    relay,
    metrics,
    log,
    maxFrameBytes: config.maxFrameBytes,
    peerFor,
    isRevoked,
    shutdown: shutdown.signal,
    origin,
    allowedOrigins,
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    onUpgrade(req, socket, head);
  });

  try {
    await listen(server, config);
  } catch (err) {
    shutdown.abort();
    await services.close();
    throw err;
  }
  port = (server.address() as { port: number }).port;

  let ticks = 0;
  const tickTimer = setInterval(() => {
    try {
      services.tick(++ticks);
    } catch (err) {
      log("error", { where: "tick", error: err });
    }
    try {
      guard.flushLog();
      watchdog.tick(guard.accepted, guard.refused);
    } catch (err) {
      log("error", { where: "listener", error: err });
    }
  }, 1000);
  const heartbeatTimer = setInterval(() => relay.heartbeat(), config.pingIntervalMs);

  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log("listen", { url, certs: config.certsDir, data: config.dataDir });

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      shutdown.abort();
      watchdog.close();
      guard.flushLog();
      clearInterval(tickTimer);
      clearInterval(heartbeatTimer);
      await relay.closeAll();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await services.close();
      log("stopped", {});
    })();

  return {
    port,
    state: services.state,
    relay,
    reduced: services.reduced,
    url,
    server,
    get openSockets() {
      return sockets.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function listen(server: https.Server, config: HubConfig): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((err: Error & { code?: string }) => {
    throw new HubStartError(
      err.code === "EADDRINUSE"
        ? `Port ${config.port} on ${config.host} is already in use`
        : `Cannot listen on ${config.host}:${config.port}: ${err.message}`,
      undefined,
      { cause: err },
    );
  });
}

/**
 * Counts open sockets (for shutdown and leak checks), refused handshakes by reason, and
 * answers malformed HTTP without ever crashing.
 */
function trackSockets(
  server: https.Server,
  metrics: HubMetrics,
  log: Log,
  isProbe: (socket: Duplex) => boolean,
): Set<Duplex> {
  const sockets = new Set<Duplex>();
  server.on("connection", (socket: Duplex) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", (err: Error & { code?: string }, socket: TLSSocket) => {
    // The listener watchdog's probes connect and hang up at once: not a refused peer.
    if (isProbe((socket as TLSSocket & { _parent?: Duplex })?._parent ?? socket)) return;
    const reason = handshakeReason(err);
    metrics.handshakesRefused.inc({ reason });
    log("refuse", {
      stage: "tls",
      addr: socket?.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : undefined,
      reason,
      error: err.message,
    });
  });
  // Sockets whose TLS handshake finished: only these can carry an HTTP answer.
  const secured = new WeakSet<object>();
  const refusedHttp = new WeakSet<object>();
  server.on("secureConnection", (socket: TLSSocket) => secured.add(socket));
  server.on("clientError", (err: Error & { code?: string }, socket: Duplex) => {
    // Deno's node:https reports TLS failures here too (handshake timeout, no certificate),
    // just before tlsClientError counts them. An HTTP answer written with end() on such a
    // socket waits for a handshake that never comes, so the socket stayed open for good
    // (stalled handshakes outlived `handshakeTimeoutMs`): destroy it, a microtask later so
    // the tlsClientError log still has the peer's address.
    if (!secured.has(socket)) {
      queueMicrotask(() => socket.destroy());
      return;
    }
    const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
    // A request that keeps coming after the answer (1 MiB of headers) is reported again:
    // count it once.
    if (!refusedHttp.has(socket)) {
      refusedHttp.add(socket);
      metrics.upgradesRefused.inc({ reason: tooLarge ? "headers_too_large" : "bad_request" });
    }
    if (socket.writable) {
      socket.end(
        tooLarge
          ? `HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n${RAW_BASELINE_HEADERS}\r\n`
          : `HTTP/1.1 400 Bad Request\r\nConnection: close\r\n${RAW_BASELINE_HEADERS}\r\n`,
      );
    } else socket.destroy();
  });
  return sockets;
}
