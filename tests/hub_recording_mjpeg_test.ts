/**
 * Recorded playback as MJPEG over real TLS (issue 11): `recording.mjpeg` gives back what was
 * recorded, byte-exact, stamped and paced; ffmpeg reads it from the hub; it stops with its
 * client and refuses bad input with the documented errors.
 */
import assert from "node:assert/strict";
import https from "node:https";
import { startTestHub, type TestHub, waitFor } from "./hub_fixture.ts";
import { realJpegs, syntheticFrames, writeArchive } from "./archive_fixture.ts";
import { ffprobe } from "./ffmpeg_fixture.ts";
import { parseMjpegParts } from "./mjpeg_parts.ts";
import type { RecordedFrame } from "../lib/recordings.ts";

const CAM = "0123FEED00000000E1";
const HOUR = 3600_000;

interface ErrorJson {
  error: { code: string; message: string };
}

function send(ws: { send(d: Uint8Array, cb: (err?: Error) => void): void }, data: Uint8Array) {
  return new Promise<void>((resolve, reject) => ws.send(data, (e) => e ? reject(e) : resolve()));
}

/** A hub that knows CAM (its device connected once) with `frames` in its archive. */
async function hubWithArchive(frames: RecordedFrame[], more = {}): Promise<TestHub> {
  const t = await startTestHub(more);
  await writeArchive(t.dataDir, CAM, frames);
  const dev = await t.device(CAM);
  await dev.close();
  return t;
}

const span = (frames: RecordedFrame[]) => `from=${frames[0].time}&to=${frames.at(-1)!.time}`;

Deno.test("recording.mjpeg gives back the frames a device sent, byte-exact, with their capture times", async () => {
  await using t = await startTestHub({ record: "continuous" });
  const viewer = await t.viewer("watcher", `?cameras=${CAM}`);
  const dev = await t.device(CAM);
  const jpegs = realJpegs();
  const windows: Array<[number, number]> = [];
  for (const [i, jpeg] of jpegs.entries()) {
    const sent = Date.now();
    await send(dev.ws, jpeg);
    await viewer.until(() => viewer.binary.length === i + 1);
    windows.push([sent, Date.now()]);
  }
  const from = windows[0][0];
  // The recorder writes each second: wait until the archive holds every frame.
  for (const deadline = Date.now() + 10_000;;) {
    const res = await t.request(`/api/cameras/${CAM}/recordings?from=${from}`);
    const ranges = (res.json() as { ranges: { frames: number }[] }).ranges;
    if (ranges.reduce((n, r) => n + r.frames, 0) === jpegs.length) break;
    assert.ok(Date.now() < deadline, "frames recorded");
    await new Promise((r) => setTimeout(r, 50));
  }

  const res = await t.request(`/api/cameras/${CAM}/recording.mjpeg?from=${from}&speed=16`);
  assert.equal(res.status, 200, res.text());
  assert.equal(res.headers["content-type"], "multipart/x-mixed-replace; boundary=trustcamframe");
  const parts = parseMjpegParts(res.body);
  assert.equal(parts.length, jpegs.length);
  parts.forEach((p, i) => {
    assert.deepEqual(p.body, jpegs[i], `frame ${i}`);
    const stamp = Date.parse(p.headers["x-timestamp"]);
    const [sent, arrived] = windows[i];
    assert.ok(stamp >= sent && stamp <= arrived, `frame ${i}: ${stamp} in [${sent}, ${arrived}]`);
  });
  // What VLC and ffmpeg read: ffprobe decodes every part.
  const probe = await ffprobe("-", res.body, "mpjpeg");
  assert.deepEqual([probe.codec, probe.frames], ["mjpeg", jpegs.length]);
});

Deno.test("recording.mjpeg replays 10 s of archive at the recorded times, paced by speed", async () => {
  const frames = syntheticFrames(150, Date.now() - HOUR);
  await using t = await hubWithArchive(frames);
  const started = performance.now();
  const res = await t.request(`/api/cameras/${CAM}/recording.mjpeg?${span(frames)}&speed=16`);
  const elapsed = performance.now() - started;
  const parts = parseMjpegParts(res.body);
  assert.equal(parts.length, 150);
  parts.forEach((p, i) => {
    assert.deepEqual(p.body, frames[i].jpeg, `frame ${i}`);
    assert.equal(p.headers["x-timestamp"], new Date(frames[i].time).toISOString());
  });
  // Paced, not dumped: the recording's span divided by the speed at least.
  const recorded = frames[149].time - frames[0].time;
  assert.ok(elapsed >= recorded / 16, `${elapsed} ms for ${recorded} ms at 16x`);
  const part = await t.request(
    `/api/cameras/${CAM}/recording.mjpeg?from=${frames[10].time}&to=${frames[19].time}&speed=4`,
  );
  assert.deepEqual(
    parseMjpegParts(part.body).map((p) => p.headers["x-timestamp"]),
    frames.slice(10, 20).map((f) => new Date(f.time).toISOString()),
  );
});

Deno.test("ffmpeg reads recording.mjpeg from the hub over TLS with a viewer certificate", async () => {
  const frames = syntheticFrames(60, Date.now() - HOUR);
  await using t = await hubWithArchive(frames);
  const cert = await t.pki.viewer("vlc");
  await Deno.writeTextFile(`${t.pki.dir}/vlc.chain`, cert.chainPem);
  await Deno.writeTextFile(`${t.pki.dir}/vlc.key`, cert.keyPem);
  await Deno.writeTextFile(`${t.pki.dir}/ca.pem`, t.pki.caPem);
  const out = await new Deno.Command("ffprobe", {
    args: [
      ...["-v", "error", "-tls_verify", "1", "-ca_file", `${t.pki.dir}/ca.pem`],
      ...["-cert_file", `${t.pki.dir}/vlc.chain`, "-key_file", `${t.pki.dir}/vlc.key`],
      ...["-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "json"],
      `https://127.0.0.1:${t.port}/api/cameras/${CAM}/recording.mjpeg?${span(frames)}&speed=16`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const stream = JSON.parse(new TextDecoder().decode(out.stdout)).streams[0];
  assert.deepEqual([stream.codec_name, Number(stream.nb_read_frames)], ["mjpeg", 60]);
});

Deno.test("recording.mjpeg stops when the client goes away, and refuses bad input", async () => {
  const frames = syntheticFrames(150, Date.now() - HOUR);
  await using t = await hubWithArchive(frames);
  const cert = await t.pki.viewer("leaver");
  // Speed 0.25: 40 s of stream; the client reads one part and hangs up.
  await new Promise<void>((resolve, reject) => {
    const req = https.get({
      host: "127.0.0.1",
      port: t.port,
      path: `/api/cameras/${CAM}/recording.mjpeg?${span(frames)}&speed=0.25`,
      ca: t.pki.caPem,
      cert: cert.chainPem,
      key: cert.keyPem,
      agent: false,
    }, (res) => {
      res.once("data", () => {
        assert.equal(t.hub.state.streams.size, 1);
        req.destroy();
        resolve();
      });
    });
    req.on("error", (err) => (err as { code?: string }).code === "ECONNRESET" ? 0 : reject(err));
  });
  await waitFor(() => t.hub.state.streams.size === 0, 5000, "the stream ended on the hub");

  const refusals: Array<[string, number, string, string]> = [
    [`from=${frames[0].time}&speed=0`, 400, "TC_ERR_BAD_SPEED", 'Invalid speed: "0": expected'],
    [`from=${frames[0].time}&speed=17`, 400, "TC_ERR_BAD_SPEED", 'Invalid speed: "17"'],
    [`from=later`, 400, "TC_ERR_BAD_TIME", 'Invalid from: "later"'],
    [`to=${frames[0].time}`, 400, "TC_ERR_BAD_TIME", "Missing from"],
    [`from=20&to=10`, 400, "TC_ERR_BAD_RANGE", 'Invalid range: from "20"'],
    [`from=0&to=1000`, 404, "TC_ERR_NOT_FOUND", `No recording of camera "${CAM}" from`],
  ];
  for (const [query, status, code, message] of refusals) {
    const res = await t.request(`/api/cameras/${CAM}/recording.mjpeg?${query}`);
    assert.equal(res.status, status, query);
    const { error } = res.json() as ErrorJson;
    assert.equal(error.code, code, query);
    assert.ok(error.message.startsWith(message), `${query}: ${error.message}`);
  }
  const device = await t.pki.device("0123FEED00000000E9");
  const asDevice = await t.request(`/api/cameras/${CAM}/recording.mjpeg?${span(frames)}`, {
    cert: device,
  });
  assert.equal((asDevice.json() as ErrorJson).error.code, "TC_ERR_WRONG_ROLE");
});
