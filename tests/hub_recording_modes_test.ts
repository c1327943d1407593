/**
 * Recording modes per camera over real TLS (issue 11): who may set one and what bad input
 * gets, the CAMERA object's `recording` in the API, `hello` and the `recording` event, modes
 * switching live in the recorder, and a camera's mode surviving a restart of the hub.
 */
import assert from "node:assert/strict";
import { fakeJpeg, startTestHub, type TestClient, type TestHub } from "./hub_fixture.ts";
import { listSegments, readFrame, readSegmentIndex } from "../hub/archive_reader.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import type { RecordingInfo } from "../lib/recording_mode.ts";
import type { InProcessBus } from "../lib/bus.ts";

const CAM = "0123FEED00000000A1";
const OTHER = "0123FEED00000000A2";
const UNKNOWN = "0123FEED00000000EE";

interface ErrorJson {
  error: { code: string; message: string };
}

interface CameraJson {
  serial: string;
  recording: RecordingInfo;
}

function send(ws: { send(d: Uint8Array, cb: (err?: Error) => void): void }, data: Uint8Array) {
  return new Promise<void>((resolve, reject) => ws.send(data, (e) => e ? reject(e) : resolve()));
}

function setMode(t: TestHub, serial: string, body: string, cert?: IssuedCert) {
  return t.request(`/api/cameras/${serial}/recording`, { method: "PUT", body, cert });
}

async function withPolicy(policy: unknown, fn: (policyFile: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  try {
    await Deno.writeTextFile(`${dir}/policy.json`, JSON.stringify(policy));
    await fn(`${dir}/policy.json`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Sends `frames` and waits until `viewer` has them, so the recorder has seen each one. */
async function stream(dev: TestClient, viewer: TestClient, frames: Uint8Array[]) {
  const before = viewer.binary.length;
  for (const f of frames) await send(dev.ws, f);
  await viewer.until(() => viewer.binary.length === before + frames.length);
}

function textsOfType(client: TestClient, type: string): Record<string, unknown>[] {
  return client.texts.filter((m) => (m as { type: string }).type === type) as Record<
    string,
    unknown
  >[];
}

Deno.test("PUT /api/cameras/:serial/recording: admins only, then bad input, then the change", async () => {
  await withPolicy({ viewers: { "*": "*" }, admins: ["boss"] }, async (policyFile) => {
    await using t = await startTestHub({ policyFile });
    await using _dev = await t.device(CAM);
    const boss = await t.pki.viewer("boss");
    const guard = await t.pki.viewer("guard");
    const watcher = await t.viewer("watcher");
    await watcher.until(() => textsOfType(watcher, "hello").length === 1);

    for (const serial of [CAM, UNKNOWN, "not-a-serial"]) {
      const res = await setMode(t, serial, '{"mode":"continuous"}', guard);
      assert.equal(res.status, 403, serial);
      assert.deepEqual((res.json() as ErrorJson).error, {
        code: "TC_ERR_FORBIDDEN",
        message: "Setting recording modes needs an admin certificate",
      }, "a non-admin learns nothing about the serial");
    }
    const device = await setMode(t, CAM, '{"mode":"continuous"}', await t.pki.device(OTHER));
    assert.equal(device.status, 403);
    assert.equal((device.json() as ErrorJson).error.code, "TC_ERR_WRONG_ROLE");

    const bad: [string, string][] = [
      [
        '{"mode":"always"}',
        'Invalid recording mode: "always": expected off, continuous, motion or default',
      ],
      ['{"mode":""}', 'Invalid recording mode: "": expected off, continuous, motion or default'],
      [
        '{"name":"x"}',
        'Request body needs "mode": off, continuous, motion or default, got "{\\"name\\":\\"x\\"}"',
      ],
      ["continuous", "Request body is not JSON"],
    ];
    for (const [body, message] of bad) {
      const res = await setMode(t, CAM, body, boss);
      assert.equal(res.status, 400, body);
      assert.deepEqual((res.json() as ErrorJson).error, { code: "TC_ERR_BAD_REQUEST", message });
    }
    const foreign = await t.request(`/api/cameras/${CAM}/recording`, {
      method: "PUT",
      body: '{"mode":"continuous"}',
      cert: boss,
      headers: { origin: "https://evil.example" },
    });
    assert.equal(foreign.status, 403, "another site's page may not set modes");
    assert.equal((foreign.json() as ErrorJson).error.code, "TC_ERR_ORIGIN");
    const unknown = await setMode(t, UNKNOWN, '{"mode":"continuous"}', boss);
    assert.equal(unknown.status, 404);
    assert.deepEqual((unknown.json() as ErrorJson).error, {
      code: "TC_ERR_NOT_FOUND",
      message: `Unknown camera: "${UNKNOWN}"`,
    });
    const read = (await t.request(`/api/cameras/${CAM}`, { cert: guard })).json() as CameraJson;
    assert.deepEqual(read.recording, {
      mode: "off",
      source: "default",
      recording: false,
      dropped: 0,
    }, "refused requests changed nothing");

    const ok = await setMode(t, CAM, '{"mode":"continuous"}', boss);
    assert.equal(ok.status, 200);
    const expected = { mode: "continuous", source: "camera", recording: true, dropped: 0 };
    assert.deepEqual((ok.json() as CameraJson).recording, expected);
    await watcher.until(() => textsOfType(watcher, "camera").some((m) => m.event === "recording"));
    const event = textsOfType(watcher, "camera").find((m) => m.event === "recording")!;
    assert.deepEqual((event.camera as CameraJson).recording, expected);
    assert.equal((event.camera as CameraJson).serial, CAM);
    const again = (await t.request(`/api/cameras/${CAM}`, { cert: guard })).json() as CameraJson;
    assert.deepEqual(again.recording, expected);

    const motion = await setMode(t, CAM, '{"mode":"motion"}', boss);
    assert.deepEqual((motion.json() as CameraJson).recording, {
      mode: "motion",
      source: "camera",
      recording: false,
      dropped: 0,
    }, "motion records nothing until a motion event");
    const back = await setMode(t, CAM, '{"mode":"default"}', boss);
    assert.deepEqual((back.json() as CameraJson).recording, {
      mode: "off",
      source: "default",
      recording: false,
      dropped: 0,
    });
  });
});

Deno.test("hub hello and the camera list carry each camera's recording state", async () => {
  await using t = await startTestHub({ record: "continuous" });
  await using _a = await t.device(CAM);
  await using _b = await t.device(OTHER);
  assert.equal((await setMode(t, OTHER, '{"mode":"off"}')).status, 200);
  const viewer = await t.viewer("late");
  await viewer.until(() => textsOfType(viewer, "hello").length === 1);
  const cameras = textsOfType(viewer, "hello")[0].cameras as CameraJson[];
  const bySerial = Object.fromEntries(cameras.map((c) => [c.serial, c.recording]));
  assert.deepEqual(bySerial, {
    [CAM]: { mode: "continuous", source: "default", recording: true, dropped: 0 },
    [OTHER]: { mode: "off", source: "camera", recording: false, dropped: 0 },
  });
  const list = (await t.request("/api/cameras")).json() as { cameras: CameraJson[] };
  assert.deepEqual(
    Object.fromEntries(list.cameras.map((c) => [c.serial, c.recording])),
    bySerial,
  );
});

Deno.test("hub switches recording modes live and keeps a camera's mode across a restart", async () => {
  // Motion detection is a wildcard subscriber of its own: off, the recorder's is the only one.
  await using t = await startTestHub({ motion: "off" });
  const viewer = await t.viewer("watcher", `?cameras=${CAM}`);
  let dev = await t.device(CAM);
  const frames = Array.from({ length: 20 }, (_, i) => fakeJpeg(300 + i, i + 1));

  await stream(dev, viewer, frames.slice(0, 2)); // off by default
  const bus = () => t.hub.state.bus as InProcessBus;
  assert.equal(bus().count("*"), 1, "no camera may record: the recorder is not on the bus");
  assert.equal((await setMode(t, CAM, '{"mode":"continuous"}')).status, 200);
  assert.equal(bus().count("*"), 2, "the first camera set to record brings the recorder in");
  await stream(dev, viewer, frames.slice(2, 6)); // written
  assert.equal((await setMode(t, CAM, '{"mode":"off"}')).status, 200);
  await stream(dev, viewer, frames.slice(6, 8)); // not written; the segment closes
  assert.equal((await setMode(t, CAM, '{"mode":"motion"}')).status, 200);
  await stream(dev, viewer, frames.slice(8, 10)); // motion off in this hub: nothing recorded
  assert.equal((await setMode(t, CAM, '{"mode":"continuous"}')).status, 200);
  await stream(dev, viewer, frames.slice(10, 13)); // written, in a new segment

  // The restart writes what is queued and closes the segments; the mode stays the camera's.
  await t.restart();
  const cam = `${t.dataDir}/recordings/${CAM}`;
  const written = async () => {
    const out: Uint8Array[][] = [];
    for (const start of await listSegments(cam)) {
      const records = await readSegmentIndex(cam, start);
      out.push(await Promise.all(records.map((r) => readFrame(cam, start, r))));
    }
    return out;
  };
  assert.deepEqual(await written(), [frames.slice(2, 6), frames.slice(10, 13)]);
  const info = (await t.request(`/api/cameras/${CAM}`)).json() as CameraJson;
  assert.deepEqual(info.recording, {
    mode: "continuous",
    source: "camera",
    recording: false,
    dropped: 0,
  }, "persisted; offline until the device reconnects");

  const viewer2 = await t.viewer("watcher", `?cameras=${CAM}`);
  dev = await t.device(CAM);
  await stream(dev, viewer2, frames.slice(13, 16));
  await t.restart();
  const segments = await written();
  assert.equal(segments.length, 3);
  assert.deepEqual(segments[2], frames.slice(13, 16), "recorded after the restart, default off");
});
