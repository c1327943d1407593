/**
 * Long-lived HTTP answers follow revocation and policy like WebSockets do: an MJPEG stream
 * ends within seconds of its certificate's revocation or of a policy change hiding its
 * camera, and a revoked certificate keeps no keep-alive connection.
 */
import assert from "node:assert/strict";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import { fakeJpeg, startTestHub, type TestClient, type TestHub, waitFor } from "./hub_fixture.ts";
import type { IssuedCert } from "./pki_fixture.ts";

const CAM_A = "0123A1B2C3D4E5F6A7";
const CAM_B = "0123B1B2C3D4E5F6B7";

interface OpenStream {
  bytes(): number;
  ended: Promise<void>;
  close(): void;
}

/** Opens `GET /api/cameras/:serial/stream.mjpeg` and counts what arrives. */
function mjpeg(t: TestHub, serial: string, cert: IssuedCert): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = https.get({
      host: "127.0.0.1",
      port: t.port,
      path: `/api/cameras/${serial}/stream.mjpeg`,
      ca: t.pki.caPem,
      cert: cert.chainPem,
      key: cert.keyPem,
      agent: false,
    }, (res: IncomingMessage) => {
      assert.equal(res.statusCode, 200);
      let n = 0;
      res.on("data", (c: Uint8Array) => n += c.byteLength);
      const ended = new Promise<void>((r) => {
        res.once("end", r);
        res.once("close", r);
        res.once("error", () => r());
      });
      resolve({ bytes: () => n, ended, close: () => req.destroy() });
    });
    req.on("error", reject);
  });
}

/** Sends frames from `devices` every 50 ms until the returned function is called. */
function stream(devices: TestClient[]): () => void {
  const timer = setInterval(() => {
    for (const d of devices) d.ws.send(fakeJpeg(2000));
  }, 50);
  return () => clearInterval(timer);
}

Deno.test("hub ends an open MJPEG stream and a keep-alive connection when the certificate is revoked", async () => {
  await using t = await startTestHub();
  const stop = stream([await t.device(CAM_A)]);
  try {
    const mallory = await t.pki.viewer("mallory");
    const alice = await t.pki.viewer("alice");
    const revokedStream = await mjpeg(t, CAM_A, mallory);
    const otherStream = await mjpeg(t, CAM_A, alice);
    await waitFor(() => revokedStream.bytes() > 10_000, 5000, "mallory's stream flowing");

    // An idle keep-alive connection of the same certificate.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const keepAlive = await new Promise<{ closed: Promise<void> }>((resolve, reject) => {
      https.get({
        host: "127.0.0.1",
        port: t.port,
        path: "/healthz",
        ca: t.pki.caPem,
        cert: mallory.chainPem,
        key: mallory.keyPem,
        agent,
      }, (res) => {
        res.resume();
        const socket = res.socket;
        res.on(
          "end",
          () => resolve({ closed: new Promise((r) => socket.once("close", () => r())) }),
        );
      }).on("error", reject);
    });

    await Deno.writeTextFile(`${t.pki.dir}/revoked.txt`, `sha256:${mallory.fingerprint256}\n`);
    const t0 = performance.now();
    await Promise.all([revokedStream.ended, keepAlive.closed]);
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 5000, `ended ${Math.round(elapsed)} ms after the revocation`);
    assert.ok(t.log.some((l) => l.startsWith("stream-ended") && l.includes("why=revoked")));
    agent.destroy();

    // Alice's stream is untouched.
    const before = otherStream.bytes();
    await waitFor(() => otherStream.bytes() > before + 10_000, 5000, "alice's stream flowing");
    assert.equal(t.hub.state.streams.size, 1);
    otherStream.close();
    await otherStream.ended;
    await waitFor(() => t.hub.state.streams.size === 0, 5000, "stream unregistered");
  } finally {
    stop();
  }
});

Deno.test("hub ends MJPEG streams of cameras a policy reload hides, and only those", async () => {
  const policyDir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  const policyFile = `${policyDir}/policy.json`;
  const policy = (cameras: string[]) =>
    Deno.writeTextFile(policyFile, JSON.stringify({ viewers: { guard: cameras, "*": "*" } }));
  await policy([CAM_A, CAM_B]);
  try {
    await using t = await startTestHub({ policyFile });
    const stop = stream([await t.device(CAM_A), await t.device(CAM_B)]);
    try {
      const guard = await t.pki.viewer("guard");
      const a = await mjpeg(t, CAM_A, guard);
      const b = await mjpeg(t, CAM_B, guard);
      await waitFor(() => a.bytes() > 10_000 && b.bytes() > 10_000, 5000, "both flowing");
      await policy([CAM_B]);
      const t0 = performance.now();
      await a.ended;
      assert.ok(performance.now() - t0 < 5000, "camera A's stream ended within 5 s");
      assert.ok(t.log.some((l) => l.startsWith("stream-ended") && l.includes("why=policy")));
      const before = b.bytes();
      await waitFor(() => b.bytes() > before + 10_000, 5000, "camera B still flowing");
      const again = await t.request(`/api/cameras/${CAM_A}/stream.mjpeg`, { cert: guard });
      assert.equal(again.status, 403);
      b.close();
      await b.ended;
    } finally {
      stop();
    }
  } finally {
    await Deno.remove(policyDir, { recursive: true });
  }
});

/** One unlabelled series of /metrics (the soak in bench/ samples these). */
async function gauge(t: TestHub, name: string): Promise<number> {
  const text = (await t.request("/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} on /metrics`);
  return Number(line.split(" ")[1]);
}

/** Reads the gauge until it shows `value`; fails after 5 s with the last value read. */
async function gaugeReaches(t: TestHub, name: string, value: number): Promise<void> {
  const end = Date.now() + 5000;
  let v = await gauge(t, name);
  while (v !== value) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${name} = ${value}: ${v}`);
    await new Promise((r) => setTimeout(r, 50));
    v = await gauge(t, name);
  }
}

Deno.test("hub /metrics counts open streams, bus subscriptions and timers", async () => {
  await using t = await startTestHub();
  const stop = stream([await t.device(CAM_A)]);
  try {
    const subscriptions = await gauge(t, "trustcam_bus_subscriptions");
    assert.equal(await gauge(t, "trustcam_streams"), 0);
    // The hub's own intervals at least: the one-second tick and the heartbeat.
    assert.ok(await gauge(t, "trustcam_process_timers") >= 2);

    const viewer = await t.viewer("alice");
    const alice = viewer.cert;
    const s = await mjpeg(t, CAM_A, alice);
    await waitFor(() => s.bytes() > 0, 5000, "stream flowing");
    assert.equal(await gauge(t, "trustcam_streams"), 1);
    // The viewer's subscription to camera A and the stream's.
    assert.equal(await gauge(t, "trustcam_bus_subscriptions"), subscriptions + 2);

    s.close();
    await s.ended;
    await viewer.close();
    await gaugeReaches(t, "trustcam_streams", 0);
    await gaugeReaches(t, "trustcam_bus_subscriptions", subscriptions);
  } finally {
    stop();
  }
});
