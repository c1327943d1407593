/**
 * The soak's own clients, run inside the orchestrator: a viewer WebSocket (`ws`, as a Node
 * program would connect), an MJPEG reader (`node:https`), the /metrics scrape, and the small
 * helpers the churn loops share. Every client is a real mTLS peer on 127.0.0.1.
 */
// @ts-types="@types/ws"
import WebSocket from "ws";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import { parseViewerFrame } from "../lib/trailer.ts";
import { readStamp } from "../lib/jpeg_com.ts";

/** Where the hub is and what clients trust. */
export interface HubTarget {
  port: number;
  /** root + signer CA PEM */
  caPem: string;
}

/** A client certificate: the bench's (bench_pki.ts) or one issued by the CLI's functions. */
export interface ClientCred {
  cn: string;
  chainPem: string;
  keyPem: string;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** `p`'s value, or null after `ms` (the timer is cleared either way). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<null>((r) => timer = setTimeout(() => r(null), ms))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so two soaks churn alike. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A viewer connection: frames counted per camera, text messages handed to `onText`. */
export class SoakViewer {
  readonly cn: string;
  frames = 0;
  readonly bySerial = new Map<string, number>();
  /** Resolves with the close code once the connection is gone. */
  readonly closed: Promise<number>;
  onText: ((msg: Record<string, unknown>) => void) | undefined;
  /** `stampMs`: when the camera sent the frame (bench/cameras_process.ts stamps it), if known */
  onFrame: ((serial: string, stampMs: number | null) => void) | undefined;
  #ws: WebSocket;
  #first: Promise<void>;

  private constructor(ws: WebSocket, cn: string) {
    this.#ws = ws;
    this.cn = cn;
    this.closed = new Promise((resolve) => ws.once("close", (code: number) => resolve(code)));
    // A reset after the open is reported here, then as the close: nothing to do but count it.
    ws.on("error", () => {});
    this.#first = new Promise((resolve) => {
      ws.on("message", (data: Uint8Array, isBinary: boolean) => {
        if (!isBinary) {
          this.onText?.(JSON.parse(String(data)));
          return;
        }
        const { serial, jpeg } = parseViewerFrame(data);
        this.frames++;
        this.bySerial.set(serial, (this.bySerial.get(serial) ?? 0) + 1);
        if (this.onFrame) this.onFrame(serial, readStamp(jpeg)?.t ?? null);
        resolve();
      });
    });
  }

  /** Opens /ws`query`; rejects with the status when the upgrade is refused. */
  static connect(t: HubTarget, cred: ClientCred, query = ""): Promise<SoakViewer> {
    const ws = new WebSocket(`wss://127.0.0.1:${t.port}/ws${query}`, {
      cert: cred.chainPem,
      key: cred.keyPem,
      ca: t.caPem,
      perMessageDeflate: false,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
    });
    const v = new SoakViewer(ws, cred.cn);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(v));
      ws.once("error", (err) => reject(err));
      ws.once("unexpected-response", (_req, res) => {
        reject(new Error(`Upgrade refused for ${cred.cn}: ${res.statusCode}`));
        res.resume();
        ws.terminate();
      });
    });
  }

  /** Resolves once a frame has arrived, or false after `ms`. */
  async firstFrame(ms: number): Promise<boolean> {
    return (await within(this.#first.then(() => true), ms)) ?? false;
  }

  send(msg: object): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(msg));
  }

  /** `clean`: a close frame; otherwise the TCP connection is cut. Resolves once closed. */
  async close(clean: boolean): Promise<void> {
    if (clean) this.#ws.close(1000);
    else this.#ws.terminate();
    // A hub that never answers the close frame must not hold the soak for ws's 30 s.
    if ((await within(this.closed, 5000)) === null) this.#ws.terminate();
    await this.closed;
  }
}

/** `GET /api/cameras/:serial/stream.mjpeg`, counting the bytes that arrive. */
export class MjpegReader {
  bytes = 0;
  /** Resolves when the response ends, by either side. */
  readonly ended: Promise<void>;
  #req: ReturnType<typeof https.get>;
  #first: Promise<void>;

  private constructor(req: ReturnType<typeof https.get>, res: IncomingMessage) {
    this.#req = req;
    this.#first = new Promise((resolve) => res.once("data", () => resolve()));
    res.on("data", (c: Uint8Array) => this.bytes += c.byteLength);
    res.on("error", () => {});
    this.ended = new Promise<void>((resolve) => {
      res.once("end", resolve);
      res.once("close", resolve);
      res.once("error", () => resolve());
    });
  }

  /** Resolves on a 200 response; rejects with the status otherwise. */
  static open(t: HubTarget, cred: ClientCred, serial: string): Promise<MjpegReader> {
    return new Promise((resolve, reject) => {
      const req = https.get({
        host: "127.0.0.1",
        port: t.port,
        path: `/api/cameras/${serial}/stream.mjpeg`,
        ca: t.caPem,
        cert: cred.chainPem,
        key: cred.keyPem,
        agent: false,
        timeout: CONNECT_TIMEOUT_MS,
      }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`MJPEG of ${serial} for ${cred.cn}: ${res.statusCode}`));
          return;
        }
        req.setTimeout(0);
        resolve(new MjpegReader(req, res));
      });
      req.on("timeout", () => req.destroy(new Error("MJPEG request timed out")));
      req.on("error", reject);
    });
  }

  async firstBytes(ms: number): Promise<boolean> {
    return (await within(this.#first.then(() => true), ms)) ?? false;
  }

  /** Ends the request (the client going away); resolves once the response is over. */
  async close(): Promise<void> {
    this.#req.destroy();
    await this.ended;
  }
}

/** GET `path` with `cred`: status and body text. */
export function get(
  t: HubTarget,
  cred: ClientCred,
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({
      host: "127.0.0.1",
      port: t.port,
      path,
      ca: t.caPem,
      cert: cred.chainPem,
      key: cred.keyPem,
      agent: false,
      timeout: CONNECT_TIMEOUT_MS,
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => body += c);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
  });
}

/** Prometheus text → series name (labels included, as written) → value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const sp = line.lastIndexOf(" ");
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}
