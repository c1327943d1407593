/**
 * A minimal mTLS WebSocket endpoint for device-side tests (simulated cameras): it records
 * who connected (the certificate CN) and every message, and can be crashed and restarted on
 * the same port. Not the hub: tests of the hub use tests/hub_fixture.ts.
 */
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
// @ts-types="@types/ws"
import { type WebSocket, WebSocketServer } from "ws";
import { createTestPki, type TestPki } from "./pki_fixture.ts";

export interface Received {
  cn: string;
  binary: boolean;
  data: Uint8Array;
  at: number;
}

/** Records every device connection (CN, fingerprint) and message, over real mTLS. */
export class DeviceSink {
  readonly received: Received[] = [];
  /** CN of each accepted connection, in order. */
  readonly peers: string[] = [];
  /** SHA-256 of each accepted connection's certificate: lower-case hex, no colons. */
  readonly fingerprints: string[] = [];
  /** Close codes of finished connections. */
  readonly closes: number[] = [];
  /** Close every device connection as soon as it opens. */
  closeWith: { code: number; reason: string } | undefined;
  #server: https.Server;
  #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  #sockets = new Set<Socket>();

  constructor(pki: TestPki) {
    this.#server = https.createServer({
      key: pki.server.keyPem,
      cert: pki.server.chainPem,
      ca: pki.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    this.#server.on("secureConnection", (s) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
    this.#server.on("upgrade", (req, socket, head) => {
      const tls = req.socket as TLSSocket;
      const peer = tls.getPeerCertificate();
      const cn = String(peer.subject?.CN ?? "");
      const fingerprint = String(peer.fingerprint256 ?? "").replaceAll(":", "").toLowerCase();
      this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        this.peers.push(cn);
        this.fingerprints.push(fingerprint);
        if (this.closeWith) ws.close(this.closeWith.code, this.closeWith.reason);
        ws.on("message", (data: Buffer, isBinary: boolean) => {
          this.received.push({ cn, binary: isBinary, data: new Uint8Array(data), at: Date.now() });
        });
        ws.on("close", (code: number) => this.closes.push(code));
      });
    });
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => resolve());
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** Like a hub crash: connections cut without a close handshake, then the port released. */
  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  frames(): Received[] {
    return this.received.filter((r) => r.binary);
  }

  texts(): Received[] {
    return this.received.filter((r) => !r.binary);
  }
}

/** Connection options for a simulated camera with a fresh certificate for `serial`. */
export async function cameraOptions(pki: TestPki, port: number, serial = "0123CAFE0000000001") {
  const cert = await pki.device(serial);
  return {
    server: `wss://127.0.0.1:${port}/ws`,
    serial,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    chainPem: cert.chainPem,
    caPem: pki.caPem,
  };
}

/** A fresh test PKI and device sink listening on a port; both closed after `fn`. */
export async function withSink(
  fn: (ctx: { pki: TestPki; hub: DeviceSink; port: number }) => Promise<void>,
): Promise<void> {
  const pki = await createTestPki();
  const hub = new DeviceSink(pki);
  try {
    await fn({ pki, hub, port: await hub.listen() });
  } finally {
    await hub.close();
    await pki.cleanup();
  }
}
