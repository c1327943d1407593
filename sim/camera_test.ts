import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { createTestPki } from "../tests/pki_fixture.ts";
import { cameraOptions, DeviceSink, withSink } from "../tests/device_sink_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";
import { startTestHub } from "../tests/hub_fixture.ts";
import { parseViewerFrame } from "../lib/trailer.ts";
import { readStamp } from "../lib/jpeg_com.ts";
import { parseDeviceStatus } from "../lib/device_status.ts";
import { renderFrames } from "./frames.ts";
import { SIM_FIRMWARE, SimCamera, type SimCameraEvent } from "./camera.ts";

const SERIAL = "0123CAFE0000000001";

// Small loops keep the tests quick; the rendering itself has its own tests.
const FRAMES = renderFrames({ serial: SERIAL, size: "qvga", count: 3 });

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
      () => hub.frames().length >= 10 && hub.texts().length >= 1,
      10_000,
      "10 frames and a status",
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
    await waitFor(() => hub.frames().length >= 3, 10_000, "frames before the restart");
    const sentBefore = cam.stats.sent;

    await hub.close();
    await waitFor(
      () => events.some((e) => e.type === "disconnected"),
      10_000,
      "the camera to notice",
    );
    assert.equal(cam.connected, false);
    // Let at least one reconnect attempt fail against the closed port.
    await waitFor(
      () => events.filter((e) => e.type === "disconnected").length >= 2,
      10_000,
      "a failed attempt",
    );

    hub = new DeviceSink(pki);
    assert.equal(await hub.listen(port), port);
    await waitFor(() => hub.frames().length >= 3, 10_000, "frames after the restart");
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
      () => events.filter((e) => e.type === "disconnected").length >= 3,
      10_000,
      "three failed attempts",
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
    await waitFor(
      () => hub.frames().length >= 2 && hub.texts().length >= 2,
      10_000,
      "frames and statuses",
    );
    await cam.stop();
    assert.equal(cam.connected, false);
    await waitFor(() => hub.closes.length === 1, 10_000, "the hub to see the close");
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
    await waitFor(() => hub.frames().length >= 1, 10_000, "a frame");
    ac.abort();
    await cam.stop(); // resolves once the abort-triggered stop has closed the socket
    assert.equal(cam.connected, false);
    await waitFor(() => hub.closes.length === 1, 10_000, "the hub to see the close");
  }));

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
      () => events.filter((e) => e.type === "disconnected").length >= 3,
      10_000,
      "three refusals",
    );
    const refusals = events.filter((e) => e.type === "disconnected").slice(0, 3);
    assert.deepEqual(refusals.map((e) => e.code), [1008, 1008, 1008]);
    assert.deepEqual(refusals.map((e) => e.attempt), [0, 1, 2]);
    assert.match(refusals[0].detail ?? "", /"Certificate revoked": refused by the hub/);
    assert.ok(cam.stats.connects >= 3);
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
  assert.throws(() => new SimCamera({ ...base, fps: 10, server: [] }), /No hub address/);
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
  await waitFor(() => cam.stats.connects === 2, 15_000, "a reconnect to the restarted hub");
  const again = await t.viewer("alice");
  await again.until(() => again.binary.length >= 3, 10_000, "frames after the restart");
  const closes = events.filter((e) => e.type === "disconnected");
  assert.equal(closes[0].code, 1001, "the hub says it is shutting down");
});
