/**
 * Retention through the real hub (issue 11): the start-up sweep trims an archive to
 * `--retain-bytes`, keeping the newest; at the free-space floor (an injected free-space
 * source) recording pauses, frames are counted instead of written, and recording resumes by
 * itself, announced to viewers, when space returns.
 */
import assert from "node:assert/strict";
import { fakeJpeg, startTestHub, waitFor } from "./hub_fixture.ts";
import { listSegments, readFrame, readSegmentIndex } from "../hub/archive_reader.ts";
import { createHubMetrics } from "../hub/hub_metrics.ts";
import { Recorder } from "../hub/recorder.ts";

const CAM = "0123FEED00000000D1";
const T0 = Date.now() - 3_600_000;

function send(ws: { send(d: Uint8Array, cb: (err?: Error) => void): void }, data: Uint8Array) {
  return new Promise<void>((resolve, reject) => ws.send(data, (e) => e ? reject(e) : resolve()));
}

async function framesOnDisk(cam: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const start of await listSegments(cam)) {
    for (const r of await readSegmentIndex(cam, start)) out.push(await readFrame(cam, start, r));
  }
  return out;
}

Deno.test("hub start-up retention under a small --retain-bytes keeps the newest segments", async () => {
  await using t = await startTestHub({});
  // An archive an earlier run left: 5 one-second segments of about 4 KB.
  const clock = { t: T0 };
  const m = createHubMetrics();
  const rec = new Recorder({
    dir: `${t.dataDir}/recordings`,
    segmentMs: 1000,
    log: () => {},
    metrics: { frames: m.recorderFrames, bytes: m.recorderBytes, dropped: m.recorderDropped },
    now: () => clock.t,
  });
  const frames = Array.from({ length: 20 }, (_, i) => fakeJpeg(1000, i + 1));
  for (const f of frames) {
    rec.record(CAM, f);
    clock.t += 250;
  }
  await rec.close();
  const cam = `${t.dataDir}/recordings/${CAM}`;
  const segments = await listSegments(cam);
  assert.equal(segments.length, 5);

  // Recording off: retention runs all the same.
  await t.restart({ retainBytes: 9000 });
  await waitFor(() => t.log.some((l) => l.startsWith("retention-deleted")), 5000, "a sweep");
  assert.match(t.log.find((l) => l.startsWith("retention-deleted"))!, /segments=3 .*reason=quota/);
  assert.deepEqual(await listSegments(cam), segments.slice(3));
  assert.deepEqual(await framesOnDisk(cam), frames.slice(12));
  assert.ok(t.log.some((l) => l.startsWith("retention ") && l.includes("retainBytes=9000")));
  // No free-space source given: the hub's own (statfs) reads the disk.
  assert.equal(t.log.filter((l) => l.startsWith("retention-free-space-unknown")).join(), "");
  const text = (await t.request("/metrics")).text();
  assert.match(text, /trustcam_retention_deleted_segments_total\{reason="quota"\} 3/);
});

Deno.test("hub pauses recording at the free-space floor and resumes when space returns", async () => {
  const free = { availableBytes: 10_000, totalBytes: 1e12 };
  await using t = await startTestHub(
    { record: "continuous", minFreeBytes: 1_000_000 },
    { freeSpace: () => Promise.resolve({ ...free }) },
  );
  await waitFor(() => t.log.some((l) => l.startsWith("recording-paused")), 5000, "the pause");
  assert.match(t.log.find((l) => l.startsWith("recording-paused"))!, /reason=low-disk/);
  const viewer = await t.viewer("watcher");
  const dev = await t.device(CAM);
  const metric = async (name: string) => {
    const text = (await t.request("/metrics")).text();
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  };
  assert.equal(await metric("trustcam_recording_paused"), 1);

  // Live frames still flow; the recorder counts them as not recorded.
  for (let i = 0; i < 3; i++) await send(dev.ws, fakeJpeg(500, i + 1));
  await viewer.until(() => viewer.binary.length === 3);
  assert.equal(await metric("trustcam_recorder_paused_frames_total"), 3);
  assert.equal(await metric("trustcam_recorder_dropped_total"), 0);

  free.availableBytes = 1e9;
  const isResumed = (m: unknown) =>
    JSON.stringify(m) === '{"type":"recording","state":"resumed","reason":"low-disk"}';
  await viewer.until(() => viewer.texts.some(isResumed), 10_000, "the resumed event");
  assert.ok(t.log.some((l) => l.startsWith("recording-resumed") && l.includes("notRecorded=3")));
  assert.equal(await metric("trustcam_recording_paused"), 0);

  const after = Array.from({ length: 4 }, (_, i) => fakeJpeg(600, i + 10));
  for (const f of after) await send(dev.ws, f);
  await viewer.until(() => viewer.binary.length === 7);
  let recorded = 0;
  const deadline = performance.now() + 10_000;
  while ((recorded = await metric("trustcam_recorder_frames_total")) < 4) {
    if (performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(recorded, 4);
  assert.deepEqual(await framesOnDisk(`${t.dataDir}/recordings/${CAM}`), after);
});
