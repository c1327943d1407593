/**
 * Origins and methods over real TLS: a viewer's WebSocket opened by another site's page is
 * refused while a device that sends the ESP32 library's `Origin: file://` still publishes, and
 * methods no route serves (TRACE) are answered 405 with the baseline headers, never 500.
 */
import assert from "node:assert/strict";
import https from "node:https";
import { WebSocket } from "ws";
import { clientOf, fakeJpeg, request, startTestHub, type TestHub } from "./hub_fixture.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import { parseViewerFrame } from "../lib/trailer.ts";

const CAM = "0123A1B2C3D4E5F6A7";

/** Opens /ws with `cert` and an `Origin` header; resolves to the client or the refusal. */
function open(t: TestHub, cert: IssuedCert, origin: string) {
  return new Promise<{ status: number } | { client: ReturnType<typeof clientOf> }>((resolve) => {
    const ws = new WebSocket(t.wsUrl, {
      cert: cert.chainPem,
      key: cert.keyPem,
      ca: t.pki.caPem,
      origin,
    });
    const client = clientOf(ws, cert);
    ws.once("open", () => resolve({ client }));
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once("error", () => {});
  });
}

Deno.test("hub refuses a viewer's WebSocket from another site's page; devices with Origin: file:// publish", async () => {
  await using t = await startTestHub();
  const alice = await t.pki.viewer("alice");
  for (const origin of ["https://evil.example", "null", `http://127.0.0.1:${t.port}`]) {
    assert.deepEqual(await open(t, alice, origin), { status: 403 }, origin);
  }
  const own = await open(t, alice, `https://127.0.0.1:${t.port}`);
  assert.ok("client" in own, "the hub's own origin is admitted");
  const viewer = own.client;

  const device = await open(t, await t.pki.device(CAM), "file://");
  assert.ok("client" in device, "a device's Origin does not matter");
  device.client.ws.send(fakeJpeg(200));
  await viewer.until(() => viewer.binary.length === 1, 5000, "the device's frame");
  assert.equal(parseViewerFrame(viewer.binary[0]).serial, CAM);
  const metrics = (await t.request("/metrics")).text();
  assert.match(metrics, /trustcam_upgrades_refused_total\{reason="origin"\} 3/);
  await viewer.close();
  await device.client.close();
});

Deno.test("hub answers TRACE and unknown methods with 405 and the baseline headers", async () => {
  await using t = await startTestHub();
  const cert = await t.pki.viewer("alice");
  for (const method of ["TRACE", "OPTIONS", "PROPFIND"]) {
    const res = await request(t.port, t.pki.caPem, cert, "/", { method });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers["x-content-type-options"], "nosniff", method);
    assert.equal(res.headers["cross-origin-resource-policy"], "same-origin", method);
    assert.equal(res.headers["referrer-policy"], "no-referrer", method);
    assert.equal((res.json() as { error: { code: string } }).error.code, "TC_ERR_METHOD");
  }
  // Without a certificate the method changes nothing: one 403, then the connection closes.
  const bare = await new Promise<number>((resolve, reject) => {
    https.request({
      host: "127.0.0.1",
      port: t.port,
      path: "/",
      method: "TRACE",
      ca: t.pki.caPem,
      agent: false,
    }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject).end();
  });
  assert.equal(bare, 403);
});
