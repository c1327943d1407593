/**
 * The `motion` recording mode in a real hub over TLS: a camera in it records from the
 * pre-roll before a motion event (those frames at the times the hub received them) to the
 * post-roll after it, then stops, and its CAMERA `recording` flag follows.
 */
import assert from "node:assert/strict";
import { startTestHub, type TestClient } from "./hub_fixture.ts";
import { sceneJpeg } from "../harness/motion_stream.ts";
import { listSegments, readFrame, readSegmentIndex } from "../hub/archive_reader.ts";

const CAM = "0123FEED00000000D1";
const INTERVAL = 50;
const STILL = 40;
const MOVING = 30;

function ofType(client: TestClient, type: string): Record<string, unknown>[] {
  return client.texts.filter((m) => (m as { type: string }).type === type) as Record<
    string,
    unknown
  >[];
}

/** Frame i of the scene: stills, then a square crossing, then stills; each one distinct. */
function frameAt(i: number): Promise<Uint8Array> {
  const m = i - STILL;
  const square = m >= 0 && m < MOVING
    ? { x: 10 + Math.round((m * 250) / MOVING), y: 90, size: 50 }
    : undefined;
  return sceneJpeg({ index: i, noise: 4, square });
}

const same = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

Deno.test("Hub motion recording: the pre-roll with its original times, the event, the post-roll, then nothing", async () => {
  await using t = await startTestHub({ motionPostRollMs: 1000 });
  const dev = await t.device(CAM);
  const watcher = await t.viewer("watcher", `?cameras=${CAM}`);
  await watcher.until(() => ofType(watcher, "hello").length === 1);
  assert.equal(
    (await t.request(`/api/cameras/${CAM}/motion`, {
      method: "PUT",
      body: '{"fps":15}',
    })).status,
    200,
  );
  assert.equal(
    (await t.request(`/api/cameras/${CAM}/recording`, {
      method: "PUT",
      body: '{"mode":"motion"}',
    })).status,
    200,
  );

  const sent: { jpeg: Uint8Array; at: number }[] = [];
  const send = async (i: number) => {
    const jpeg = await frameAt(i);
    const at = Date.now();
    await new Promise<void>((resolve, reject) =>
      dev.ws.send(jpeg, (e) => e ? reject(e) : resolve())
    );
    sent.push({ jpeg, at });
  };
  // The flag's false after the event's end: the post-roll is over.
  const recordingOff = () => {
    const endAt = watcher.texts.findIndex((m) =>
      (m as { type: string; state: string }).type === "motion" &&
      (m as { state: string }).state === "end"
    );
    return endAt >= 0 && watcher.texts.slice(endAt).some((m) => {
      const c = m as { type: string; event: string; camera: { recording: { recording: boolean } } };
      return c.type === "camera" && c.event === "recording" && !c.camera.recording.recording;
    });
  };
  // A camera's pace until the post-roll is over (the pages hear it), then 10 frames more.
  const t0 = performance.now();
  let i = 0;
  for (; !recordingOff(); i++) {
    assert.ok(i < 600, "the post-roll ends");
    const due = t0 + i * INTERVAL - performance.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    await send(i);
  }
  for (const end = i + 10; i < end; i++) await send(i);
  await watcher.until(() => watcher.binary.length === sent.length, 5000, "every frame live");

  const [start, end] = ofType(watcher, "motion");
  assert.deepEqual([start.state, end?.state], ["start", "end"]);
  const startedAt = Date.parse(start.startedAt as string);
  const recordingOn = ofType(watcher, "camera").filter((m) =>
    m.event === "recording" &&
    (m.camera as { recording: { recording: boolean } }).recording.recording
  );
  assert.equal(recordingOn.length, 1, "the start turned the flag on, once");

  await t.restart(); // writes the queue, closes the segment
  const dir = `${t.dataDir}/recordings/${CAM}`;
  const written: { jpeg: Uint8Array; time: number }[] = [];
  for (const segment of await listSegments(dir)) {
    for (const r of await readSegmentIndex(dir, segment)) {
      written.push({ jpeg: await readFrame(dir, segment, r), time: r.time });
    }
  }
  assert.ok(written.length > 0, "something was recorded");
  const index = written.map((w) => sent.findIndex((s) => same(s.jpeg, w.jpeg)));
  assert.ok(index.every((k) => k >= 0), "only frames the camera sent");
  const first = index[0];
  const last = index.at(-1)!;
  assert.deepEqual(
    index,
    Array.from({ length: last - first + 1 }, (_, k) => first + k),
    "one unbroken run of frames",
  );
  assert.ok(first < STILL, `the pre-roll holds still frames from before the square: ${first}`);
  assert.ok(written[0].time < startedAt, "recorded before the event's start");
  assert.ok(startedAt - written[0].time <= 5000 + INTERVAL * 2, "at most the 5 s pre-roll");
  for (const [k, w] of written.entries()) {
    const received = sent[index[k]].at;
    assert.ok(Math.abs(w.time - received) < 1000, `frame ${index[k]} at its own time`);
    if (k > 0) assert.ok(w.time >= written[k - 1].time, "times never go back");
  }
  assert.ok(last < sent.length - 10, "the frames after the post-roll are not recorded");
  assert.ok(written.at(-1)!.time >= Date.parse(end.endedAt as string) + 1000, "the post-roll");
});
