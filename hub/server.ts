/**
 * The hub: one node:https listener that demands a client certificate from everyone, routes
 * `/ws` upgrades to the relay and everything else to the file routes. This is the I/O shell
 * around the pure modules in lib/.
 */
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Buffer } from "node:buffer";
import type { TLSSocket } from "node:tls";
import { WebSocketServer } from "ws";
import { errorBody, httpStatusOf, TrustcamError } from "../lib/errors.ts";
import { serialMatcher } from "../lib/serial.ts";
import { InProcessBus } from "../lib/bus.ts";
import type { Bus } from "../lib/bus.ts";
import { Registry } from "../lib/registry.ts";
import { SqliteCameraStore } from "./camera_store.ts";
import { RevocationList } from "../lib/revocation.ts";
import { ALLOW_ALL, parsePolicy, type Policy } from "../lib/policy.ts";
import { createRouter, type Manifest } from "../lib/web/router.ts";
import type { Peer } from "../lib/peer.ts";
import { createRenderPage } from "../lib/web/render.tsx";
import { manifest as defaultManifest } from "../manifest.gen.ts";
import { buildAssets } from "./assets.ts";
import { loadTlsMaterial } from "./tls_files.ts";
import { HubStartError } from "./start_error.ts";
import { peerOf } from "./peer.ts";
import { toRequest, writeResponse } from "./http_adapter.ts";
import { Relay } from "./relay.ts";
import { createHubMetrics } from "./hub_metrics.ts";
import { FileWatch } from "./file_watch.ts";
import { SnapshotStore } from "./snapshot_store.ts";
import { consoleLog, type Log } from "./log.ts";
import type { HubConfig } from "./config.ts";
import type { HubState, WebAssets } from "./state.ts";

export const DEFAULT_CONFIG: HubConfig = {
  port: 5000,
  host: "0.0.0.0",
  certsDir: "certs",
  dataDir: "data",
  maxFrameBytes: 2 * 1024 * 1024,
  viewerBufferBytes: 1024 * 1024,
  stallMs: 5000,
  pingIntervalMs: 10_000,
  handshakeTimeoutMs: 10_000,
  serialPattern: "^0123[0-9A-Fa-f]{14}$",
  revocationFile: "certs/revoked.txt",
  policyFile: null,
  dev: false,
};

/** Viewer control messages are small; a bigger one is closed with 1009 before buffering. */
const VIEWER_MAX_PAYLOAD = 4096;
const MAX_HTTP_BODY = 16 * 1024;

export interface StartOptions {
  manifest?: Manifest<HubState>;
  log?: Log;
  bus?: Bus;
  /** Built islands; by default built from the manifest with `deno bundle`. */
  assets?: WebAssets & { close?(): Promise<void> | void };
  /** Project root, for bundling islands. */
  root?: string;
}

export interface Hub extends AsyncDisposable {
  readonly port: number;
  readonly state: HubState;
  readonly relay: Relay;
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
  options: StartOptions = {},
): Promise<Hub> {
  const config: HubConfig = {
    ...DEFAULT_CONFIG,
    revocationFile: `${partial.certsDir}/revoked.txt`,
    ...partial,
  };
  const log = options.log ?? consoleLog();
  const tls = loadTlsMaterial(config.certsDir);
  const isSerial = serialMatcher(config.serialPattern);
  const hubMetrics = createHubMetrics();
  const cleanups: Array<() => unknown> = [];
  const shutdown = new AbortController();

  try {
    Deno.mkdirSync(config.dataDir, { recursive: true });
    const store = new SqliteCameraStore(`${config.dataDir}/trustcam.db`);
    cleanups.push(() => store.close());
    const registry = new Registry({ store, stallMs: config.stallMs });
    cleanups.push(() => registry.flush());
    const snapshots = new SnapshotStore(`${config.dataDir}/snapshots`);

    let revocations = RevocationList.EMPTY;
    let policy: Policy = ALLOW_ALL;
    let relay: Relay | undefined = undefined;
    const revocationWatch = new FileWatch(config.revocationFile, (text) => {
      try {
        revocations = text === null ? RevocationList.EMPTY : RevocationList.parse(text);
      } catch (err) {
        if (!relay) {
          throw new HubStartError(
            `Invalid revocation list "${config.revocationFile}": ${(err as Error).message}`,
            config.revocationFile,
          );
        }
        log("revocations-invalid", { path: config.revocationFile, error: err, kept: "previous" });
        return;
      }
      log("revocations", { path: config.revocationFile, entries: revocations.size });
      const closed = relay?.enforceRevocations((p) => revocations.isRevoked(p)) ?? 0;
      if (closed) log("revocations-enforced", { closed });
    });
    cleanups.push(() => revocationWatch.close());

    if (config.policyFile) {
      const path = config.policyFile;
      const policyWatch = new FileWatch(path, (text) => {
        try {
          if (text === null) throw new Error("file missing");
          policy = parsePolicy(text, isSerial);
        } catch (err) {
          if (!relay) {
            throw new HubStartError(
              `Invalid policy file "${path}": ${(err as Error).message}`,
              path,
            );
          }
          log("policy-invalid", { path, error: err, kept: "previous" });
          return;
        }
        log("policy", { path, policy: policy.describe() });
        relay?.policyChanged();
      });
      cleanups.push(() => policyWatch.close());
    }

    const canSee = (viewer: string, serial: string) => policy.allows(viewer, serial);
    const bus = options.bus ?? new InProcessBus({
      onError: (err) => log("bus-error", { error: err }),
    });
    cleanups.push(() => bus.close());
    relay = new Relay({
      registry,
      bus,
      metrics: hubMetrics,
      log,
      isSerial,
      canSee,
      maxFrameBytes: config.maxFrameBytes,
      viewerBufferBytes: config.viewerBufferBytes,
    });
    const liveRelay = relay;
    cleanups.push(() => snapshots.flush(liveRelay.latest));

    const manifest = options.manifest ?? defaultManifest;
    const root = options.root ?? new URL("..", import.meta.url).pathname.replace(/\/$/, "");
    const assets = options.assets ?? await buildAssets({
      root,
      manifest,
      dev: config.dev,
      log: (line: string) => log("assets", { detail: line }),
    }).catch((err) => {
      throw new HubStartError(`Cannot build the browser bundle: ${err.message}`, undefined, {
        cause: err,
      });
    });
    cleanups.push(() => assets.close?.());

    const state: HubState = {
      config,
      registry,
      bus,
      metrics: hubMetrics.metrics,
      assets,
      canSee,
      isSerial,
      latestJpeg(serial) {
        const f = liveRelay.latest.get(serial);
        return f ? f.data.subarray(0, f.jpegLength) : snapshots.get(serial);
      },
      announce(serial, event) {
        liveRelay.announce(serial, event);
        registry.flush();
      },
      shutdown: shutdown.signal,
    };
    hubMetrics.metrics.collect(() => {
      const counts = liveRelay.connectionCounts;
      hubMetrics.connections.set({ role: "device" }, counts.device);
      hubMetrics.connections.set({ role: "viewer" }, counts.viewer);
    });

    const route = createRouter(manifest, {
      renderPage: createRenderPage({ manifest, assets }),
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

    const sockets = new Set<Duplex>();
    const server = https.createServer({
      key: tls.key,
      cert: tls.chain,
      ca: tls.ca,
      requestCert: true,
      rejectUnauthorized: true,
      handshakeTimeout: config.handshakeTimeoutMs,
      maxHeaderSize: 16 * 1024,
    });
    server.on("connection", (socket: Duplex) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    server.on("tlsClientError", (err: Error & { code?: string }, socket: TLSSocket) => {
      const reason = handshakeReason(err);
      hubMetrics.handshakesRefused.inc({ reason });
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
    server.on("clientError", (err: Error, socket: Duplex) => {
      // Deno's node:https reports TLS failures here too (handshake timeout, no certificate),
      // just before tlsClientError counts them. An HTTP answer written with end() on such a
      // socket waits for a handshake that never comes, so the socket stayed open for good
      // (stalled handshakes outlived `handshakeTimeoutMs`): destroy it, a microtask later so
      // the tlsClientError log still has the peer's address.
      if (!secured.has(socket)) {
        queueMicrotask(() => socket.destroy());
        return;
      }
      // Malformed HTTP (oversized headers, garbage): answer if possible and never crash.
      const tooLarge = (err as Error & { code?: string }).code === "HPE_HEADER_OVERFLOW";
      // A request that keeps coming after the answer (1 MiB of headers) is reported again:
      // count it once.
      if (!refusedHttp.has(socket)) {
        refusedHttp.add(socket);
        hubMetrics.upgradesRefused.inc({ reason: tooLarge ? "headers_too_large" : "bad_request" });
      }
      if (socket.writable) {
        socket.end(
          tooLarge
            ? "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"
            : "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
        );
      } else socket.destroy();
    });

    const origin = () => `https://localhost:${port}`;

    const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket as TLSSocket;
      const peer = peerFor(socket);
      let response: Response;
      try {
        if (!peer) {
          hubMetrics.upgradesRefused.inc({ reason: "no_certificate" });
          throw new TrustcamError("TC_ERR_FORBIDDEN", "A verified client certificate is required");
        }
        if (revocations.isRevoked(peer)) {
          hubMetrics.upgradesRefused.inc({ reason: "revoked" });
          log("refuse", {
            stage: "http",
            cn: peer.cn,
            addr: peer.remoteAddress,
            reason: "revoked",
          });
          throw new TrustcamError("TC_ERR_REVOKED", "Certificate revoked");
        }
        const path = (req.url ?? "/").split("?")[0];
        if (peer.role === "device" && path !== "/healthz") {
          hubMetrics.upgradesRefused.inc({ reason: "wrong_role" });
          throw new TrustcamError("TC_ERR_WRONG_ROLE", "Devices cannot watch");
        }
        const asset = assets.serve(path);
        if (asset) response = asset;
        else {
          const ac = new AbortController();
          res.once("close", () => ac.abort());
          const request = await toRequest(req, origin(), MAX_HTTP_BODY, ac.signal);
          response = await route({ req: request, state, peer });
        }
      } catch (err) {
        response = errorResponse(err, req);
        if (!(err instanceof TrustcamError)) {
          log("error", { path: req.url, error: err, stack: (err as Error).stack });
        }
      }
      hubMetrics.httpRequests.inc({ status: String(response.status) });
      await writeResponse(res, response);
    };
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      onRequest(req, res).catch((err) => {
        log("error", { path: req.url, error: err });
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });

    const deviceWss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: config.maxFrameBytes,
    });
    const viewerWss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: VIEWER_MAX_PAYLOAD,
    });

    const refuseUpgrade = (
      socket: Duplex,
      status: number,
      reason: string,
      fields: Record<string, unknown>,
    ) => {
      hubMetrics.upgradesRefused.inc({ reason });
      log("refuse", { stage: "upgrade", reason, ...fields });
      const text = `${status} ${reason}`;
      const statusText = status === 403
        ? "Forbidden"
        : status === 404
        ? "Not Found"
        : "Service Unavailable";
      // end(), not destroy(): the peer must read the refusal before the socket closes.
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
            `Content-Length: ${text.length}\r\n\r\n${text}`,
        );
      } else socket.destroy();
    };

    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => {}); // Resets during the upgrade are the peer's business.
      const peer = peerFor(socket as TLSSocket);
      const url = new URL(req.url ?? "/", origin());
      const addr = `${(socket as TLSSocket).remoteAddress}:${(socket as TLSSocket).remotePort}`;
      if (!peer) return refuseUpgrade(socket, 403, "no_certificate", { addr });
      const who = { cn: peer.cn, addr };
      if (shutdown.signal.aborted) return refuseUpgrade(socket, 503, "shutting_down", who);
      if (url.pathname !== "/ws") return refuseUpgrade(socket, 404, "not_found", who);
      if (revocations.isRevoked(peer)) return refuseUpgrade(socket, 403, "revoked", who);
      const wss = peer.role === "device" ? deviceWss : viewerWss;
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (shutdown.signal.aborted) return ws.close(1001, "Hub shutting down");
        if (peer.role === "device") liveRelay.attachDevice(ws, peer);
        else liveRelay.attachViewer(ws, peer, url);
      });
    });

    await new Promise<void>((resolve, reject) => {
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
    const port = (server.address() as { port: number }).port;
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));

    let ticks = 0;
    const tickTimer = setInterval(() => {
      ticks++;
      try {
        for (const serial of registry.tick()) liveRelay.announce(serial, "stalled");
        if (ticks % 2 === 0) liveRelay.broadcastStats();
        if (ticks % 5 === 0) {
          registry.flush();
          snapshots.flush(liveRelay.latest).catch((err) =>
            log("error", { where: "snapshots", error: err })
          );
        }
      } catch (err) {
        log("error", { where: "tick", error: err });
      }
    }, 1000);
    const heartbeatTimer = setInterval(() => liveRelay.heartbeat(), config.pingIntervalMs);

    const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    const url = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
    log("listen", { url, certs: config.certsDir, data: config.dataDir });

    let closing: Promise<void> | undefined;
    const close = () =>
      closing ??= (async () => {
        shutdown.abort();
        clearInterval(tickTimer);
        clearInterval(heartbeatTimer);
        await liveRelay.closeAll();
        for (const s of sockets) s.destroy();
        for (const fn of cleanups.reverse()) await fn();
        log("stopped", {});
      })();

    return {
      port,
      state,
      relay: liveRelay,
      url,
      server,
      get openSockets() {
        return sockets.size;
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    shutdown.abort();
    for (const fn of cleanups.reverse()) await fn();
    throw err;
  }
}

/** The one place an error becomes an HTTP response: JSON for the API, a page for people. */
export function errorResponse(err: unknown, req: { headers: IncomingMessage["headers"] }) {
  const status = httpStatusOf(err);
  const body = errorBody(err);
  const wantsHtml = (req.headers.accept ?? "").includes("text/html");
  if (wantsHtml) {
    return new Response(
      `<!doctype html><meta charset="utf-8"><title>${status}</title>` +
        `<body style="background:#0b0f14;color:#e6edf3;font-family:system-ui;padding:2rem">` +
        `<h1>${status}</h1><p>${
          escapeHtml(body.message)
        }</p><p><a style="color:#7cc4ff" href="/">Back to the wall</a></p>`,
      { status, headers: { "content-type": "text/html; charset=utf-8" } },
    );
  }
  return Response.json({ error: body }, { status });
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
