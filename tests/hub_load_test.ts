/**
 * The hub under the conditions the seed's server failed: a viewer that stops reading, viewers
 * coming and going mid-broadcast, a restart. Counts are asserted, never timings.
 */
import assert from "node:assert/strict";
import { fakeJpeg, startTestHub, type TestClient, waitFor } from "./hub_fixture.ts";
import { stalledViewer } from "../harness/stalled_viewer.ts";
import { parseViewerFrame } from "../lib/trailer.ts";
import { renderFrames } from "../sim/frames.ts";
import { until } from "./wait_for.ts";

const CAMS = [
  "0123000000000000A1",
  "0123000000000000A2",
  "0123000000000000A3",
  "0123000000000000A4",
];

function countBySerial(client: TestClient): Map<string, number> {
  const m = new Map<string, number>();
  for (const b of client.binary) {
    const s = parseViewerFrame(b).serial;
    m.set(s, (m.get(s) ?? 0) + 1);
  }
  return m;
}

Deno.test("hub skips frames for a viewer that stops reading while the others get every frame", async () => {
  await using t = await startTestHub({ viewerBufferBytes: 256 * 1024 });
  const healthy = [await t.viewer("alice"), await t.viewer("bob")];
  const stalled = await stalledViewer({
    port: t.port,
    caPem: t.pki.caPem,
    cert: await t.pki.viewer("sloth"),
  });
  try {
    const devices = await Promise.all(CAMS.map((s) => t.device(s)));
    await waitFor(() => t.hub.relay.devices.size === 4 && t.hub.relay.viewers.size === 3);
    // 4 cameras x 15 fps x 10 s of ~60 KB frames: 36 MB that the stalled viewer cannot take.
    const fps = 15;
    const seconds = 10;
    const frame = fakeJpeg(60_000);
    let sent = 0;
    // Each tick a frame interval after the last, never catching up: after a stall of the
    // (starved) test process, ticks sent back to back to keep a schedule would come to the
    // healthy viewers as a burst beyond their 256 KiB, and they would skip too.
    for (let tick = 0; tick < fps * seconds; tick++) {
      for (const d of devices) d.ws.send(frame);
      sent++;
      await new Promise((r) => setTimeout(r, 1000 / fps));
    }
    for (const v of healthy) {
      await v.until(() => v.binary.length === sent * 4, 30_000, `all ${sent * 4} frames`);
      const counts = countBySerial(v);
      for (const s of CAMS) assert.equal(counts.get(s), sent, `${s} complete for a healthy viewer`);
    }
    const skips = t.hub.relay.viewerSkips("sloth");
    const skippedTotal = [...skips.values()].reduce((a, b) => a + b, 0);
    for (const s of CAMS) {
      assert.ok((skips.get(s) ?? 0) > 0, `stalled viewer skipped frames of ${s}`);
    }
    assert.equal(t.hub.relay.viewerSkips("alice").size, 0, "no skips for a healthy viewer");
    const cams = (await t.request("/api/cameras")).json() as {
      cameras: { serial: string; skipped: number; frames: number }[];
    };
    for (const c of cams.cameras) {
      assert.equal(c.frames, sent);
      assert.ok(c.skipped > 0);
    }
    console.log(
      `stalled viewer: ${sent * 4} frames sent, ${skippedTotal} skipped for it ` +
        `(${CAMS.map((s) => skips.get(s)).join("/")} per camera), healthy viewers got ${
          healthy.map((v) => v.binary.length).join(" and ")
        }`,
    );
  } finally {
    stalled.close();
  }
});

Deno.test("hub survives 200 viewer connect/close cycles during streaming and keeps no stale viewer", async () => {
  await using t = await startTestHub();
  const watcher = await t.viewer("alice");
  const devices = await Promise.all(CAMS.slice(0, 2).map((s) => t.device(s)));
  const cert = await t.pki.viewer("churn");
  let streaming = true;
  let sent = 0;
  const pump = (async () => {
    while (streaming) {
      for (const d of devices) d.ws.send(fakeJpeg(2000));
      sent++;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const busBefore = (t.hub.state.bus as { size?: number }).size ?? 0;
  for (let i = 0; i < 200; i++) {
    const v = await t.viewer("churn", "", cert);
    // Half close politely, half vanish mid-broadcast like a closed tab.
    if (i % 2) await v.close();
    else {
      v.ws.terminate();
      await v.closed;
    }
  }
  streaming = false;
  await pump;
  await waitFor(() => t.hub.relay.viewers.size === 1, 5000, "only the watcher left");
  assert.equal((t.hub.state.bus as { size?: number }).size ?? 0, busBefore);
  const before = watcher.binary.length;
  for (const d of devices) d.ws.send(fakeJpeg(100));
  await watcher.until(() => watcher.binary.length === sent * 2 + 2, 5000, "every frame");
  assert.ok(watcher.binary.length > before);
  console.log(`churn: 200 cycles, ${sent * 2 + 2} frames relayed, viewers left: 1`);
});

Deno.test("hub registry survives a restart: names, counters and first-seen", async () => {
  await using t = await startTestHub();
  const dev = await t.device(CAMS[0]);
  const viewer = await t.viewer("alice");
  for (let i = 0; i < 3; i++) dev.ws.send(fakeJpeg(100));
  await viewer.until(() => viewer.binary.length === 3);
  const renamed = await t.request(`/api/cameras/${CAMS[0]}`, {
    method: "PATCH",
    body: JSON.stringify({ name: "  Front <door>  " }),
  });
  assert.equal(renamed.status, 200);
  await viewer.until(() =>
    (viewer.texts as { event?: string }[]).some((e) => e.event === "renamed")
  );
  const before = (await t.request(`/api/cameras/${CAMS[0]}`)).json() as Record<string, unknown>;
  await dev.close();
  await viewer.close();
  await t.restart();
  const after = (await t.request(`/api/cameras/${CAMS[0]}`)).json() as Record<string, unknown>;
  assert.equal(after.name, "Front <door>");
  assert.equal(after.frames, 3);
  assert.equal(after.firstSeen, before.firstSeen);
  assert.equal(after.state, "offline");
});

Deno.test("hub answers bad, traversal-looking and unknown serials with 400 and 404", async () => {
  await using t = await startTestHub();
  for (
    const path of [
      "/api/cameras/..%2F..%2Fetc%2Fpasswd",
      "/api/cameras/../../etc/passwd/snapshot.jpg",
      "/api/cameras/0123A1B2C3D4E5F6A7%00/snapshot.jpg",
      "/api/cameras/0123A1B2C3D4E5F6A/stream.mjpeg",
      "/api/cameras/%3Cscript%3E",
    ]
  ) {
    const res = await t.request(path);
    assert.ok(res.status === 400 || res.status === 404, `${path} → ${res.status}`);
    if (res.status === 400) {
      assert.equal((res.json() as { error: { code: string } }).error.code, "TC_ERR_BAD_SERIAL");
    }
  }
  const bad = await t.request("/api/cameras/..%2F..%2Fetc%2Fpasswd");
  assert.equal(bad.status, 400);
  const unknown = await t.request("/api/cameras/0123FFFFFFFFFFFFFF");
  assert.equal(unknown.status, 404);
  assert.equal((await t.request("/api/cameras/0123FFFFFFFFFFFFFF/snapshot.jpg")).status, 404);
  const rename = await t.request("/api/cameras/0123FFFFFFFFFFFFFF", {
    method: "PATCH",
    body: "{}",
  });
  assert.equal(rename.status, 404);
});

async function ffprobe(path: string): Promise<string> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-show_entries",
      "stream=codec_name,width,height",
      "-of",
      "csv=p=0",
      path,
    ],
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("hub serves the latest frame as a snapshot and a live MJPEG stream ffmpeg can read", async () => {
  await using t = await startTestHub();
  const serial = CAMS[0];
  const frames = renderFrames({ serial, size: "qvga", count: 4 });
  const dev = await t.device(serial);
  const noFrame = await t.request(`/api/cameras/${serial}/snapshot.jpg`);
  assert.equal(noFrame.status, 404);

  let streaming = true;
  let pumped = 0;
  const pump = (async () => {
    for (let i = 0; streaming; i++) {
      dev.ws.send(frames[i % frames.length]);
      pumped++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const dir = await Deno.makeTempDir({ prefix: "trustcam_mjpeg_" });
  try {
    await waitFor(() => t.hub.relay.latest.has(serial));
    const snap = await t.request(`/api/cameras/${serial}/snapshot.jpg`);
    assert.equal(snap.status, 200);
    assert.equal(snap.headers["content-type"], "image/jpeg");
    await Deno.writeFile(`${dir}/snap.jpg`, snap.body);
    assert.equal(await ffprobe(`${dir}/snap.jpg`), "mjpeg,320,240");

    const viewer = await t.pki.viewer("vlc");
    await Deno.writeTextFile(`${dir}/viewer.crt`, viewer.chainPem);
    await Deno.writeTextFile(`${dir}/viewer.key`, viewer.keyPem);
    await Deno.writeTextFile(`${dir}/ca.pem`, t.pki.caPem);
    const ff = await new Deno.Command("ffmpeg", {
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        "-cert_file",
        `${dir}/viewer.crt`,
        "-key_file",
        `${dir}/viewer.key`,
        "-ca_file",
        `${dir}/ca.pem`,
        "-tls_verify",
        "1",
        "-i",
        `https://127.0.0.1:${t.port}/api/cameras/${serial}/stream.mjpeg`,
        "-frames:v",
        "3",
        `${dir}/out%d.jpg`,
      ],
      stdin: "null",
    }).output();
    assert.ok(ff.success, `ffmpeg failed: ${new TextDecoder().decode(ff.stderr)}`);
    for (const i of [1, 2, 3]) assert.equal(await ffprobe(`${dir}/out${i}.jpg`), "mjpeg,320,240");

    // After a restart the camera is offline, and its last picture is still there.
    streaming = false;
    await pump;
    // The last frame sent may still be on its way: the hub's latest is the last one only once
    // it has counted every frame.
    await until(
      async () =>
        ((await t.request(`/api/cameras/${serial}`)).json() as { frames: number }).frames ===
          pumped,
      5000,
      "every frame at the hub",
    );
    const last = t.hub.relay.latest.get(serial)!;
    const lastJpeg = last.data.slice(0, last.jpegLength);
    await dev.close();
    await t.restart();
    const after = await t.request(`/api/cameras/${serial}/snapshot.jpg`);
    assert.equal(after.status, 200);
    assert.deepEqual(after.body, lastJpeg);
  } finally {
    streaming = false;
    await pump;
    await Deno.remove(dir, { recursive: true });
  }
});
