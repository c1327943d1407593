/**
 * The playback API over real TLS (issue 11): frames a device sent come back byte-exact from
 * `recording.jpg` with their capture time, `recordings` sums them, and both routes enforce
 * roles, policy and input checks with the documented errors.
 */
import assert from "node:assert/strict";
import { fakeJpeg, startTestHub, type TestHub } from "./hub_fixture.ts";

const CAM = "0123FEED00000000D1";
const OTHER = "0123FEED00000000D2";
const UNKNOWN = "0123FEED00000000EE";

interface ErrorJson {
  error: { code: string; message: string };
}

function send(ws: { send(d: Uint8Array, cb: (err?: Error) => void): void }, data: Uint8Array) {
  return new Promise<void>((resolve, reject) => ws.send(data, (e) => e ? reject(e) : resolve()));
}

/** Polls `/metrics` until the recorder has written `n` frames of `serial` (it writes each second). */
async function recorded(t: TestHub, serial: string, n: number): Promise<void> {
  const re = new RegExp(`trustcam_recorder_frames_total\\{serial="${serial}"\\} (\\d+)`);
  const deadline = performance.now() + 10_000;
  for (;;) {
    const got = Number(re.exec((await t.request("/metrics")).text())?.[1] ?? 0);
    if (got >= n) return;
    if (performance.now() > deadline) throw new Error(`${got} of ${n} frames recorded`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("recording.jpg gives back each frame sent byte-exact with its capture time", async () => {
  await using t = await startTestHub({ record: "continuous" });
  const viewer = await t.viewer("watcher", `?cameras=${CAM}`);
  const dev = await t.device(CAM);
  const frames = Array.from({ length: 10 }, (_, i) => fakeJpeg(500 + i * 10, i + 1));
  // The hub stamps a frame between its send and its arrival at a viewer. The next frame is sent
  // later than that window is long (and at least 100 ms) after the arrival, so the frame
  // stamped in the window is the nearest to its arrival however slow the box.
  const windows: Array<[number, number]> = [];
  for (const [i, f] of frames.entries()) {
    const sent = Date.now();
    await send(dev.ws, f);
    await viewer.until(() => viewer.binary.length === i + 1);
    const arrived = Date.now();
    windows.push([sent, arrived]);
    const gap = Math.max(100, arrived - sent + 20);
    while (Date.now() < arrived + gap) await new Promise((r) => setTimeout(r, 10));
  }
  await recorded(t, CAM, frames.length);

  const times: number[] = [];
  for (const [i, [sent, arrived]] of windows.entries()) {
    const res = await t.request(`/api/cameras/${CAM}/recording.jpg?at=${arrived}`);
    assert.equal(res.status, 200, res.text());
    assert.equal(res.headers["content-type"], "image/jpeg");
    assert.deepEqual(res.body, frames[i], `frame ${i}`);
    const stamp = Date.parse(String(res.headers["x-timestamp"]));
    assert.ok(stamp >= sent && stamp <= arrived, `frame ${i}: ${stamp} in [${sent}, ${arrived}]`);
    times.push(stamp);
  }
  const iso = new Date(times[0]).toISOString();
  const byIso = await t.request(`/api/cameras/${CAM}/recording.jpg?at=${iso}`);
  assert.deepEqual(byIso.body, frames[0]);

  const all = await t.request(`/api/cameras/${CAM}/recordings`);
  assert.equal(all.status, 200);
  const bytes = frames.reduce((n, f) => n + f.length, 0);
  assert.deepEqual((all.json() as { ranges: unknown[] }).ranges, [{
    from: new Date(times[0]).toISOString(),
    to: new Date(times[9]).toISOString(),
    frames: 10,
    bytes,
  }]);
  const part = await t.request(
    `/api/cameras/${CAM}/recordings?from=${times[2]}&to=${new Date(times[4]).toISOString()}`,
  );
  assert.deepEqual((part.json() as { ranges: unknown[] }).ranges, [{
    from: new Date(times[2]).toISOString(),
    to: new Date(times[4]).toISOString(),
    frames: 3,
    bytes: frames[2].length + frames[3].length + frames[4].length,
  }]);
  const before = await t.request(`/api/cameras/${CAM}/recordings?from=0&to=1000`);
  assert.deepEqual((before.json() as { ranges: unknown[] }).ranges, []);
});

Deno.test("playback routes refuse bad times, unknown recordings, devices and hidden cameras", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  try {
    const policyFile = `${dir}/policy.json`;
    await Deno.writeTextFile(
      policyFile,
      JSON.stringify({ viewers: { tester: [CAM, UNKNOWN], "*": [] } }),
    );
    // Recording off: the cameras are known, their archives empty.
    await using t = await startTestHub({ policyFile });
    const viewer = await t.viewer("tester");
    const dev = await t.device(CAM);
    await t.device(OTHER);
    await send(dev.ws, fakeJpeg(500));
    await viewer.until(() => viewer.binary.length === 1);
    const refusals: Array<[string, number, string, string?]> = [
      [`${CAM}/recording.jpg?at=soon`, 400, "TC_ERR_BAD_TIME", 'Invalid at: "soon": expected'],
      [`${CAM}/recording.jpg`, 400, "TC_ERR_BAD_TIME", "Missing at"],
      [
        `${CAM}/recordings?from=2026-13-01T00:00Z`,
        400,
        "TC_ERR_BAD_TIME",
        'Invalid from: "2026-13',
      ],
      [`${CAM}/recordings?from=20&to=10`, 400, "TC_ERR_BAD_RANGE", 'Invalid range: from "20"'],
      [`${OTHER}/recording.jpg?at=0`, 403, "TC_ERR_FORBIDDEN"],
      [`${OTHER}/recordings`, 403, "TC_ERR_FORBIDDEN"],
      [`${UNKNOWN}/recordings`, 404, "TC_ERR_NOT_FOUND"],
      [`nope/recording.jpg?at=0`, 400, "TC_ERR_BAD_SERIAL"],
    ];
    for (const [path, status, code, message] of refusals) {
      const res = await t.request(`/api/cameras/${path}`);
      assert.equal(res.status, status, path);
      const { error } = res.json() as ErrorJson;
      assert.equal(error.code, code, path);
      if (message) assert.ok(error.message.startsWith(message), `${path}: ${error.message}`);
    }
    const deviceCert = await t.pki.device("0123FEED00000000D3");
    const asDevice = await t.request(`/api/cameras/${CAM}/recordings`, { cert: deviceCert });
    assert.equal(asDevice.status, 403);
    assert.equal((asDevice.json() as ErrorJson).error.code, "TC_ERR_WRONG_ROLE");
    // A camera seen but never recorded.
    const none = await t.request(`/api/cameras/${CAM}/recording.jpg?at=0`);
    assert.equal(none.status, 404);
    assert.deepEqual((none.json() as ErrorJson).error, {
      code: "TC_ERR_NOT_FOUND",
      message: `No recording of camera: "${CAM}"`,
    });
    const empty = await t.request(`/api/cameras/${CAM}/recordings`);
    assert.deepEqual((empty.json() as { ranges: unknown[] }).ranges, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
