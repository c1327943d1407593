/**
 * A real hub on 127.0.0.1 port 0 with real certificates, and real mTLS clients for it.
 * Everything it opens is closed by `close()`; tests use `await using`.
 */
import https from "node:https";
import { WebSocket } from "ws";
import { createTestPki, type IssuedCert, type TestPki } from "./pki_fixture.ts";
import { type Hub, startHub, type StartOptions } from "../hub/server.ts";
import type { HubConfig } from "../hub/config.ts";
import { buildViewerFrame } from "../lib/trailer.ts";
import { manifest } from "../manifest.gen.ts";
import { fakeJpeg } from "../harness/fake_jpeg.ts";
import { buildAssets } from "../hub/assets.ts";
import type { WebAssets } from "../lib/web/web_assets.ts";

export { fakeJpeg };
import { waitFor } from "./wait_for.ts";

export { waitFor };

export interface Captured {
  lines: string[];
}

export interface TestHub extends AsyncDisposable {
  hub: Hub;
  pki: TestPki;
  dataDir: string;
  log: string[];
  port: number;
  wsUrl: string;
  /** Opens a device connection with a fresh certificate whose CN is `serial`. */
  device(serial: string, cert?: IssuedCert): Promise<TestClient>;
  /** Opens a viewer connection; `query` is appended to /ws (e.g. "?cameras=…"). */
  viewer(name: string, query?: string, cert?: IssuedCert): Promise<TestClient>;
  /** GET/PATCH with a client certificate (a viewer "tester" by default). */
  request(path: string, init?: RequestOptions): Promise<TestResponse>;
  /**
   * Stops the hub and starts it again on the same port and data; `whileDown` is awaited in
   * between (a page's failed attempt, say, so that what follows is not a race). The new hub
   * bundles its islands afresh unless `opts.sameBundle` (a test timing what follows the start).
   */
  restart(
    config?: Partial<HubConfig>,
    whileDown?: () => Promise<unknown>,
    opts?: { sameBundle?: boolean },
  ): Promise<void>;
  close(): Promise<void>;
}

export interface RequestOptions {
  method?: string;
  body?: string;
  cert?: IssuedCert;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  text(): string;
  json(): unknown;
}

export interface TestClient extends AsyncDisposable {
  ws: WebSocket;
  cert: IssuedCert;
  binary: Uint8Array[];
  texts: unknown[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves when `pred` holds for the client's state, or rejects after `ms`. */
  until(pred: () => boolean, ms?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The islands bundle, built once per test file: each hub would otherwise spawn `deno bundle`
 * at start-up (about a second of CPU), the same bundle every time. Without close(): the hubs
 * that serve it must not end it for the next one.
 */
let sharedAssets: Promise<WebAssets> | undefined;

function islandsBundle(): Promise<WebAssets> {
  sharedAssets ??= buildAssets({
    root: new URL("..", import.meta.url).pathname.replace(/\/$/, ""),
    manifest,
    dev: false,
  }).then(
    (built): WebAssets => ({ scriptUrl: built.scriptUrl, serve: (p) => built.serve(p) }),
    (err) => {
      // The next hub tries again; this one fails with the bundler's message.
      sharedAssets = undefined;
      throw err;
    },
  );
  return sharedAssets;
}

export async function startTestHub(
  config: Partial<HubConfig> = {},
  options: Pick<StartOptions, "freeSpace"> = {},
): Promise<TestHub> {
  const pki = await createTestPki();
  const dataDir = await Deno.makeTempDir({ prefix: "trustcam_data_" });
  const log: string[] = [];
  const clients = new Set<TestClient>();
  const base = {
    certsDir: pki.dir,
    dataDir,
    host: "127.0.0.1",
    port: 0,
    // Tests send frames as fast as their loops run; the per-device rate limit (--max-fps)
    // has tests of its own, which set it.
    maxFps: 100_000,
    ...config,
  };
  const hubOptions = {
    ...options,
    // A dev hub watches and rebuilds its own bundle.
    assets: base.dev ? undefined : await islandsBundle(),
    manifest,
    log: (event: string, fields?: Record<string, unknown>) => log.push(fmt(event, fields)),
  };
  let hub = await startHub(base, hubOptions);
  const tester = await pki.viewer("tester");

  const connect = (cert: IssuedCert, query = "") =>
    openClient(`wss://127.0.0.1:${hub.port}/ws${query}`, cert, pki.caPem, clients);

  const t: TestHub = {
    get hub() {
      return hub;
    },
    pki,
    dataDir,
    log,
    get port() {
      return hub.port;
    },
    get wsUrl() {
      return `wss://127.0.0.1:${hub.port}/ws`;
    },
    async device(serial, cert) {
      return await connect(cert ?? await pki.device(serial));
    },
    async viewer(name, query, cert) {
      return await connect(cert ?? await pki.viewer(name), query);
    },
    // A connection the hub closed says what the hub logged about refusals and its listener.
    request: (path, init = {}) =>
      request(hub.port, pki.caPem, init.cert ?? tester, path, init).catch((err) => {
        const told = log.filter((l) => /^(refuse|listener|error) /.test(l)).slice(-20);
        throw new Error(`${path}: ${err.message}\n${told.join("\n")}`, { cause: err });
      }),
    async restart(more = {}, whileDown, opts = {}) {
      await hub.close();
      await whileDown?.();
      // Bundled afresh, as a hub's start does: the reconnect tests (the page's attempts and
      // probe while the hub is down, tests/browser_revoked_test.ts) were tuned to that gap.
      hub = await startHub({ ...base, port: hub.port, ...more }, {
        ...hubOptions,
        assets: opts.sameBundle ? hubOptions.assets : undefined,
      });
    },
    async close() {
      await Promise.all([...clients].map((c) => c.close()));
      await hub.close();
      await Deno.remove(dataDir, { recursive: true });
      await pki.cleanup();
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  return t;
}

function fmt(event: string, fields: Record<string, unknown> = {}): string {
  return `${event} ${
    Object.entries(fields).map(([k, v]) => `${k}=${v instanceof Error ? v.message : v}`).join(" ")
  }`;
}

/**
 * Opens a WebSocket with `cert`, trusting `caPem`; resolves once it is open, rejects when the
 * upgrade is refused. The client is in `clients` until it closes.
 */
export async function openClient(
  url: string,
  cert: IssuedCert,
  caPem: string,
  clients: Set<TestClient>,
): Promise<TestClient> {
  const ws = new WebSocket(url, { cert: cert.chainPem, key: cert.keyPem, ca: caPem });
  const client = clientOf(ws, cert);
  clients.add(client);
  client.closed.then(() => clients.delete(client));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => {
      reject(new Error(`Upgrade refused: ${res.statusCode}`));
      res.resume();
    });
  });
  return client;
}

export function clientOf(ws: WebSocket, cert: IssuedCert): TestClient {
  const binary: Uint8Array[] = [];
  const texts: unknown[] = [];
  ws.on("message", (data: Uint8Array, isBinary: boolean) => {
    if (isBinary) binary.push(new Uint8Array(data));
    else texts.push(JSON.parse(new TextDecoder().decode(data)));
  });
  ws.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once(
      "close",
      (code: number, reason: Uint8Array) =>
        resolve({ code, reason: new TextDecoder().decode(reason) }),
    )
  );
  const client: TestClient = {
    ws,
    cert,
    binary,
    texts,
    closed,
    until: (pred, ms = 5000, what = "client condition") => waitFor(pred, ms, what),
    async close() {
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close();
      const timer = setTimeout(() => ws.terminate(), 2000);
      await closed;
      clearTimeout(timer);
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  return client;
}

export function request(
  port: number,
  caPem: string,
  cert: IssuedCert | null,
  path: string,
  init: RequestOptions = {},
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: "127.0.0.1",
      port,
      path,
      method: init.method ?? "GET",
      ca: caPem,
      cert: cert?.chainPem,
      key: cert?.keyPem,
      agent: false,
      headers: {
        ...(init.body ? { "content-type": "application/json" } : {}),
        connection: "close",
        ...init.headers,
      },
    }, (res) => {
      const chunks: Uint8Array[] = [];
      res.on("data", (c: Uint8Array) => chunks.push(c));
      res.on("end", () => {
        const body = concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          text: () => new TextDecoder().decode(body),
          json: () => JSON.parse(new TextDecoder().decode(body)),
        });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** What a viewer must receive for `jpeg` from `serial`. */
export function expectedViewerFrame(jpeg: Uint8Array, serial: string): Uint8Array {
  return buildViewerFrame(jpeg, serial);
}
