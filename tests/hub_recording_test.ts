/**
 * Recording through the real hub (issue 11): frames a device sends over mTLS land in the
 * archive byte-exact, `/metrics` counts them, and a restart repairs a torn segment.
 */
import assert from "node:assert/strict";
import { fakeJpeg, startTestHub } from "./hub_fixture.ts";
import { frameNearest, listSegments, readFrame, readSegmentIndex } from "../hub/archive_reader.ts";

const CAM = "0123FEED00000000C1";

function send(ws: { send(d: Uint8Array, cb: (err?: Error) => void): void }, data: Uint8Array) {
  return new Promise<void>((resolve, reject) => ws.send(data, (e) => e ? reject(e) : resolve()));
}

Deno.test("hub --record continuous stores every frame byte-exact and counts it", async () => {
  await using t = await startTestHub({ record: "continuous" });
  const viewer = await t.viewer("watcher");
  const dev = await t.device(CAM);
  const frames = Array.from({ length: 20 }, (_, i) => fakeJpeg(300 + i, i + 1));
  for (const f of frames) await send(dev.ws, f);
  await viewer.until(() => viewer.binary.length === frames.length);

  // The recorder writes on the hub's one-second tick: poll the counter, no sleep.
  const recorded = async () => {
    const text = (await t.request("/metrics")).text();
    const m = new RegExp(`trustcam_recorder_frames_total\\{serial="${CAM}"\\} (\\d+)`).exec(text);
    return Number(m?.[1] ?? 0);
  };
  let count = 0;
  const deadline = performance.now() + 10_000;
  while ((count = await recorded()) < frames.length && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(count, frames.length);

  const cam = `${t.dataDir}/recordings/${CAM}`;
  const [start, ...more] = await listSegments(cam);
  assert.deepEqual(more, []);
  const records = await readSegmentIndex(cam, start);
  assert.equal(records.length, frames.length);
  for (const [i, r] of records.entries()) {
    assert.deepEqual(await readFrame(cam, start, r), frames[i]);
  }
  const last = records.at(-1)!;
  assert.deepEqual((await frameNearest(cam, last.time + 1000))?.jpeg, frames.at(-1));
});

Deno.test("hub start-up recovery cuts a torn segment and logs the repair", async () => {
  await using t = await startTestHub({ record: "continuous" });
  const viewer = await t.viewer("watcher");
  const dev = await t.device(CAM);
  const frames = Array.from({ length: 5 }, (_, i) => fakeJpeg(400, i + 1));
  for (const f of frames) await send(dev.ws, f);
  await viewer.until(() => viewer.binary.length === frames.length);
  const cam = `${t.dataDir}/recordings/${CAM}`;
  // close() flushes what is queued, so the segment holds every frame the hub received.
  await t.restart({ record: "off" });
  const [start] = await listSegments(cam);
  assert.equal((await readSegmentIndex(cam, start)).length, 5);
  const stem = `${cam}/${String(start).padStart(15, "0")}`;
  await Deno.truncate(`${stem}.mjpeg`, 404 * 3 + 100);

  // Recovery runs whatever the mode: playback reads the archive either way.
  await t.restart({ record: "off" });
  const line = t.log.find((l) => l.includes("recording-repaired"));
  assert.ok(line, t.log.join("\n"));
  assert.match(line, new RegExp(`serial=${CAM}`));
  assert.match(line, /frames=3 droppedFrames=2/);
  const records = await readSegmentIndex(cam, start);
  assert.equal(records.length, 3);
  assert.equal((await Deno.stat(`${stem}.mjpeg`)).size, 404 * 3);
  for (const [i, r] of records.entries()) {
    assert.deepEqual(await readFrame(cam, start, r), frames[i]);
  }
});

Deno.test("hub records nothing by default, and says motion mode is not there yet", async () => {
  await using t = await startTestHub({});
  const dev = await t.device(CAM);
  await send(dev.ws, fakeJpeg(400));
  await t.restart({ record: "motion" });
  assert.ok(
    t.log.some((l) => l.includes("recording") && l.includes("mode=motion")),
    t.log.join("\n"),
  );
  await assert.rejects(Deno.stat(`${t.dataDir}/recordings`), Deno.errors.NotFound);
});
