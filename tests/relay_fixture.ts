/**
 * A {@link Relay} behind a real mTLS listener on 127.0.0.1 port 0, without the rest of the hub,
 * for tests that set the relay's own options (an injected clock, rates). Real certificates and
 * real `ws` clients, as in tests/hub_fixture.ts; everything is closed by `close()`.
 */
import https from "node:https";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Buffer } from "node:buffer";
import type { TLSSocket } from "node:tls";
import { WebSocketServer } from "ws";
import { openClient, type TestClient } from "./hub_fixture.ts";
import { createTestPki, type IssuedCert, type TestPki } from "./pki_fixture.ts";
import { Relay, type RelayOptions } from "../hub/relay.ts";
import { createHubMetrics } from "../hub/hub_metrics.ts";
import { loadTlsMaterial } from "../hub/tls_files.ts";
import { peerOf } from "../hub/peer.ts";
import { InProcessBus } from "../lib/bus.ts";
import { Registry } from "../lib/registry.ts";
import { serialMatcher } from "../lib/serial.ts";

export interface TestRelay extends AsyncDisposable {
  relay: Relay;
  bus: InProcessBus;
  registry: Registry;
  /** The relay's metrics, as /metrics would render them. */
  metricsText(): string;
  pki: TestPki;
  /** The listener's port on 127.0.0.1. */
  port: number;
  /** The relay's log, one `event key=value …` line each. */
  log: string[];
  device(serial: string): Promise<TestClient>;
  /** `query` is appended to /ws (e.g. "?cameras=…"). */
  viewer(name: string, query?: string): Promise<TestClient>;
  close(): Promise<void>;
}

export async function startTestRelay(options: Partial<RelayOptions> = {}): Promise<TestRelay> {
  const pki = await createTestPki();
  const tls = loadTlsMaterial(pki.dir);
  const isSerial = serialMatcher();
  const registry = new Registry();
  const bus = new InProcessBus();
  const log: string[] = [];
  const metrics = createHubMetrics();
  const relay = new Relay({
    registry,
    bus,
    metrics,
    log: (event, fields = {}) =>
      log.push(`${event} ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(" ")}`),
    isSerial,
    canSee: () => true,
    maxFrameBytes: 1024 * 1024,
    viewerBufferBytes: 1024 * 1024,
    maxFps: 100_000,
    ...options,
  });
  const server = https.createServer({
    key: tls.key,
    cert: tls.chain,
    ca: tls.ca,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const sockets = new Set<Duplex>();
  server.on("connection", (socket: Duplex) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const peer = peerOf(socket as TLSSocket, isSerial);
    if (!peer) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (peer.role === "device") relay.attachDevice(ws, peer);
      else relay.attachViewer(ws, peer, new URL(req.url ?? "/", "https://localhost"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const clients = new Set<TestClient>();

  const connect = (cert: IssuedCert, query = "") =>
    openClient(`wss://127.0.0.1:${port}/ws${query}`, cert, pki.caPem, clients);

  const t: TestRelay = {
    relay,
    metricsText: () => metrics.metrics.render(),
    bus,
    registry,
    pki,
    port,
    log,
    device: async (serial) => connect(await pki.device(serial)),
    viewer: async (name, query) => connect(await pki.viewer(name), query),
    async close() {
      await Promise.all([...clients].map((c) => c.close()));
      await relay.closeAll();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await bus.close();
      await pki.cleanup();
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  return t;
}
