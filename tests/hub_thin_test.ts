/**
 * Thin links against a real hub (docs/protocol.md, "Stream options"): real TLS, real `ws`, real
 * VGA JPEGs resized by sharp in the hub's resize worker (a child process).
 */
import assert from "node:assert/strict";
import sharp from "sharp";
import type { InProcessBus } from "../lib/bus.ts";
import { checkJpegStructure } from "../lib/jpeg_structure.ts";
import { readStamp, stampFrame } from "../lib/jpeg_com.ts";
import { parseViewerFrame } from "../lib/trailer.ts";
import { startTestHub, type TestClient, type TestHub, waitFor } from "./hub_fixture.ts";
import { issueViewer } from "../cli/cert_dir.ts";
import { revoke } from "../cli/cert_revocation.ts";

const CAM_A = "0123A1B2C3D4E5F6A7";
const CAM_B = "0123B1B2C3D4E5F6B7";

/** A VGA camera frame, distinct per `i` (a colour band moves), stamped like a sim camera's. */
async function vgaFrame(i: number): Promise<Uint8Array> {
  const out = await sharp({
    create: { width: 640, height: 480, channels: 3, background: { r: 40, g: 90, b: 140 } },
  })
    .composite([{
      input: { create: { width: 64, height: 480, channels: 3, background: "#f0d020" } },
      left: (i * 37) % 576,
      top: 0,
    }])
    .jpeg({ quality: 85 })
    .toBuffer();
  return stampFrame(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), i, 1_000_000 + i);
}

function typed(client: TestClient, type: string): Record<string, unknown>[] {
  return (client.texts as Record<string, unknown>[]).filter((t) => t.type === type);
}

function framesOf(client: TestClient, serial: string): Uint8Array[] {
  return client.binary.map((b) => parseViewerFrame(b)).filter((f) => f.serial === serial)
    .map((f) => f.jpeg);
}

function widthOf(jpeg: Uint8Array): number {
  const check = checkJpegStructure(jpeg, 4096);
  if (!check.ok) throw new Error(`Not a JPEG: ${check.problem}`);
  return check.info.width;
}

async function send(device: TestClient, jpeg: Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    device.ws.send(jpeg, (err) => err ? reject(err) : resolve())
  );
}

/** Sends a control message and waits for the `subscribed` after it; returns it. */
async function control(client: TestClient, msg: Record<string, unknown>) {
  const n = typed(client, "subscribed").length;
  client.ws.send(JSON.stringify(msg));
  await client.until(() => typed(client, "subscribed").length === n + 1, 5000, `${msg.type} ack`);
  return typed(client, "subscribed")[n];
}

async function metric(t: TestHub, line: string): Promise<number> {
  const text = (await t.request("/metrics")).text();
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.split(" ").at(-1));
}

Deno.test("hub sends tile viewers 320 px frames made once per camera frame, full viewers every frame byte-exact", async () => {
  await using t = await startTestHub({ motion: "off" });
  const bus = t.hub.state.bus as InProcessBus;
  const cam = await t.device(CAM_A);
  await waitFor(() => t.hub.relay.devices.size === 1);
  assert.equal(t.hub.reduced.started, false, "no worker before a thin link is asked for");

  const tileA = await t.viewer("alice", `?cameras=${CAM_A}&size=tile`);
  const tileB = await t.viewer("bob", "?cameras=");
  const full = await t.viewer("carol", `?cameras=${CAM_A}`);
  await tileA.until(() => typed(tileA, "subscribed").length === 1, 5000, "alice's ack");
  assert.deepEqual(typed(tileA, "subscribed")[0], {
    type: "subscribed",
    cameras: [CAM_A],
    all: false,
    streams: { [CAM_A]: { size: "tile" } },
  });
  assert.deepEqual(await control(tileB, { type: "subscribe", cameras: [CAM_A], size: "tile" }), {
    type: "subscribed",
    cameras: [CAM_A],
    all: false,
    streams: { [CAM_A]: { size: "tile" } },
  });
  await full.until(() => typed(full, "subscribed").length === 1, 5000, "carol's ack");
  assert.equal(typed(full, "subscribed")[0].streams, undefined, "full: the ack as before");
  assert.equal(t.hub.reduced.started, true);
  assert.equal(t.hub.reduced.streams.length, 1, "one stream for both tile viewers");
  // The full viewer's subscription and the stream's one.
  assert.equal(bus.count(CAM_A), 2);

  // One frame at a time, each seen by everyone before the next: no frame may be skipped.
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 6; i++) {
    const jpeg = await vgaFrame(i);
    sent.push(jpeg);
    await send(cam, jpeg);
    for (const v of [tileA, tileB, full]) {
      await v.until(() => framesOf(v, CAM_A).length === i + 1, 10_000, `frame ${i}`);
    }
  }
  for (const v of [tileA, tileB]) {
    const frames = framesOf(v, CAM_A);
    assert.deepEqual(frames.map(widthOf), [320, 320, 320, 320, 320, 320]);
    assert.deepEqual(frames.map((f) => readStamp(f)?.seq), [0, 1, 2, 3, 4, 5], "stamps kept");
    assert.deepEqual(frames.map((f) => readStamp(f)?.t), sent.map((f) => readStamp(f)?.t));
  }
  assert.deepEqual(framesOf(tileA, CAM_A), framesOf(tileB, CAM_A), "the same frames, shared");
  assert.deepEqual(framesOf(full, CAM_A), sent, "the full viewer gets the camera's bytes");
  assert.equal(t.hub.reduced.streams[0].made, 6, "one resize per camera frame, not two");
  assert.equal(await metric(t, 'trustcam_reduced_frames_total{size="tile"}'), 6);
  const tileBytes = framesOf(tileA, CAM_A).reduce((n, f) => n + f.byteLength, 0);
  const fullBytes = sent.reduce((n, f) => n + f.byteLength, 0);
  assert.ok(tileBytes * 2 < fullBytes, `tile ${tileBytes} bytes vs full ${fullBytes}`);

  // The last tile viewer leaving ends the stream: its bus subscription goes, the worker idles.
  await control(tileA, { type: "unsubscribe", cameras: [CAM_A] });
  assert.equal(t.hub.reduced.streams.length, 1, "bob still watches");
  await tileB.close();
  await waitFor(() => t.hub.reduced.streams.length === 0, 5000, "the stream's end");
  assert.equal(bus.count(CAM_A), 1, "the full viewer's alone");
  await waitFor(() => t.hub.reduced.busy === 0, 5000, "an idle worker");
  const before = framesOf(full, CAM_A).length;
  await send(cam, sent[0]);
  await full.until(() => framesOf(full, CAM_A).length === before + 1, 5000, "a full frame");
  assert.equal(t.hub.reduced.busy, 0, "nothing resized for nobody");
  assert.equal(await metric(t, 'trustcam_reduced_frames_total{size="tile"}'), 6);
});

Deno.test("hub caps a viewer at its maxFps, latest-wins, and changes options on a later subscribe", async () => {
  await using t = await startTestHub({ motion: "off" });
  const cam = await t.device(CAM_A);
  await waitFor(() => t.hub.relay.devices.size === 1);
  const capped = await t.viewer("alice", `?cameras=${CAM_A}&size=tile&maxFps=5`);
  const fullCapped = await t.viewer("bob", `?cameras=${CAM_A}&maxFps=5`);
  const free = await t.viewer("carol", `?cameras=${CAM_A}&size=tile`);
  for (const v of [capped, fullCapped, free]) {
    await v.until(() => typed(v, "subscribed").length === 1, 5000, "ack");
  }
  assert.deepEqual(typed(fullCapped, "subscribed")[0].streams, {
    [CAM_A]: { size: "full", maxFps: 5 },
  });
  assert.equal(t.hub.reduced.streams[0].maxFps, undefined, "the stream runs at carol's rate");

  // 15 fps for 2 s.
  const frames = await Promise.all(Array.from({ length: 4 }, (_, i) => vgaFrame(i)));
  const t0 = performance.now();
  for (let i = 0; i < 30; i++) {
    const due = t0 + i * (1000 / 15) - performance.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    await send(cam, frames[i % frames.length]);
  }
  await waitFor(() => t.hub.reduced.busy === 0, 5000, "the last resize");
  await free.until(() => framesOf(free, CAM_A).length >= 3, 15_000, "carol's frames");
  // The cap admits a frame per 200 ms of the hub's receive times (an eighth early at most),
  // all of them since t0: 11 over the 2 s of sending, more only if sending took longer (a
  // slow machine falls behind the 15 fps).
  const elapsed = performance.now() - t0;
  const most = Math.floor((Math.max(elapsed, 2000) + 200 / 8) / 200) + 1;
  for (const v of [capped, fullCapped]) {
    const n = framesOf(v, CAM_A).length;
    assert.ok(n <= most && n >= 3, `${n} frames at maxFps 5 over ${Math.round(elapsed)} ms`);
  }
  assert.ok(
    framesOf(free, CAM_A).length > framesOf(capped, CAM_A).length,
    "the uncapped tile viewer gets more",
  );
  assert.ok(framesOf(fullCapped, CAM_A).every((f) => widthOf(f) === 640));

  // The same camera again, other options: no unsubscribe needed, the stream is kept.
  assert.deepEqual(
    await control(capped, { type: "subscribe", cameras: [CAM_A], size: "full" }),
    { type: "subscribed", cameras: [CAM_A], all: false },
  );
  assert.equal(t.hub.reduced.streams.length, 1, "carol's");
  assert.equal(t.hub.reduced.streams[0].viewers, 1);
  const n = capped.binary.length;
  await send(cam, frames[0]);
  await capped.until(() => capped.binary.length === n + 1, 5000, "a full frame");
  assert.equal(widthOf(parseViewerFrame(capped.binary[n]).jpeg), 640);
});

Deno.test("hub refuses bad stream options with the exact message, changing nothing", async () => {
  await using t = await startTestHub({ motion: "off" });
  const v = await t.viewer("alice", `?cameras=${CAM_A}`);
  await v.until(() => typed(v, "subscribed").length === 1, 5000, "ack");
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ size: "huge" }, 'Invalid size: "huge": must be "full" or "tile"'],
    [{ maxFps: 0 }, 'Invalid maxFps: "0": must be an integer from 1 to 30'],
    [{ maxFps: 60 }, 'Invalid maxFps: "60": must be an integer from 1 to 30'],
    [{ maxFps: "5" }, 'Invalid maxFps: "5": must be an integer from 1 to 30'],
  ];
  for (const [options, message] of cases) {
    const n = typed(v, "error").length;
    v.ws.send(JSON.stringify({ type: "subscribe", cameras: [CAM_B], ...options }));
    await v.until(() => typed(v, "error").length === n + 1, 5000, message);
    assert.deepEqual(typed(v, "error")[n], { type: "error", code: "TC_ERR_BAD_CONTROL", message });
  }
  // A bad URL refuses before the hello, and the viewer gets nothing.
  const bad = await t.viewer("bob", `?cameras=${CAM_A}&maxFps=99`);
  await bad.until(() => typed(bad, "subscribed").length === 1, 5000, "bob's ack");
  assert.deepEqual(bad.texts[0], {
    type: "error",
    code: "TC_ERR_BAD_CONTROL",
    message: 'Invalid maxFps: "99": must be an integer from 1 to 30',
  });
  assert.deepEqual(typed(bad, "subscribed")[0], { type: "subscribed", cameras: [], all: false });
  // Nothing changed for alice either.
  assert.deepEqual((await control(v, { type: "subscribe", cameras: [] })).cameras, [CAM_A]);
  assert.equal(t.hub.reduced.started, false);
});

Deno.test("hub ends a reduced stream when a policy change takes the camera from its viewer", async () => {
  const policyDir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  const policyFile = `${policyDir}/policy.json`;
  const writePolicy = (cameras: string[]) =>
    Deno.writeTextFile(policyFile, JSON.stringify({ viewers: { "*": cameras } }));
  await writePolicy([CAM_A]);
  try {
    await using t = await startTestHub({ policyFile, motion: "off" });
    const bus = t.hub.state.bus as InProcessBus;
    const cam = await t.device(CAM_A);
    await waitFor(() => t.hub.relay.devices.size === 1);
    const v = await t.viewer("alice", `?cameras=${CAM_A}&size=tile`);
    await v.until(() => typed(v, "subscribed").length === 1, 5000, "ack");
    await send(cam, await vgaFrame(1));
    await v.until(() => framesOf(v, CAM_A).length === 1, 10_000, "a tile frame");
    assert.equal(bus.count(CAM_A), 1, "the stream's");

    await writePolicy([]);
    await v.until(() => typed(v, "subscribed").length === 2, 10_000, "the reload's ack");
    assert.deepEqual(typed(v, "subscribed")[1], { type: "subscribed", cameras: [], all: false });
    assert.equal(t.hub.reduced.streams.length, 0);
    assert.equal(bus.count(CAM_A), 0);
    const next = await vgaFrame(2);
    await send(cam, next);
    await waitFor(() => t.hub.relay.latest.get(CAM_A)?.jpegLength === next.byteLength);
    assert.equal(t.hub.reduced.busy, 0);
    assert.equal(framesOf(v, CAM_A).length, 1);
  } finally {
    await Deno.remove(policyDir, { recursive: true });
  }
});

Deno.test("hub ends a reduced stream when its viewer's certificate is revoked, full viewers unaffected", async () => {
  await using t = await startTestHub({ motion: "off" });
  const bus = t.hub.state.bus as InProcessBus;
  const cam = await t.device(CAM_A);
  await waitFor(() => t.hub.relay.devices.size === 1);
  const alice = (await issueViewer(t.pki.dir, "alice")).cert;
  const tile = await t.viewer("alice", `?cameras=${CAM_A}&size=tile`, alice);
  const full = await t.viewer("bob", `?cameras=${CAM_A}`);
  for (const v of [tile, full]) await v.until(() => typed(v, "subscribed").length === 1);
  const first = await vgaFrame(1);
  await send(cam, first);
  await tile.until(() => framesOf(tile, CAM_A).length === 1, 10_000, "a tile frame");
  assert.equal(bus.count(CAM_A), 2);

  await revoke(t.pki.dir, "alice");
  assert.deepEqual(await tile.closed, { code: 1008, reason: "Certificate revoked" });
  await waitFor(() => t.hub.reduced.streams.length === 0, 5000, "the stream's end");
  assert.equal(bus.count(CAM_A), 1, "bob's alone");
  const next = await vgaFrame(2);
  await send(cam, next);
  await full.until(() => framesOf(full, CAM_A).length === 2, 5000, "bob's next frame");
  assert.deepEqual(framesOf(full, CAM_A), [first, next]);
});

Deno.test("hub keeps a camera's stream options across a replay's live", async () => {
  await using t = await startTestHub({ motion: "off" });
  const v = await t.viewer("alice", `?cameras=${CAM_A}&size=tile&maxFps=5`);
  await v.until(() => typed(v, "subscribed").length === 1, 5000, "ack");
  assert.equal(t.hub.reduced.streams.length, 1);
  v.ws.send(JSON.stringify({ type: "play", camera: CAM_A, from: Date.now() - 60_000 }));
  await v.until(() => typed(v, "replay").length >= 1, 5000, "the replay's ack");
  assert.deepEqual(t.hub.reduced.streams, [], "a replayed camera gets no live stream");
  v.ws.send(JSON.stringify({ type: "live", camera: CAM_A }));
  await v.until(() => typed(v, "subscribed").length === 2, 5000, "the live ack");
  assert.deepEqual(typed(v, "subscribed")[1].streams, { [CAM_A]: { size: "tile", maxFps: 5 } });
  assert.equal(t.hub.reduced.streams.length, 1);
});
