/**
 * WebSocket replay through the real hub (issue 11, item 6): frames a device sent come back
 * byte-exact, in order, each with its capture time in a `trustcam-at=` COM; `pause` and `live`
 * stop them; the policy, the input checks and the limit answer with the documented errors; a
 * fast replay costs live viewers nothing; a closed connection leaves nothing running.
 */
import assert from "node:assert/strict";
import process from "node:process";
import {
  expectedViewerFrame,
  fakeJpeg,
  startTestHub,
  type TestClient,
  type TestHub,
  waitFor,
} from "./hub_fixture.ts";
import { listSegments, readSegmentIndex } from "../hub/archive_reader.ts";
import { revoke } from "../cli/cert_revocation.ts";
import { issueViewer } from "../cli/cert_dir.ts";
import { readComment, recordedAt } from "../lib/jpeg_com.ts";
import { parseViewerFrame } from "../lib/trailer.ts";

const CAM = "0123FEED00000000B1";
const LIVE = "0123FEED00000000B2";
const HIDDEN = "0123FEED00000000B9";

function send(ws: { send(d: Uint8Array, cb: (err?: Error) => void): void }, data: Uint8Array) {
  return new Promise<void>((resolve, reject) => ws.send(data, (e) => e ? reject(e) : resolve()));
}

/** Polls the archive until the recorder has indexed `n` frames of `serial`. */
async function recorded(t: TestHub, serial: string, n: number): Promise<void> {
  const cam = `${t.dataDir}/recordings/${serial}`;
  const deadline = performance.now() + 10_000;
  for (;;) {
    let got = 0;
    for (const start of await listSegments(cam)) got += (await readSegmentIndex(cam, start)).length;
    if (got >= n) return;
    if (performance.now() > deadline) throw new Error(`${got} of ${n} frames recorded`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends `frames` from a device of `serial`, `gapMs` apart, and waits until all are recorded. */
async function recordFrames(t: TestHub, serial: string, frames: Uint8Array[], gapMs = 0) {
  const dev = await t.device(serial);
  for (const f of frames) {
    await send(dev.ws, f);
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  await recorded(t, serial, frames.length);
  return dev;
}

/**
 * Every message a client receives, in order: "L" or "R" for a live or recorded frame,
 * "type/state" for text. Not the hub's `stats` ticks (every two seconds) nor camera events (a
 * camera idle for --stall-ms is announced stalled): they interleave at any time, and the
 * order asserted here is of frames and the answers to the viewer's own messages.
 */
function sequence(c: TestClient): string[] {
  const seq: string[] = [];
  c.ws.on("message", (data: Uint8Array, isBinary: boolean) => {
    if (isBinary) {
      seq.push(recordedAt(parseViewerFrame(data).jpeg) === undefined ? "L" : "R");
      return;
    }
    const m = JSON.parse(new TextDecoder().decode(data));
    if (m.type === "stats" || m.type === "camera") return;
    seq.push(m.state ? `${m.type}/${m.state}` : m.type);
  });
  return seq;
}

function replies(c: TestClient, type: string, state?: string): Record<string, unknown>[] {
  return (c.texts as Record<string, unknown>[]).filter((t) =>
    t.type === type && (state === undefined || t.state === state)
  );
}

/** The JPEG of a replayed frame without the COM segment the hub inserted. */
function stripRecordedAt(jpeg: Uint8Array): Uint8Array {
  const length = (jpeg[4] << 8) | jpeg[5];
  const out = new Uint8Array(jpeg.byteLength - 2 - length);
  out.set(jpeg.subarray(0, 2));
  out.set(jpeg.subarray(4 + length), 2);
  return out;
}

const play = (camera: string, from: unknown, speed?: unknown) =>
  JSON.stringify({ type: "play", camera, from, speed });

Deno.test("play gives back the recorded frames byte-exact, in order, with their capture times", async () => {
  await using t = await startTestHub({ record: "continuous" });
  const frames = Array.from({ length: 12 }, (_, i) => fakeJpeg(600 + i * 7, i + 1));
  await recordFrames(t, CAM, frames, 40);
  const cam = `${t.dataDir}/recordings/${CAM}`;
  const [start] = await listSegments(cam);
  const index = await readSegmentIndex(cam, start);
  assert.equal(index.length, frames.length);

  const viewer = await t.viewer("tester", "?cameras=");
  const seq = sequence(viewer);
  await viewer.until(() => replies(viewer, "subscribed").length === 1);
  viewer.ws.send(play(CAM, new Date(index[0].time).toISOString(), 2));
  await viewer.until(() => replies(viewer, "replay", "ended").length === 1);
  assert.deepEqual(seq.slice(seq.indexOf("replay/playing")), [
    "replay/playing",
    ...frames.map(() => "R"),
    "replay/ended",
  ]);
  for (const [i, b] of viewer.binary.entries()) {
    const { serial, jpeg } = parseViewerFrame(b);
    assert.equal(serial, CAM);
    assert.equal(readComment(jpeg), `trustcam-at=${index[i].time}`);
    assert.equal(recordedAt(jpeg), index[i].time);
    assert.deepEqual(stripRecordedAt(jpeg), frames[i], `frame ${i}`);
  }
  assert.deepEqual(replies(viewer, "replay"), [
    {
      type: "replay",
      camera: CAM,
      state: "playing",
      from: new Date(index[0].time).toISOString(),
      speed: 2,
    },
    { type: "replay", camera: CAM, state: "ended", at: new Date(index.at(-1)!.time).toISOString() },
  ]);

  assert.ok(
    t.log.some((l) =>
      l === `replay cn=tester serial=${CAM} from=${new Date(index[0].time).toISOString()} speed=2`
    ),
    t.log.join("\n"),
  );

  // From the middle, by epoch ms: the frames from there on.
  viewer.ws.send(play(CAM, index[8].time, 4));
  await viewer.until(() => replies(viewer, "replay", "ended").length === 2);
  assert.deepEqual(
    viewer.binary.slice(12).map((b) => recordedAt(parseViewerFrame(b).jpeg)),
    index.slice(8).map((r) => r.time),
  );
});

Deno.test("pause stops recorded frames; live ends the replay and live frames flow again", async () => {
  await using t = await startTestHub({ record: "continuous" });
  const frames = Array.from({ length: 10 }, (_, i) => fakeJpeg(500, i + 1));
  const dev = await recordFrames(t, CAM, frames, 40);
  const watcher = await t.viewer("watcher", `?cameras=${CAM}`);
  const viewer = await t.viewer("tester");
  const seq = sequence(viewer);
  await viewer.until(() => replies(viewer, "subscribed").length === 1);
  assert.deepEqual(replies(viewer, "subscribed")[0].cameras, [CAM]);

  // A quarter of the recorded speed: 160 ms a frame.
  viewer.ws.send(play(CAM, 0, 0.25));
  await viewer.until(() => viewer.binary.length === 2);
  viewer.ws.send(JSON.stringify({ type: "pause", camera: CAM }));
  await viewer.until(() => replies(viewer, "replay", "paused").length === 1);
  const shown = viewer.binary.length;
  const last = recordedAt(parseViewerFrame(viewer.binary[shown - 1]).jpeg)!;
  assert.equal(replies(viewer, "replay", "paused")[0].at, new Date(last).toISOString());
  await waitFor(() => t.hub.relay.replaysRunning === 0, 5000, "the reader to stop");

  // Paused: neither recorded nor live frames of the camera.
  await send(dev.ws, fakeJpeg(450, 0x61));
  await watcher.until(() => watcher.binary.length === 1);
  viewer.ws.send(JSON.stringify({ type: "subscribe", cameras: [] }));
  await viewer.until(() => replies(viewer, "subscribed").length === 2);
  assert.equal(viewer.binary.length, shown);

  viewer.ws.send(play(CAM, last, 0.25));
  await viewer.until(() => viewer.binary.length === shown + 2);
  viewer.ws.send(JSON.stringify({ type: "live", camera: CAM }));
  await viewer.until(() => replies(viewer, "subscribed").length === 3);
  assert.deepEqual(replies(viewer, "subscribed")[2].cameras, [CAM]);
  await waitFor(() => t.hub.relay.replaysRunning === 0);
  await send(dev.ws, fakeJpeg(450, 0x62));
  await watcher.until(() => watcher.binary.length === 2);
  await viewer.until(() => seq.at(-1) === "L", 5000, "the live frame");
  const afterAck = seq.slice(seq.indexOf("replay/live"));
  assert.deepEqual(afterAck, ["replay/live", "subscribed", "L"], "no recorded frame after live");
  assert.deepEqual(viewer.binary.at(-1), expectedViewerFrame(fakeJpeg(450, 0x62), CAM));
  assert.deepEqual([...t.hub.relay.viewers].find((v) => v.peer.cn === "tester")!.replays, []);
});

Deno.test("replay messages enforce the policy, the limit and the input checks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  try {
    const policyFile = `${dir}/policy.json`;
    const visible = [1, 2, 3, 4, 5].map((i) => `0123FEED00000000C${i}`);
    await Deno.writeTextFile(
      policyFile,
      JSON.stringify({ viewers: { tester: visible, "*": [] } }),
    );
    // Recording off: nothing is recorded, so every replay ends at once.
    await using t = await startTestHub({ policyFile });
    const viewer = await t.viewer("tester");
    await viewer.until(() => replies(viewer, "subscribed").length === 1);
    const session = () => [...t.hub.relay.viewers].find((v) => v.peer.cn === "tester")!;
    const refusals: Array<[string, string, string]> = [
      [play(HIDDEN, 0), "TC_ERR_FORBIDDEN", `Not allowed to see camera: "${HIDDEN}"`],
      [
        JSON.stringify({ type: "live", camera: HIDDEN }),
        "TC_ERR_FORBIDDEN",
        `Not allowed to see camera: "${HIDDEN}"`,
      ],
      [play(visible[0], "soon"), "TC_ERR_BAD_TIME", 'Invalid from: "soon": expected'],
      [JSON.stringify({ type: "play", camera: visible[0] }), "TC_ERR_BAD_TIME", "Missing from"],
      [play(visible[0], 0, 32), "TC_ERR_BAD_CONTROL", 'Invalid speed: "32": must be'],
      [play(visible[0], 0, "2"), "TC_ERR_BAD_CONTROL", 'Invalid speed: "2": must be'],
      [play("0123-not-a-serial", 0), "TC_ERR_BAD_SERIAL", "Invalid camera serial:"],
      [
        JSON.stringify({ type: "play", from: 0 }),
        "TC_ERR_BAD_CONTROL",
        'Control message "play" has no camera',
      ],
      [
        JSON.stringify({ type: "pause", camera: visible[0] }),
        "TC_ERR_BAD_CONTROL",
        `Camera is not replaying: "${visible[0]}"`,
      ],
    ];
    for (const [i, [text, code, message]] of refusals.entries()) {
      viewer.ws.send(text);
      await viewer.until(() => replies(viewer, "error").length === i + 1, 5000, text);
      const err = replies(viewer, "error")[i];
      assert.equal(err.code, code, text);
      assert.ok(String(err.message).startsWith(message), `${text}: ${err.message}`);
      assert.deepEqual(session().replays, [], `${text} changed nothing`);
    }
    assert.equal(replies(viewer, "replay").length, 0);
    assert.equal(replies(viewer, "subscribed").length, 1);

    // Nothing recorded: each play is acknowledged and ends at once, at its from.
    for (const [i, s] of visible.slice(0, 4).entries()) {
      viewer.ws.send(play(s, 1000 * (i + 1)));
      await viewer.until(() => replies(viewer, "replay", "ended").length === i + 1);
      assert.deepEqual(replies(viewer, "replay", "ended")[i], {
        type: "replay",
        camera: s,
        state: "ended",
        at: new Date(1000 * (i + 1)).toISOString(),
      });
    }
    const errors = replies(viewer, "error").length;
    viewer.ws.send(play(visible[4], 0));
    await viewer.until(() => replies(viewer, "error").length === errors + 1);
    assert.deepEqual(replies(viewer, "error").at(-1), {
      type: "error",
      code: "TC_ERR_REPLAY_LIMIT",
      message: "Too many cameras replaying: 5 > 4",
    });
    assert.deepEqual(session().replays.map((r) => r.camera), visible.slice(0, 4));
    // Playing one of the four again is a restart, not a fifth.
    viewer.ws.send(play(visible[0], 0, 2));
    await viewer.until(() => replies(viewer, "replay", "ended").length === 5);
    // `live` frees a place.
    viewer.ws.send(JSON.stringify({ type: "live", camera: visible[1] }));
    await viewer.until(() => replies(viewer, "replay", "live").length === 1);
    viewer.ws.send(play(visible[4], 0));
    await viewer.until(() => replies(viewer, "replay", "ended").length === 6);
    assert.equal(replies(viewer, "error").length, errors + 1);

    // A device certificate cannot replay.
    const device = await t.device("0123FEED00000000D7");
    device.ws.send(play(visible[0], 0));
    assert.deepEqual(await device.closed, { code: 1008, reason: "Devices cannot watch" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a policy reload that hides a replayed camera ends its replay", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  try {
    const policyFile = `${dir}/policy.json`;
    await Deno.writeTextFile(policyFile, JSON.stringify({ viewers: { "*": [CAM] } }));
    await using t = await startTestHub({ policyFile, record: "continuous" });
    const frames = Array.from({ length: 10 }, (_, i) => fakeJpeg(500, i + 1));
    // 100 ms apart, replayed at a quarter: 3.6 s after the first frame, well past the policy
    // watch's one-second poll even when its timer and the hub run late.
    await recordFrames(t, CAM, frames, 100);
    const viewer = await t.viewer("tester", "?cameras=");
    const seq = sequence(viewer);
    viewer.ws.send(play(CAM, 0, 0.25));
    await viewer.until(() => viewer.binary.length === 1);
    await Deno.writeTextFile(policyFile, JSON.stringify({ viewers: { "*": [] } }));
    await viewer.until(() => replies(viewer, "replay", "ended").length === 1, 10_000, "the end");
    await waitFor(() => t.hub.relay.replaysRunning === 0);
    const sent = viewer.binary.length;
    // The hub's answer to this subscribe, whatever follows it (a `stats` tick may come within
    // milliseconds: the policy watch and the tick share their one-second phase).
    const asked = seq.length;
    viewer.ws.send(JSON.stringify({ type: "subscribe", cameras: [] }));
    await viewer.until(() =>
      seq.slice(asked).includes("subscribed") && seq.includes("replay/ended")
    );
    assert.equal(viewer.binary.length, sent);
    assert.ok(sent < frames.length, `${sent} frames before the reload`);
    assert.equal(seq.slice(seq.indexOf("replay/ended") + 1).includes("R"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("revoking a viewer's certificate mid-replay ends the replay with the connection", async () => {
  await using t = await startTestHub({ record: "continuous" });
  const frames = Array.from({ length: 5 }, (_, i) => fakeJpeg(500, i + 1));
  await recordFrames(t, CAM, frames, 100);
  const cert = (await issueViewer(t.pki.dir, "mallory")).cert;
  const viewer = await t.viewer("mallory", "?cameras=", cert);
  viewer.ws.send(play(CAM, 0, 0.25));
  await viewer.until(() => viewer.binary.length === 1);
  assert.equal(t.hub.relay.replaysRunning, 1);
  await revoke(t.pki.dir, "mallory");
  assert.deepEqual(await viewer.closed, { code: 1008, reason: "Certificate revoked" });
  await waitFor(() => t.hub.relay.replaysRunning === 0, 5000, "the replay to end");
});

Deno.test("a viewer replaying at 16x costs a live viewer no frame and no skip", async () => {
  // 256 KiB held for a viewer is 8 live frames: a live viewer delayed by ~0.25 s would skip.
  await using t = await startTestHub({ record: "continuous", viewerBufferBytes: 256 * 1024 });
  const recordedFrames = Array.from({ length: 100 }, (_, i) => fakeJpeg(30_000, i + 1));
  await recordFrames(t, CAM, recordedFrames, 20);
  const watcher = await t.viewer("watcher", `?cameras=${LIVE}`);
  const live = await t.device(LIVE);
  // 60 frames at 30 fps, as a camera sends them. Each one a frame interval after the last
  // send, never to catch up: after a stall of the (starved) test process, catching up on a
  // schedule sent a burst that the 256 KiB buffer may not hold, replay or no replay.
  const M = 60;
  const burst = async () => {
    for (let i = 0; i < M; i++) {
      live.ws.send(fakeJpeg(30_000, i & 0xff));
      await new Promise((r) => setTimeout(r, 1000 / 30));
    }
  };
  await burst();
  await watcher.until(() => watcher.binary.length === M, 10_000, "the frames without replay");
  assert.equal(t.hub.relay.viewerSkips("watcher").size, 0);

  // The replayer starts over each time its replay (2 s of recording, 125 ms at 16x) ends.
  const replayer = await t.viewer("replayer", "?cameras=");
  let plays = 0;
  let bursting = true;
  replayer.ws.on("message", (data: Uint8Array, isBinary: boolean) => {
    if (isBinary || !bursting || plays >= 30) return;
    const m = JSON.parse(new TextDecoder().decode(data));
    if (m.type === "replay" && m.state === "ended") {
      plays++;
      replayer.ws.send(play(CAM, 0, 16));
    }
  });
  plays++;
  replayer.ws.send(play(CAM, 0, 16));
  await replayer.until(() => replayer.binary.length > 0, 5000, "the replay to run");
  await burst();
  bursting = false;
  await watcher.until(() => watcher.binary.length === 2 * M, 10_000, "the frames with replay");
  assert.equal(t.hub.relay.viewerSkips("watcher").size, 0, "no skip for the live viewer");
  const cam = (await t.request(`/api/cameras/${LIVE}`)).json() as { skipped: number };
  assert.equal(cam.skipped, 0);
  assert.ok(plays >= 2, `${plays} replays during the live burst`);
  console.log(
    `16x replay: ${replayer.binary.length} recorded frames in ${plays} plays meanwhile; ` +
      `live viewer ${watcher.binary.length}/${2 * M} frames, 0 skipped`,
  );
});

Deno.test("closing the socket mid-replay leaves no replay, timer or open file behind", async () => {
  await using t = await startTestHub({ record: "continuous" });
  const frames = Array.from({ length: 3 }, (_, i) => fakeJpeg(500, i + 1));
  await recordFrames(t, CAM, frames, 300);
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const viewer = await t.viewer("tester", "?cameras=");
  await viewer.until(() => replies(viewer, "subscribed").length === 1);
  const before = timers();
  // A quarter of the speed: the replay waits about 1.2 s for the second frame.
  viewer.ws.send(play(CAM, 0, 0.25));
  await viewer.until(() => viewer.binary.length === 1);
  assert.equal(t.hub.relay.replaysRunning, 1);
  await viewer.close();
  await waitFor(() => t.hub.relay.replaysRunning === 0, 5000, "the replay to end");
  assert.equal(timers(), before, "the replay's timer went with it");
  // The sanitizers check the rest: the segment file the replay read is closed.
});
