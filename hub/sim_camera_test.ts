import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { createTestPki, type TestPki } from "../tests/pki_fixture.ts";
import { DeviceSink, waitFor } from "../tests/device_sink_fixture.ts";
import { startTestHub } from "../tests/hub_fixture.ts";
import { parseViewerFrame } from "../lib/trailer.ts";
import { readStamp } from "../lib/jpeg_com.ts";
import { parseDeviceStatus } from "../lib/device_status.ts";
import { renderFrames } from "../lib/sim_frames.ts";
import { SIM_FIRMWARE, SimCamera, type SimCameraEvent } from "./sim_camera.ts";

const SERIAL = "0123CAFE0000000001";

// Small loops keep the tests quick; the rendering itself has its own tests.
const FRAMES = renderFrames({ serial: SERIAL, size: "qvga", count: 3 });

async function cameraOptions(pki: TestPki, port: number, serial = SERIAL) {
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
async function withSink(
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

Deno.test("SimCamera sends stamped JPEG frames and a status over mTLS as its serial", () =>
  withSink(async ({ pki, hub, port }) => {
    const events: SimCameraEvent[] = [];
    const t0 = Date.now();
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 20,
      size: "qvga",
      frames: FRAMES,
      onEvent: (e) => events.push(e),
    });
    cam.start();
    await waitFor(
      "10 frames and a status",
      () => hub.frames().length >= 10 && hub.texts().length >= 1,
    );

    assert.deepEqual(hub.peers, [SERIAL]);
    assert.ok(cam.connected);
    for (const [i, f] of hub.frames().entries()) {
      assert.equal(f.cn, SERIAL);
      assert.deepEqual([f.data[0], f.data[1]], [0xff, 0xd8]);
      assert.deepEqual([f.data.at(-2), f.data.at(-1)], [0xff, 0xd9]);
      const stamp = readStamp(f.data);
      assert.ok(stamp, `frame ${i} has no stamp`);
      assert.equal(stamp.seq, i);
      assert.ok(stamp.t >= t0 && stamp.t <= f.at, `frame ${i} stamp ${stamp.t} out of range`);
      assert.equal(jpeg.decode(f.data, { useTArray: true }).width, 320);
    }
    // The loop is cycled: frame k is loop frame k mod 3 with a COM segment after SOI.
    for (const [k, f] of hub.frames().entries()) {
      const comLength = (f.data[4] << 8) | f.data[5];
      assert.deepEqual(f.data.subarray(4 + comLength), FRAMES[k % 3].subarray(2), `frame ${k}`);
    }

    const statusText = new TextDecoder().decode(hub.texts()[0].data);
    const status = parseDeviceStatus(statusText, new Date());
    const raw = JSON.parse(statusText);
    assert.equal(raw.type, "status");
    assert.equal(status.fw, SIM_FIRMWARE);
    assert.equal(status.rssi_dbm, 0);
    assert.equal(status.frames_sent, 0);
    assert.equal(status.frames_skipped, 0);
    for (const k of ["uptime_s", "heap_free", "psram_free"] as const) {
      assert.equal(typeof status[k], "number", `${k} missing`);
    }
    assert.ok(status.heap_free! > 100_000 && status.psram_free! > 1_000_000);

    assert.equal(cam.stats.connects, 1);
    assert.ok(cam.stats.sent >= 10);
    assert.deepEqual(events.filter((e) => e.type === "connected").length, 1);
    assert.equal(events.filter((e) => e.type === "error").length, 0);
  }));

Deno.test("SimCamera reconnects after the hub is restarted on the same port", async () => {
  const pki = await createTestPki();
  let hub = new DeviceSink(pki);
  try {
    const port = await hub.listen();
    const events: SimCameraEvent[] = [];
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 20,
      size: "qvga",
      frames: FRAMES,
      backoff: { baseMs: 50, maxMs: 400 },
      onEvent: (e) => events.push(e),
    });
    cam.start();
    await waitFor("frames before the restart", () => hub.frames().length >= 3);
    const sentBefore = cam.stats.sent;

    await hub.close();
    await waitFor("the camera to notice", () => events.some((e) => e.type === "disconnected"));
    assert.equal(cam.connected, false);
    // Let at least one reconnect attempt fail against the closed port.
    await waitFor(
      "a failed attempt",
      () => events.filter((e) => e.type === "disconnected").length >= 2,
    );

    hub = new DeviceSink(pki);
    assert.equal(await hub.listen(port), port);
    await waitFor("frames after the restart", () => hub.frames().length >= 3);
    assert.deepEqual(hub.peers, [SERIAL]);
    assert.ok(cam.connected);
    assert.equal(cam.stats.connects, 2);
    // Numbering and stamps continue across connections.
    assert.ok(readStamp(hub.frames()[0].data)!.seq >= sentBefore);

    const disconnects = events.filter((e) => e.type === "disconnected");
    assert.equal(disconnects[0].attempt, 0, "a connection that sent frames resets the backoff");
    assert.equal(disconnects[1].attempt, 1);
    for (const d of disconnects) {
      assert.ok(d.delayMs !== undefined && d.delayMs <= 400, `delay ${d.delayMs}`);
      assert.match(d.detail ?? "", /retry in \d+ ms/);
    }
    assert.match(disconnects[1].detail ?? "", /connection failed/);
  } finally {
    await hub.close();
    await pki.cleanup();
  }
});

Deno.test("SimCamera.stop() ends retries against a closed port and leaves nothing running", async () => {
  const pki = await createTestPki();
  const hub = new DeviceSink(pki);
  const port = await hub.listen();
  await hub.close(); // a port that nothing listens on any more
  try {
    const events: SimCameraEvent[] = [];
    const cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 10,
      size: "qvga",
      frames: FRAMES,
      backoff: { baseMs: 20, maxMs: 40 },
      onEvent: (e) => events.push(e),
    });
    cam.start();
    await waitFor(
      "three failed attempts",
      () => events.filter((e) => e.type === "disconnected").length >= 3,
    );
    assert.ok(
      events.some((e) => e.type === "error" && /refused|ECONNREFUSED/i.test(e.detail ?? "")),
    );
    await cam.stop();
    const after = events.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(events.length, after, "events after stop()");
    assert.equal(cam.stats.connects, 0);
    assert.equal(cam.connected, false);
  } finally {
    await pki.cleanup();
  }
});

Deno.test("SimCamera.stop() closes an open connection with 1000 and stops sending", () =>
  withSink(async ({ pki, hub, port }) => {
    const cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 20,
      size: "qvga",
      frames: FRAMES,
      statusIntervalMs: 50,
    });
    cam.start();
    await waitFor("frames and statuses", () => hub.frames().length >= 2 && hub.texts().length >= 2);
    await cam.stop();
    assert.equal(cam.connected, false);
    await waitFor("the hub to see the close", () => hub.closes.length === 1);
    assert.deepEqual(hub.closes, [1000]);
    const count = hub.received.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(hub.received.length, count, "messages after stop()");
    // Statuses report the real counters.
    const statuses = hub.texts().map((t) => JSON.parse(new TextDecoder().decode(t.data)));
    assert.ok(statuses.at(-1).frames_sent > 0);
    assert.ok(statuses.at(-1).frames_sent <= cam.stats.sent);
    assert.ok(statuses.at(-1).uptime_s >= 0);
  }));

Deno.test("SimCamera stops when its signal aborts", () =>
  withSink(async ({ pki, hub, port }) => {
    const ac = new AbortController();
    const cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 20,
      size: "qvga",
      frames: FRAMES,
      signal: ac.signal,
    });
    cam.start();
    await waitFor("a frame", () => hub.frames().length >= 1);
    ac.abort();
    await cam.stop(); // resolves once the abort-triggered stop has closed the socket
    assert.equal(cam.connected, false);
    await waitFor("the hub to see the close", () => hub.closes.length === 1);
  }));

Deno.test("SimCamera paces frames and never bursts", () =>
  withSink(async ({ pki, hub, port }) => {
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 25,
      size: "qvga",
      frames: FRAMES,
    });
    cam.start();
    await waitFor("a frame", () => hub.frames().length >= 1);
    const first = hub.frames()[0].at;
    // Block the event loop for 300 ms (7.5 frame intervals): a late camera skips ahead.
    const blockUntil = Date.now() + 300;
    while (Date.now() < blockUntil) { /* busy */ }
    await waitFor("20 frames", () => hub.frames().length >= 20);
    const frames = hub.frames();
    // However slow the machine, frames never come faster than the timeline allows.
    const span = frames[19].at - first;
    assert.ok(span >= 19 * 40 - 40, `20 frames arrived within ${span} ms at 25 fps`);
    assert.ok(cam.stats.skipped >= 5, `skipped ${cam.stats.skipped} after a 300 ms stall`);
  }));

/**
 * A TLS endpoint that accepts the WebSocket upgrade and then never reads again, like a hub
 * stuck on a slow disk. (node:https in Deno keeps reading after socket.pause(), so this one
 * is built on Deno.listenTls, where not reading leaves the bytes in the kernel.)
 */
class StalledHub {
  #listener: Deno.TlsListener;
  #conns: Deno.TlsConn[] = [];
  #accepting: Promise<void>;

  constructor(pki: TestPki) {
    this.#listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: pki.server.chainPem,
      key: pki.server.keyPem,
    });
    this.#accepting = this.#accept();
  }

  get port(): number {
    return this.#listener.addr.port;
  }

  async #accept(): Promise<void> {
    for await (const conn of this.#listener) {
      this.#conns.push(conn);
      await this.#upgrade(conn).catch(() => conn.close());
    }
  }

  async #upgrade(conn: Deno.TlsConn): Promise<void> {
    let head = "";
    const buf = new Uint8Array(4096);
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("Closed before the upgrade");
      head += new TextDecoder().decode(buf.subarray(0, n));
    }
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head)![1];
    const digest = await crypto.subtle.digest(
      "SHA-1",
      new TextEncoder().encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
    );
    const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
    await conn.write(new TextEncoder().encode(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    ));
  }

  async close(): Promise<void> {
    this.#listener.close();
    for (const c of this.#conns) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    await this.#accepting.catch(() => {});
  }
}

Deno.test("SimCamera skips frames instead of queueing when the hub stops reading", async () => {
  const pki = await createTestPki();
  const hub = new StalledHub(pki);
  try {
    // 256 KiB "frames" at 50 fps fill the kernel's socket buffers within seconds.
    const big = new Uint8Array(1 << 18);
    big.set([0xff, 0xd8]);
    big.set([0xff, 0xd9], big.length - 2);
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, hub.port)),
      fps: 50,
      size: "vga",
      frames: [big, big],
      stamp: false,
      statusIntervalMs: 60_000,
    });
    cam.start();
    await waitFor("skipped frames", () => cam.stats.skipped >= 5, 20_000);
    const sent = cam.stats.sent;
    await waitFor("more skipped frames", () => cam.stats.skipped >= 25, 20_000);
    // While nothing drains, no frame gets into the full queue.
    assert.equal(cam.stats.sent, sent, "frames queued into a full socket");
    assert.ok(cam.connected);
  } finally {
    await hub.close();
    await pki.cleanup();
  }
});

Deno.test("SimCamera retries after a 1008 refusal without resetting the backoff", () =>
  withSink(async ({ pki, hub, port }) => {
    hub.closeWith = { code: 1008, reason: "Certificate revoked" };
    const events: SimCameraEvent[] = [];
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 10,
      size: "qvga",
      frames: FRAMES,
      backoff: { baseMs: 20, maxMs: 1000 },
      onEvent: (e) => events.push(e),
    });
    cam.start();
    await waitFor(
      "three refusals",
      () => events.filter((e) => e.type === "disconnected").length >= 3,
    );
    const refusals = events.filter((e) => e.type === "disconnected").slice(0, 3);
    assert.deepEqual(refusals.map((e) => e.code), [1008, 1008, 1008]);
    assert.deepEqual(refusals.map((e) => e.attempt), [0, 1, 2]);
    assert.match(refusals[0].detail ?? "", /"Certificate revoked": refused by the hub/);
    assert.ok(cam.stats.connects >= 3);
  }));

Deno.test("SimCamera renders its own loop with the serial and sends it", () =>
  withSink(async ({ pki, hub, port }) => {
    const events: SimCameraEvent[] = [];
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 10,
      loopFrames: 3,
      size: "qvga",
      onEvent: (e) => events.push(e),
    });
    cam.start();
    await waitFor("4 frames", () => hub.frames().length >= 4);
    const rendered = events.find((e) => e.type === "rendered");
    assert.ok(rendered?.render);
    assert.equal(rendered.render.frames, 3);
    assert.ok(rendered.render.avgBytes > 1000);
    const pixels = hub.frames().slice(0, 4).map((f) =>
      jpeg.decode(f.data, { useTArray: true }).data
    );
    assert.notDeepEqual(pixels[0], pixels[1]);
    assert.notDeepEqual(pixels[1], pixels[2]);
    // Frame 3 is loop frame 0 again.
    assert.deepEqual(pixels[3], pixels[0]);
  }));

Deno.test("SimCamera re-renders its loop ahead of each clock period and swaps it in", () =>
  withSink(async ({ pki, hub, port }) => {
    const events: SimCameraEvent[] = [];
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 10,
      loopFrames: 2,
      size: "qvga",
      renderPeriodMs: 400,
      onEvent: (e) => events.push(e),
    });
    cam.start();
    const renders = () => events.filter((e) => e.type === "rendered").map((e) => e.render!);
    await waitFor("three loops", () => renders().length >= 3);
    const [first, ...later] = renders().map((r) => r.clock.getTime());
    // Each later loop is drawn for a period boundary after the one before.
    let previous = first;
    for (const t of later) {
      assert.equal(t % 400, 0, `loop for ${t} is not on a boundary`);
      assert.ok(t > previous, `loop for ${t} not after ${previous}`);
      previous = t;
    }
    const framesBefore = hub.frames().length;
    await waitFor("frames to keep flowing", () => hub.frames().length > framesBefore + 2);
  }));

Deno.test("SimCamera rejects bad options", () => {
  const base = {
    server: "wss://127.0.0.1:1/ws",
    serial: SERIAL,
    certPem: "",
    keyPem: "",
    caPem: "",
    size: "qvga" as const,
  };
  assert.throws(() => new SimCamera({ ...base, fps: 0 }), /Frame rate must be above 0.*"0"/);
  assert.throws(() => new SimCamera({ ...base, fps: 10, loopFrames: 1 }), /at least 2 frames: "1"/);
  assert.throws(() => new SimCamera({ ...base, fps: 10, frames: [] }), /must not be empty/);
  assert.throws(() => new SimCamera({ ...base, fps: 10, statusIntervalMs: 0 }), /Status interval/);
  assert.throws(() => new SimCamera({ ...base, fps: 10, renderPeriodMs: 5 }), /Render period/);
  assert.throws(
    () => new SimCamera({ ...base, fps: 10, size: "hd" as "vga" }),
    /Unknown frame size: "hd"/,
  );
});

Deno.test("SimCamera streams through the real hub and comes back after a hub restart", async () => {
  await using t = await startTestHub();
  const cert = await t.pki.device(SERIAL);
  const events: SimCameraEvent[] = [];
  await using cam = new SimCamera({
    server: t.wsUrl,
    serial: SERIAL,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    chainPem: cert.chainPem,
    caPem: t.pki.caPem,
    fps: 20,
    size: "qvga",
    frames: FRAMES,
    backoff: { baseMs: 50, maxMs: 400 },
    onEvent: (e) => events.push(e),
  });
  cam.start();
  const viewer = await t.viewer("alice");
  await viewer.until(() => viewer.binary.length >= 3, 10_000, "frames at the viewer");
  for (const data of viewer.binary) {
    const { serial, jpeg } = parseViewerFrame(data);
    assert.equal(serial, SERIAL);
    assert.ok(readStamp(jpeg), "the stamp survives the relay");
  }
  // The hub accepted the status: the camera's API record carries it.
  let status: Record<string, unknown> | undefined;
  const deadline = Date.now() + 10_000;
  while (!status && Date.now() < deadline) {
    const res = await t.request(`/api/cameras/${SERIAL}`);
    status = (res.json() as { status?: Record<string, unknown> }).status;
    if (!status) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(status, "the hub kept no status");
  assert.equal(status.fw, SIM_FIRMWARE);
  assert.equal(status.rssi_dbm, 0);

  await viewer.close();
  await t.restart();
  await waitFor("a reconnect to the restarted hub", () => cam.stats.connects === 2, 15_000);
  const again = await t.viewer("alice");
  await again.until(() => again.binary.length >= 3, 10_000, "frames after the restart");
  const closes = events.filter((e) => e.type === "disconnected");
  assert.equal(closes[0].code, 1001, "the hub says it is shutting down");
});
