/**
 * The hub with the tools people point at a camera (issue 14): ffmpeg reads a snapshot over
 * mTLS, pollers revalidate it, and a live MJPEG capture by ffmpeg lasts as long as it ran.
 */
import assert from "node:assert/strict";
import https from "node:https";
import { join } from "node:path";
import { concat, startTestHub, type TestHub, waitFor } from "./hub_fixture.ts";
import { realJpegs } from "./archive_fixture.ts";
import { ffprobe } from "./ffmpeg_fixture.ts";
import { parseMjpegParts } from "./mjpeg_parts.ts";

const CAM = "0123FEED00000000A4";

function send(ws: { send(d: Uint8Array, cb: (err?: Error) => void): void }, data: Uint8Array) {
  return new Promise<void>((resolve, reject) => ws.send(data, (e) => e ? reject(e) : resolve()));
}

/** A device streaming real JPEGs at `fps` until the returned stop() is awaited. */
async function streaming(t: TestHub, fps: number) {
  const dev = await t.device(CAM);
  const jpegs = realJpegs();
  let sent = 0;
  let running = true;
  const loop = (async () => {
    const start = performance.now();
    while (running) {
      await send(dev.ws, jpegs[sent % jpegs.length]);
      sent++;
      const due = start + sent * (1000 / fps) - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    }
  })();
  await t.request(`/api/cameras/${CAM}`); // the device is registered by now
  return {
    sent: () => sent,
    async stop() {
      running = false;
      await loop;
      await dev.close();
    },
  };
}

/** The viewer certificate "ffmpeg" as PEM files, and ffmpeg's TLS arguments for them. */
async function ffmpegTls(t: TestHub): Promise<string[]> {
  const cert = await t.pki.viewer("ffmpeg");
  const chain = join(t.pki.dir, "ffmpeg.chain"), key = join(t.pki.dir, "ffmpeg.key");
  await Deno.writeTextFile(chain, cert.chainPem);
  await Deno.writeTextFile(key, cert.keyPem, { mode: 0o600 });
  const root = join(t.pki.dir, "root-ca.crt");
  return ["-cert_file", chain, "-key_file", key, "-ca_file", root, "-tls_verify", "1"];
}

async function ffmpeg(args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-nostdin", "-v", "error", "-y", ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("snapshot.jpg has Content-Length, ETag and Last-Modified, and answers 304 to its ETag", async () => {
  await using t = await startTestHub();
  const dev = await t.device(CAM);
  const jpeg = realJpegs()[3];
  await send(dev.ws, jpeg);
  let res = await t.request(`/api/cameras/${CAM}/snapshot.jpg`);
  for (const deadline = Date.now() + 5000; res.status === 404 && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 20));
    res = await t.request(`/api/cameras/${CAM}/snapshot.jpg`);
  }
  assert.equal(res.status, 200, res.text());
  assert.deepEqual(res.body, jpeg);
  assert.equal(res.headers["content-length"], String(jpeg.byteLength));
  assert.equal(res.headers["transfer-encoding"], undefined);
  const etag = res.headers["etag"] as string;
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const camera = (await t.request(`/api/cameras/${CAM}`)).json() as { lastFrameAt: string };
  assert.equal(res.headers["last-modified"], new Date(camera.lastFrameAt).toUTCString());

  const again = await t.request(`/api/cameras/${CAM}/snapshot.jpg`, {
    headers: { "if-none-match": etag },
  });
  assert.equal(again.status, 304);
  assert.equal(again.body.byteLength, 0);
  assert.equal(again.headers["etag"], etag);

  await send(dev.ws, realJpegs()[4]);
  let changed = again;
  for (const deadline = Date.now() + 5000; changed.status === 304 && Date.now() < deadline;) {
    changed = await t.request(`/api/cameras/${CAM}/snapshot.jpg`, {
      headers: { "if-none-match": etag },
    });
  }
  assert.equal(changed.status, 200, "a new frame is a new ETag");
  assert.notEqual(changed.headers["etag"], etag);
});

Deno.test("snapshot.jpg is read by ffmpeg over mTLS", async () => {
  await using t = await startTestHub();
  const cam = await streaming(t, 10);
  const out = join(t.pki.dir, "snapshot.png");
  try {
    const url = `https://127.0.0.1:${t.port}/api/cameras/${CAM}/snapshot.jpg`;
    const r = await ffmpeg([...await ffmpegTls(t), "-i", url, "-frames:v", "1", out]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await cam.stop();
  }
  const probe = await ffprobe(out);
  assert.deepEqual([probe.codec, probe.width, probe.height], ["png", 320, 240]);
});

Deno.test("stream.mjpeg parts carry Content-Length and the frame's X-Timestamp", async () => {
  await using t = await startTestHub();
  const cam = await streaming(t, 20);
  let res;
  const before = Date.now();
  try {
    // Read for a while, then hang up: the body is whatever arrived.
    res = await requestFor(t, `/api/cameras/${CAM}/stream.mjpeg`, 1000);
  } finally {
    await cam.stop();
  }
  const after = Date.now();
  const parts = parseMjpegParts(res);
  assert.ok(parts.length >= 5, `${parts.length} parts`);
  let previous = 0;
  for (const p of parts) {
    assert.equal(p.headers["content-length"], String(p.body.byteLength));
    const stamp = Date.parse(p.headers["x-timestamp"]);
    assert.ok(stamp >= before - 1000 && stamp <= after, `${p.headers["x-timestamp"]} in the run`);
    assert.ok(stamp >= previous, "timestamps do not go back");
    previous = stamp;
  }
});

Deno.test("stream.mjpeg captured by ffmpeg with -c copy lasts the wall-clock time it ran", async () => {
  await using t = await startTestHub();
  const cam = await streaming(t, 10);
  const out = join(t.pki.dir, "live.mkv");
  const url = `https://127.0.0.1:${t.port}/api/cameras/${CAM}/stream.mjpeg`;
  let elapsed;
  try {
    const args = await ffmpegTls(t);
    // How long ffmpeg read the stream: from the hub's opening it to ffmpeg's exit. Not from
    // the spawn: starting ffmpeg and its TLS handshake are no part of the capture, and take a
    // good part of a second on a loaded machine.
    let done = false;
    let opened = 0;
    const open = waitFor(() => done || t.hub.state.streams.size > 0, 30_000, "the capture")
      .then(() => opened = performance.now());
    // The README's line: wall-clock timestamps, since MJPEG over HTTP carries no timing
    // ffmpeg reads (it would assume 25 fps and play a 10 fps camera 2.5x too fast).
    const r = await ffmpeg([
      ...args,
      ...["-use_wallclock_as_timestamps", "1", "-i", url],
      ...["-t", "6", "-c", "copy", out],
    ]);
    const exited = performance.now();
    done = true;
    await open;
    elapsed = (exited - opened) / 1000;
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await cam.stop();
  }
  const probe = await ffprobe(out);
  assert.equal(probe.codec, "mjpeg");
  assert.ok(probe.frames >= 40, `${probe.frames} frames in 6 s at 10 fps`);
  const off = Math.abs(probe.duration - elapsed) / elapsed;
  assert.ok(off <= 0.1, `duration ${probe.duration} s vs ${elapsed.toFixed(2)} s wall-clock`);
});

/** GET `path` as a viewer for `ms`, then hang up; resolves the bytes received. */
async function requestFor(t: TestHub, path: string, ms: number): Promise<Uint8Array> {
  const cert = await t.pki.viewer("tester-stream");
  return await new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    const req = https.request({
      host: "127.0.0.1",
      port: t.port,
      path,
      ca: t.pki.caPem,
      cert: cert.chainPem,
      key: cert.keyPem,
      agent: false,
    }, (res) => {
      res.on("data", (c: Uint8Array) => chunks.push(c));
      setTimeout(() => {
        req.destroy();
        resolve(concat(chunks));
      }, ms);
    });
    req.on("error", reject);
    req.end();
  });
}
