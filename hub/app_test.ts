import assert from "node:assert/strict";
import { createApp, withBoundedBody } from "./app.ts";
import { createHubMetrics } from "./hub_metrics.ts";
import { Registry } from "../lib/registry.ts";
import { TrustcamError } from "../lib/errors.ts";
import type { Peer } from "../lib/peer.ts";
import { manifest } from "../manifest.gen.ts";
import { pageState, VIEWER } from "../tests/page_fixture.ts";
import { PREFS_MAX_BODY_BYTES } from "../routes/api/prefs.ts";

const CAMERA = "0123A1B2C3D4E5F6A7";
const DEVICE: Peer = { ...VIEWER, role: "device", cn: CAMERA };
const ASSET = "/_trustcam/islands-0000000000000000.js";

function app(opts: { revoked?: string[] } = {}) {
  const registry = new Registry();
  registry.connected(CAMERA);
  const metrics = createHubMetrics();
  const log: string[] = [];
  const handle = createApp({
    manifest,
    state: pageState({ registry }),
    assets: {
      scriptUrl: ASSET,
      serve: (path) => path === ASSET ? new Response("export {};") : undefined,
    },
    metrics,
    log: (event) => log.push(event),
    isRevoked: (p) => (opts.revoked ?? []).includes(p.cn),
    maxBodyBytes: 64,
    allowedOrigins: new Set(["https://cams.example.org"]),
  });
  return { handle, metrics, log, registry };
}

function get(path: string, init: RequestInit = {}): Request {
  return new Request(`https://localhost:5000${path}`, init);
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return (await res.json()).error;
}

Deno.test("createApp() refuses a request without a verified certificate, counted", async () => {
  const { handle, metrics } = app();
  for (const path of ["/", "/healthz", ASSET, "/nowhere", "/api/cameras", "/metrics"]) {
    const res = await handle(get(path), null);
    assert.equal(res.status, 403, path);
    assert.equal(res.headers.get("connection"), "close");
    assert.deepEqual(await errorOf(res), {
      code: "TC_ERR_CERTIFICATE_REQUIRED",
      message: "A client certificate is required",
      reason: "no_certificate",
    });
  }
  const expired = await handle(get("/"), null, { unverified: "expired" });
  assert.equal((await errorOf(expired)).message, "Client certificate expired");
  await handle(get("/"), null, { unverified: "untrusted" });
  const text = metrics.metrics.render();
  assert.match(text, /upgrades_refused_total\{reason="no_certificate"\} 6/);
  assert.match(text, /upgrades_refused_total\{reason="expired"\} 1/);
  assert.match(text, /upgrades_refused_total\{reason="untrusted"\} 1/);
});

Deno.test("createApp() shows people without a certificate how to get one, and nothing else", async () => {
  const { handle } = app();
  const res = await handle(get(`/cameras/${CAMERA}`, { headers: { accept: "text/html" } }), null);
  assert.equal(res.status, 403);
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  const html = await res.text();
  assert.match(html, /<h1>A client certificate is required<\/h1>/);
  assert.match(html, /deno task certs viewer/);
  assert.match(html, /Your certificates › Import/);
  assert.doesNotMatch(html, /<script|<img|<link|src=|href=/);
  assert.doesNotMatch(html, new RegExp(CAMERA));
});

Deno.test("createApp() refuses a revoked certificate before any route or asset", async () => {
  const { handle, log } = app({ revoked: ["alice"] });
  for (const path of ["/", "/healthz", ASSET, "/api/cameras"]) {
    const res = await handle(get(path), VIEWER);
    assert.equal(res.status, 403, path);
    assert.equal((await errorOf(res)).code, "TC_ERR_REVOKED");
  }
  assert.ok(log.includes("refuse"));
});

Deno.test("createApp() lets devices ask /healthz only, by the route's config", async () => {
  const { handle } = app();
  const health = await handle(get("/healthz"), DEVICE);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).ok, true);
  for (const path of ["/", ASSET, "/api/cameras", `/cameras/${CAMERA}`, "/nowhere", "/metrics"]) {
    const res = await handle(get(path), DEVICE);
    assert.equal(res.status, 403, path);
    assert.equal((await errorOf(res)).code, "TC_ERR_WRONG_ROLE", path);
  }
});

Deno.test("createApp() serves pages, assets and the API to a viewer", async () => {
  const { handle } = app();
  const page = await handle(get("/", { headers: { accept: "text/html" } }), VIEWER);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /data-viewer[^>]*>alice</);
  assert.equal(await (await handle(get(ASSET), VIEWER)).text(), "export {};");
  const list = await (await handle(get("/api/cameras"), VIEWER)).json();
  assert.deepEqual(list.cameras.map((c: { serial: string }) => c.serial), [CAMERA]);
});

Deno.test("createApp() maps the router's 404 and 405 onto the error table", async () => {
  const { handle, metrics } = app();
  const missing = await handle(get("/nowhere"), VIEWER);
  assert.equal(missing.status, 404);
  assert.deepEqual(await errorOf(missing), {
    code: "TC_ERR_NOT_FOUND",
    message: 'Not found: "/nowhere"',
  });
  const method = await handle(get("/", { method: "DELETE" }), VIEWER);
  assert.equal(method.status, 405);
  assert.equal((await errorOf(method)).code, "TC_ERR_METHOD");
  assert.match(metrics.metrics.render(), /http_requests_total\{status="404"\} 1/);
});

Deno.test("createApp() errors carry the security headers, as a page for browsers", async () => {
  const { handle } = app();
  const json = await handle(get("/nowhere"), VIEWER);
  const page = await handle(get("/cameras/%3Cb%3E", { headers: { accept: "text/html" } }), VIEWER);
  for (const res of [json, page]) {
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("cross-origin-resource-policy"), "same-origin");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.equal(res.headers.get("cache-control"), "no-store");
  }
  assert.equal(json.headers.get("content-type"), "application/json");
  const html = await page.text();
  assert.match(html, /<h1>400<\/h1>/);
  assert.match(html, /&#60;b&#62;/);
  assert.doesNotMatch(html, /<b>/);
});

Deno.test("createApp() reads a body only up to its limit, after admitting the peer", async () => {
  const { handle, registry } = app();
  const patch = (body: string, peer: Peer | null) =>
    handle(get(`/api/cameras/${CAMERA}`, { method: "PATCH", body }), peer);
  const big = JSON.stringify({ name: "x".repeat(100) });
  const refused = await patch(big, VIEWER);
  assert.equal(refused.status, 413);
  assert.equal((await errorOf(refused)).code, "TC_ERR_BODY_TOO_LARGE");
  assert.equal((await patch(big, null)).status, 403);
  const ok = await patch(JSON.stringify({ name: "Front door" }), VIEWER);
  assert.equal(ok.status, 200);
  assert.equal(registry.get(CAMERA)?.name, "Front door");
});

Deno.test("createApp() reads up to a route's own maxBodyBytes where its config sets one", async () => {
  const { handle } = app();
  // /api/prefs takes a long camera order: far beyond this app's 64-byte default.
  const body = JSON.stringify({ order: Array(20).fill(CAMERA) });
  assert.ok(body.length > 64);
  const res = await handle(get("/api/prefs", { method: "PUT", body }), VIEWER);
  // Read whole and parsed: the page state keeps no preferences, so the route says so.
  assert.equal(res.status, 404);
  assert.deepEqual(await errorOf(res), {
    code: "TC_ERR_NOT_FOUND",
    message: "Preferences are not kept by this hub",
  });
  const tooBig = await handle(
    get("/api/prefs", { method: "PUT", body: "x".repeat(PREFS_MAX_BODY_BYTES + 1) }),
    VIEWER,
  );
  assert.equal(tooBig.status, 413);
  assert.equal(
    (await errorOf(tooBig)).message,
    // A Request built in the test declares no length: the bytes are counted.
    `Request body too large: more than ${PREFS_MAX_BODY_BYTES} bytes`,
  );
});

Deno.test("withBoundedBody() counts streamed bytes when no length is declared", async () => {
  const chunks = [new Uint8Array(40), new Uint8Array(40)];
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = chunks.shift();
      if (next) c.enqueue(next);
      else c.close();
    },
  });
  const req = new Request("https://localhost/x", { method: "POST", body });
  await assert.rejects(
    () => withBoundedBody(req, 64),
    (err) =>
      err instanceof TrustcamError && err.code === "TC_ERR_BODY_TOO_LARGE" &&
      err.message === "Request body too large: more than 64 bytes",
  );
  const small = await withBoundedBody(
    new Request("https://localhost/x", { method: "POST", body: "hello" }),
    64,
  );
  assert.equal(await small.text(), "hello");
});

Deno.test("createApp() refuses a viewer's state change started by another site's page", async () => {
  const { handle, registry, metrics } = app();
  const rename = (headers: Record<string, string>, peer: Peer = VIEWER) =>
    handle(
      get(`/api/cameras/${CAMERA}`, {
        method: "PATCH",
        body: JSON.stringify({ name: "Pwned" }),
        headers: { host: "localhost:5000", ...headers },
      }),
      peer,
    );
  for (const origin of ["https://evil.example", "null", "http://localhost:5000"]) {
    const res = await rename({ origin });
    assert.equal(res.status, 403, origin);
    assert.deepEqual(await errorOf(res), {
      code: "TC_ERR_ORIGIN",
      message: `Requests from another site are refused: "${origin}"`,
    });
  }
  assert.notEqual(registry.get(CAMERA)?.name, "Pwned");
  assert.match(metrics.metrics.render(), /upgrades_refused_total\{reason="origin"\} 3/);
  assert.equal((await rename({ origin: "https://localhost:5000" })).status, 200);
  assert.equal((await rename({ origin: "https://cams.example.org" })).status, 200);
  assert.equal((await rename({})).status, 200, "no Origin: not a browser acting for someone");
  // Reading is not acting: a cross-site GET gets no CORS headers, so its page reads nothing.
  const read = await handle(
    get("/api/cameras", { headers: { origin: "https://evil.example" } }),
    VIEWER,
  );
  assert.equal(read.status, 200);
  assert.equal(read.headers.get("access-control-allow-origin"), null);
});

Deno.test("createApp() answers every kind of response with the baseline headers", async () => {
  const { handle } = app();
  const responses = {
    page: await handle(get("/"), VIEWER),
    asset: await handle(get(ASSET), VIEWER),
    api: await handle(get("/api/cameras"), VIEWER),
    health: await handle(get("/healthz"), DEVICE),
    error: await handle(get("/nowhere"), VIEWER),
    refused: await handle(get("/"), null),
  };
  for (const [kind, res] of Object.entries(responses)) {
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", kind);
    assert.equal(res.headers.get("cross-origin-resource-policy"), "same-origin", kind);
    assert.equal(res.headers.get("referrer-policy"), "no-referrer", kind);
    await res.body?.cancel();
  }
  assert.equal(responses.api.headers.get("cache-control"), "no-store");
  assert.equal(responses.health.headers.get("cache-control"), "no-store");
});

Deno.test("createApp() refuses a method no route serves with 405, after the peer check", async () => {
  const { handle } = app();
  const refusal = new TrustcamError("TC_ERR_METHOD", 'Method not allowed: "TRACE"');
  const res = await handle(get("/"), VIEWER, { refusal });
  assert.equal(res.status, 405);
  assert.equal((await errorOf(res)).message, 'Method not allowed: "TRACE"');
  assert.equal((await handle(get("/"), null, { refusal })).status, 403);
  assert.equal((await handle(get("/", { method: "OPTIONS" }), VIEWER)).status, 405);
  assert.equal((await handle(get("/api/cameras", { method: "PROPFIND" }), VIEWER)).status, 405);
});
