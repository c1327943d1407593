/**
 * The hub over real TLS on 127.0.0.1: real certificates from lib/pki.ts, real `ws` clients.
 */
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import {
  expectedViewerFrame,
  fakeJpeg,
  request,
  startTestHub,
  type TestClient,
  waitFor,
} from "./hub_fixture.ts";
import { parseViewerFrame } from "../lib/trailer.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import { FAKE_JPEG_OVERHEAD } from "../harness/fake_jpeg.ts";

const CAM_A = "0123A1B2C3D4E5F6A7";
const CAM_B = "0123B1B2C3D4E5F6B7";
const CAM_C = "0123C1B2C3D4E5F6C7";

function send(client: TestClient, data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) =>
    client.ws.send(data, (err) => err ? reject(err) : resolve())
  );
}

function frameCount(client: TestClient, serial: string): number {
  return client.binary.filter((b) => parseViewerFrame(b).serial === serial).length;
}

function events(client: TestClient, type: string, event?: string): Record<string, unknown>[] {
  return (client.texts as Record<string, unknown>[]).filter((t) =>
    t.type === type && (event === undefined || t.event === event)
  );
}

async function metric(t: Awaited<ReturnType<typeof startTestHub>>, line: RegExp): Promise<number> {
  const text = (await t.request("/metrics")).text();
  const m = text.split("\n").find((l) => line.test(l));
  return m ? Number(m.split(" ").at(-1)) : 0;
}

Deno.test("hub relays a device's frame byte-exact with the trailer to two viewers", async () => {
  await using t = await startTestHub();
  const v1 = await t.viewer("alice");
  const v2 = await t.viewer("bob");
  const dev = await t.device(CAM_A);
  await v1.until(() => events(v1, "camera", "online").length > 0, 5000, "online event");
  const jpeg = fakeJpeg(5000, 0x42);
  await send(dev, jpeg);
  await v1.until(() => v1.binary.length === 1);
  await v2.until(() => v2.binary.length === 1);
  const expected = expectedViewerFrame(jpeg, CAM_A);
  assert.deepEqual(v1.binary[0], expected);
  assert.deepEqual(v2.binary[0], expected);
  // The seed page's exact parsing: the last 18 bytes are the serial, starting "0123".
  const tail = new TextDecoder().decode(v1.binary[0].slice(-18));
  assert.equal(tail, CAM_A);
  assert.equal(tail.slice(0, 4), "0123");
  const hello = events(v1, "hello")[0];
  assert.equal(hello.viewer, "alice");
});

Deno.test("hub sends a viewer subscribed to one camera only that camera", async () => {
  await using t = await startTestHub();
  const only = await t.viewer("alice", `?cameras=${CAM_B}`);
  const all = await t.viewer("bob");
  const a = await t.device(CAM_A);
  const b = await t.device(CAM_B);
  for (let i = 0; i < 5; i++) {
    await send(a, fakeJpeg(100, i));
    await send(b, fakeJpeg(100, i));
  }
  await all.until(() => all.binary.length === 10, 5000, "10 frames on the all-viewer");
  await only.until(() => only.binary.length === 5, 5000, "5 frames on the one-camera viewer");
  assert.equal(frameCount(only, CAM_A), 0);
  assert.equal(frameCount(only, CAM_B), 5);

  // Switching with control messages: drop B, add A; each is acknowledged in order.
  assert.deepEqual(events(only, "subscribed"), [
    { type: "subscribed", cameras: [CAM_B], all: false },
  ]);
  await send(only, JSON.stringify({ type: "unsubscribe", cameras: [CAM_B] }));
  await send(only, JSON.stringify({ type: "subscribe", cameras: [CAM_A.toLowerCase()] }));
  await only.until(() => events(only, "subscribed").length === 3, 5000, "two acknowledgements");
  assert.deepEqual(events(only, "subscribed").slice(1).map((m) => m.cameras), [[], [CAM_A]]);
  await send(a, fakeJpeg(100, 9));
  await send(b, fakeJpeg(100, 9));
  await all.until(() => all.binary.length === 12);
  await only.until(() => frameCount(only, CAM_A) === 1);
  assert.equal(frameCount(only, CAM_B), 5);
});

Deno.test("hub trailer carries the certificate's serial, upper-cased, whatever the device sends", async () => {
  await using t = await startTestHub();
  const viewer = await t.viewer("alice");
  // A lower-case CN on the certificate: identity is the certificate, canonicalised.
  const dev = await t.device(CAM_C.toLowerCase());
  // The frame body holds another serial; it must not leak into the trailer.
  const jpeg = fakeJpeg(60);
  jpeg.set(new TextEncoder().encode(CAM_A), FAKE_JPEG_OVERHEAD);
  await send(dev, jpeg);
  await viewer.until(() => viewer.binary.length === 1);
  assert.equal(parseViewerFrame(viewer.binary[0]).serial, CAM_C);
});

Deno.test("hub closes a device that tries to watch and a viewer that tries to publish", async () => {
  await using t = await startTestHub();
  const watcher = await t.viewer("alice");
  const dev = await t.device(CAM_A);
  await send(dev, JSON.stringify({ type: "subscribe", cameras: "*" }));
  assert.deepEqual(await dev.closed, { code: 1008, reason: "Devices cannot watch" });

  const publisher = await t.viewer("mallory");
  await send(publisher, fakeJpeg(100));
  assert.deepEqual(await publisher.closed, { code: 1008, reason: "Viewers cannot publish" });
  assert.equal(watcher.binary.length, 0, "nothing a viewer sent reached another viewer");
  assert.equal(await metric(t, /^trustcam_closes_total\{.*reason="wrong_role".*\}/), 1);
});

Deno.test("hub refuses a device certificate on every HTTP route but /healthz", async () => {
  await using t = await startTestHub();
  const cert = await t.pki.device(CAM_A);
  const res = await t.request("/api/cameras", { cert });
  assert.equal(res.status, 403);
  assert.equal((res.json() as { error: { code: string } }).error.code, "TC_ERR_WRONG_ROLE");
  assert.equal((await t.request("/healthz", { cert })).status, 200);
});

Deno.test("hub refuses no certificate, a foreign CA and an expired certificate at TLS", async () => {
  await using t = await startTestHub({ strictTls: true });
  const foreign = await t.pki.foreign("alice");
  const expired = await t.pki.viewer("old", {
    notBefore: new Date(Date.now() - 10 * 86400_000),
    notAfter: new Date(Date.now() - 86400_000),
  });
  const attempt = (cert: typeof foreign | null) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(t.wsUrl, {
        ca: t.pki.caPem,
        ...(cert ? { cert: cert.chainPem, key: cert.keyPem } : {}),
      });
      ws.on("open", () => {
        ws.close();
        resolve("opened");
      });
      ws.on("error", (err) => resolve(`error: ${err.message}`));
    });
  for (const cert of [null, foreign, expired]) {
    const outcome = await attempt(cert);
    assert.match(outcome, /^error/, `connection with ${cert?.cn ?? "no cert"} must fail`);
  }
  await assert.rejects(request(t.port, t.pki.caPem, null, "/api/cameras"));
  await waitFor(() => t.log.filter((l) => l.startsWith("refuse stage=tls")).length >= 4);
  const text = (await t.request("/metrics")).text();
  const refused = (reason: string) =>
    Number(
      text.split("\n").find((l) =>
        l.startsWith(`trustcam_handshakes_refused_total{reason="${reason}"}`)
      )?.split(" ").at(-1) ?? 0,
    );
  // The WebSocket and the HTTPS request without a certificate; Deno's TLS reports the
  // foreign and the expired certificate alike (see handshakeReason()).
  assert.equal(refused("no_certificate"), 2);
  assert.equal(refused("handshake_failed"), 2);
});

Deno.test("hub answers no certificate, a foreign CA and an expired certificate with one 403", async () => {
  await using t = await startTestHub();
  const foreign = await t.pki.foreign("alice");
  const expired = await t.pki.viewer("old", {
    notBefore: new Date(Date.now() - 10 * 86400_000),
    notAfter: new Date(Date.now() - 86400_000),
  });
  const cases: [IssuedCert | null, string][] = [
    [null, "no_certificate"],
    [foreign, "untrusted"],
    [expired, "expired"],
  ];
  for (const [cert, reason] of cases) {
    const attempt = await new Promise<string>((resolve) => {
      const ws = new WebSocket(t.wsUrl, {
        ca: t.pki.caPem,
        ...(cert ? { cert: cert.chainPem, key: cert.keyPem } : {}),
      });
      ws.on("open", () => {
        ws.close();
        resolve("opened");
      });
      ws.on("error", (err) => resolve(`error: ${err.message}`));
    });
    assert.equal(attempt, "error: Unexpected server response: 403", reason);
    for (const path of ["/api/cameras", "/", "/healthz", "/metrics", "/nowhere"]) {
      const res = await request(t.port, t.pki.caPem, cert, path);
      assert.equal(res.status, 403, `${reason} ${path}`);
      assert.equal(res.headers["connection"], "close");
      const body = res.json() as { error: { code: string; reason: string } };
      assert.deepEqual([body.error.code, body.error.reason], [
        "TC_ERR_CERTIFICATE_REQUIRED",
        reason,
      ]);
    }
  }
  const text = (await t.request("/metrics")).text();
  for (const reason of ["no_certificate", "untrusted", "expired"]) {
    assert.match(text, new RegExp(`trustcam_upgrades_refused_total\\{reason="${reason}"\\} 6`));
  }
});

Deno.test("hub refuses a revoked certificate at upgrade and closes a newly revoked one within 5 s", async () => {
  await using t = await startTestHub();
  const revokedAtStart = await t.pki.viewer("eve");
  await Deno.writeTextFile(
    `${t.pki.dir}/revoked.txt`,
    `# test\nsha256:${revokedAtStart.fingerprint256}\n`,
  );
  await waitFor(() => t.log.some((l) => l.startsWith("revocations") && l.includes("entries=1")));
  await assert.rejects(t.viewer("eve", "", revokedAtStart), /Upgrade refused: 403/);
  assert.equal((await t.request("/api/cameras", { cert: revokedAtStart })).status, 403);

  const dev = await t.device(CAM_A);
  const viewer = await t.viewer("bob");
  const start = Date.now();
  await Deno.writeTextFile(
    `${t.pki.dir}/revoked.txt`,
    `sha256:${revokedAtStart.fingerprint256}\ncn:${CAM_A}\ncn:bob\n`,
  );
  assert.deepEqual(await dev.closed, { code: 1008, reason: "Certificate revoked" });
  assert.deepEqual(await viewer.closed, { code: 1008, reason: "Certificate revoked" });
  assert.ok(Date.now() - start < 5000, "closed within 5 s");
  assert.ok(t.log.some((l) => l.startsWith("revoke") && l.includes(`cn=${CAM_A}`)));
  assert.equal(await metric(t, /^trustcam_upgrades_refused_total\{reason="revoked"\}/), 2);
});

Deno.test("hub drops bad frames, counts them, and leaves other cameras and viewers alone", async () => {
  await using t = await startTestHub({ maxFrameBytes: 64 * 1024 });
  const viewer = await t.viewer("alice");
  const bad = await t.device(CAM_A);
  const good = await t.device(CAM_B);
  const truncated = fakeJpeg(500).slice(0, 300);
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xd9]);
  for (const frame of [new Uint8Array(0), png, truncated]) {
    await send(bad, frame);
    await send(good, fakeJpeg(200));
  }
  await send(bad, fakeJpeg(100, 7)); // still open, and a good frame still relays
  await viewer.until(() => viewer.binary.length === 4, 5000, "4 good frames");
  assert.equal(frameCount(viewer, CAM_B), 3);
  assert.equal(frameCount(viewer, CAM_A), 1);
  const camera = (await t.request(`/api/cameras/${CAM_A}`)).json() as { bad: number };
  assert.equal(camera.bad, 3);
  assert.equal(bad.ws.readyState, WebSocket.OPEN);

  // Over the limit: closed with 1009 before the message is buffered whole.
  await send(bad, fakeJpeg(64 * 1024));
  assert.equal((await bad.closed).code, 1009);
  await send(good, fakeJpeg(200));
  await viewer.until(() => frameCount(viewer, CAM_B) === 4);
  assert.equal(good.ws.readyState, WebSocket.OPEN);
  assert.equal(viewer.ws.readyState, WebSocket.OPEN);
});

Deno.test("hub closes a device after 50 bad messages in a row with 1003", async () => {
  await using t = await startTestHub();
  const viewer = await t.viewer("alice");
  const spam = await t.device(CAM_A);
  const good = await t.device(CAM_B);
  // Text spam: the rate limit and bad JSON both count as bad messages.
  for (let i = 0; i < 60 && spam.ws.readyState === WebSocket.OPEN; i++) {
    spam.ws.send(i % 2 ? "{not json" : JSON.stringify({ type: "status", heap_free: -1 }));
  }
  assert.deepEqual(await spam.closed, { code: 1003, reason: "Too many bad messages" });
  await send(good, fakeJpeg(100));
  await viewer.until(() => frameCount(viewer, CAM_B) === 1);
  const camera = (await t.request(`/api/cameras/${CAM_A}`)).json() as {
    bad: number;
    state: string;
  };
  assert.equal(camera.bad, 50);
  assert.equal(camera.state, "offline");
});

Deno.test("hub keeps a device's valid status and announces it", async () => {
  await using t = await startTestHub();
  const viewer = await t.viewer("alice");
  const dev = await t.device(CAM_A);
  const status = {
    type: "status",
    fw: "trustcam-fw/1.0.0",
    uptime_s: 12,
    heap_free: 150000,
    psram_free: 0,
    rssi_dbm: -60,
    frames_sent: 10,
    frames_skipped: 1,
  };
  await send(dev, JSON.stringify(status));
  await viewer.until(() => events(viewer, "camera", "status").length === 1);
  const cam = (await t.request(`/api/cameras/${CAM_A}`)).json() as {
    status: Record<string, unknown>;
  };
  assert.equal(cam.status.fw, "trustcam-fw/1.0.0");
  assert.equal(cam.status.rssi_dbm, -60);
});

Deno.test("hub answers malformed viewer control messages with an error and keeps relaying", async () => {
  await using t = await startTestHub();
  const viewer = await t.viewer("alice");
  const other = await t.viewer("bob");
  const dev = await t.device(CAM_A);
  for (
    const bad of [
      "{oops",
      JSON.stringify({ type: "dance" }),
      JSON.stringify({ type: "subscribe", cameras: ["../../etc/passwd"] }),
      JSON.stringify({ type: "subscribe", cameras: 5 }),
    ]
  ) await send(viewer, bad);
  await viewer.until(() => events(viewer, "error").length === 4, 5000, "4 error replies");
  const codes = events(viewer, "error").map((e) => e.code);
  assert.deepEqual(codes, [
    "TC_ERR_BAD_CONTROL",
    "TC_ERR_BAD_CONTROL",
    "TC_ERR_BAD_SERIAL",
    "TC_ERR_BAD_CONTROL",
  ]);
  await send(dev, fakeJpeg(100));
  await viewer.until(() => viewer.binary.length === 1);
  await other.until(() => other.binary.length === 1);

  // A flood of control messages closes only the flooder.
  for (let i = 0; i < 100 && viewer.ws.readyState === WebSocket.OPEN; i++) {
    viewer.ws.send(JSON.stringify({ type: "subscribe", cameras: "*" }));
  }
  assert.deepEqual(await viewer.closed, { code: 1008, reason: "Too many control messages" });
  await send(dev, fakeJpeg(100));
  await other.until(() => other.binary.length === 2);
});

Deno.test("hub replaces a second connection with the same serial (4000) and stays online", async () => {
  await using t = await startTestHub();
  const viewer = await t.viewer("alice");
  const first = await t.device(CAM_A);
  const second = await t.device(CAM_A);
  assert.deepEqual(await first.closed, { code: 4000, reason: "replaced" });
  await send(second, fakeJpeg(100));
  await viewer.until(() => viewer.binary.length === 1);
  const cam = (await t.request(`/api/cameras/${CAM_A}`)).json() as { state: string };
  assert.equal(cam.state, "online");
  assert.equal(events(viewer, "camera", "offline").length, 0);
});
