import assert from "node:assert/strict";
import { InProcessBus } from "../lib/bus.ts";
import { buildViewerFrame } from "../lib/trailer.ts";
import { fakeJpeg } from "../harness/fake_jpeg.ts";
import { renderFrames } from "../sim/frames.ts";
import { createHubMetrics } from "./hub_metrics.ts";
import { Recorder, type RecorderOptions } from "./recorder.ts";
import { type RecordMode, recordsFrames } from "../lib/recording_mode.ts";
import { frameNearest, listSegments, readFrame, readSegmentIndex } from "./archive_reader.ts";
import { recoverArchive } from "./archive_recover.ts";

const SERIAL = "0123CAFE0000000001";
const T0 = 1_700_000_000_000;

async function withRecorder(
  options: Partial<RecorderOptions>,
  body: (r: { rec: Recorder; bus: InProcessBus; dir: string; clock: { t: number } }) => unknown,
) {
  const dir = await Deno.makeTempDir({ prefix: "recorder_" });
  const clock = { t: T0 };
  const m = createHubMetrics();
  const rec = new Recorder({
    dir,
    segmentMs: 60_000,
    log: () => {},
    metrics: { frames: m.recorderFrames, bytes: m.recorderBytes, dropped: m.recorderDropped },
    now: () => clock.t,
    ...options,
  });
  const bus = new InProcessBus();
  rec.attach(bus);
  try {
    await body({ rec, bus, dir, clock });
  } finally {
    await rec.close();
    assert.equal(bus.size, 0, "close() unsubscribes");
    await Deno.remove(dir, { recursive: true });
  }
}

function publish(bus: InProcessBus, jpeg: Uint8Array, serial = SERIAL) {
  const data = buildViewerFrame(jpeg, serial);
  bus.publishFrame({ serial, data, jpegLength: jpeg.length, receivedAt: 0 });
}

Deno.test("Recorder writes frames byte-exact, one segment per interval, indexed by time", async () => {
  await withRecorder({ segmentMs: 1000 }, async ({ rec, bus, dir, clock }) => {
    const frames = Array.from({ length: 30 }, (_, i) => fakeJpeg(100 + i, i));
    for (const [i, jpeg] of frames.entries()) {
      clock.t = T0 + i * 100;
      publish(bus, jpeg);
      if (i % 7 === 0) await rec.flush();
    }
    await rec.flush();
    const cam = `${dir}/${SERIAL}`;
    assert.deepEqual(await listSegments(cam), [T0, T0 + 1000, T0 + 2000]);
    const seen: Uint8Array[] = [];
    for (const start of await listSegments(cam)) {
      const records = await readSegmentIndex(cam, start);
      assert.equal(records.length, 10);
      assert.deepEqual(
        records.map((r) => r.time - start),
        [...Array(10).keys()].map((k) => k * 100),
      );
      const data = await Deno.readFile(`${cam}/00${start}.mjpeg`);
      const last = records.at(-1)!;
      assert.equal(data.length, last.offset + last.length, "no bytes past the index");
      for (const r of records) seen.push(await readFrame(cam, start, r));
    }
    assert.deepEqual(seen, frames);
    assert.deepEqual(rec.stats(SERIAL), {
      frames: 30,
      bytes: frames.reduce((n, f) => n + f.length, 0),
      dropped: 0,
      capped: 0,
      pausedFrames: 0,
    });
    const near = await frameNearest(cam, T0 + 1049);
    assert.deepEqual(near, { time: T0 + 1000, jpeg: frames[10] });
    assert.deepEqual((await frameNearest(cam, T0 + 1951))?.time, T0 + 2000, "across segments");
  });
});

Deno.test("Recorder drops and counts frames past its queue instead of holding them", async () => {
  const m = createHubMetrics();
  await withRecorder({
    queueBytes: 1000,
    flushBytes: 1 << 20,
    metrics: { frames: m.recorderFrames, bytes: m.recorderBytes, dropped: m.recorderDropped },
  }, async ({ rec, bus }) => {
    for (let i = 0; i < 10; i++) publish(bus, fakeJpeg(296));
    assert.equal(rec.stats(SERIAL)?.dropped, 7);
    assert.equal(m.recorderDropped.get({ serial: SERIAL }), 7);
    await rec.flush();
    publish(bus, fakeJpeg(296));
    await rec.flush();
    assert.equal(m.recorderFrames.get({ serial: SERIAL }), 4);
    assert.equal(rec.stats(SERIAL)?.frames, 4);
  });
});

Deno.test("Recorder follows its gate live: off closes the segment, motion records nothing", async () => {
  const modes = new Map<string, RecordMode>([[SERIAL, "continuous"]]);
  const shouldRecord = (serial: string) => recordsFrames(modes.get(serial) ?? "off");
  await withRecorder({ shouldRecord }, async ({ rec, bus, dir, clock }) => {
    const frames = Array.from({ length: 10 }, (_, i) => fakeJpeg(100 + i, i));
    const at = (i: number) => {
      clock.t = T0 + i * 100;
      publish(bus, frames[i]);
    };
    [0, 1, 2].forEach(at);
    modes.set(SERIAL, "off");
    [3, 4].forEach(at);
    await rec.flush();
    const cam = `${dir}/${SERIAL}`;
    assert.deepEqual(await listSegments(cam), [T0]);
    assert.equal((await readSegmentIndex(cam, T0)).length, 3);
    modes.set(SERIAL, "motion");
    at(5);
    modes.set(SERIAL, "continuous");
    [6, 7].forEach(at);
    await rec.flush();
    // Well within one segment's 60 s: the stop closed the first one.
    assert.deepEqual(await listSegments(cam), [T0, T0 + 600]);
    const second = await readSegmentIndex(cam, T0 + 600);
    assert.deepEqual(second.map((r) => r.time), [T0 + 600, T0 + 700]);
    assert.deepEqual(await readFrame(cam, T0 + 600, second[1]), frames[7]);
    assert.deepEqual(rec.stats(SERIAL), {
      frames: 5,
      bytes: [0, 1, 2, 6, 7].reduce((n, i) => n + frames[i].length, 0),
      dropped: 0,
      capped: 0,
      pausedFrames: 0,
    });
    at(8);
    publish(bus, fakeJpeg(50), "0123CAFE0000000002");
    await rec.flush();
    assert.equal(rec.stats("0123CAFE0000000002"), undefined, "a camera that is off: no writer");
    await assert.rejects(Deno.stat(`${dir}/0123CAFE0000000002`), Deno.errors.NotFound);
  });
});

Deno.test("Recorder stops a camera whose write is in flight once that write is done", async () => {
  let on = true;
  await withRecorder(
    { shouldRecord: () => on, flushBytes: 1 },
    async ({ rec, bus, dir, clock }) => {
      publish(bus, fakeJpeg(100, 1));
      clock.t += 100;
      publish(bus, fakeJpeg(100, 2));
      on = false;
      publish(bus, fakeJpeg(100, 3));
      await rec.flush();
      await rec.flush();
      on = true;
      clock.t += 100;
      publish(bus, fakeJpeg(100, 4));
      await rec.flush();
      const cam = `${dir}/${SERIAL}`;
      assert.deepEqual(await listSegments(cam), [T0, T0 + 200]);
      assert.deepEqual((await readSegmentIndex(cam, T0)).map((r) => r.time), [T0, T0 + 100]);
    },
  );
});

Deno.test("Recorder keeps at most maxFps frames a second per camera and counts the rest", async () => {
  const OTHER = "0123CAFE0000000002";
  await withRecorder({ maxFps: 2 }, async ({ rec, bus, dir, clock }) => {
    // 15 fps from two cameras for 2 s.
    for (let i = 0; i < 30; i++) {
      clock.t = T0 + Math.round((i * 1000) / 15);
      publish(bus, fakeJpeg(100, i));
      publish(bus, fakeJpeg(100, i), OTHER);
    }
    await rec.flush();
    const kept = [0, 400, 933, 1400, 1933].map((t) => T0 + t);
    for (const serial of [SERIAL, OTHER]) {
      const records = await readSegmentIndex(`${dir}/${serial}`, T0);
      assert.deepEqual(records.map((r) => r.time), kept, serial);
      assert.deepEqual(rec.stats(serial), {
        frames: 5,
        bytes: 5 * 104,
        dropped: 0,
        capped: 25,
        pausedFrames: 0,
      });
    }
  });
});

Deno.test("Recorder keeps index times in order when the wall clock steps back", async () => {
  await withRecorder({}, async ({ rec, bus, dir, clock }) => {
    publish(bus, fakeJpeg(100));
    clock.t = T0 - 5000;
    publish(bus, fakeJpeg(100));
    await rec.flush();
    const records = await readSegmentIndex(`${dir}/${SERIAL}`, T0);
    assert.deepEqual(records.map((r) => r.time), [T0, T0]);
  });
});

Deno.test("Recorder segments are raw MJPEG that ffmpeg reads as is", async () => {
  const frames = renderFrames({ serial: SERIAL, size: "qvga", count: 5 });
  await withRecorder({}, async ({ rec, bus, dir }) => {
    for (const f of frames) publish(bus, f);
    await rec.flush();
    const out = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-f", "mjpeg", "-count_frames", "-select_streams", "v:0"]
        .concat(["-show_entries", "stream=nb_read_frames,width", "-of", "json"])
        .concat([`${dir}/${SERIAL}/00${T0}.mjpeg`]),
    }).output();
    assert.equal(new TextDecoder().decode(out.stderr), "");
    const [stream] = JSON.parse(new TextDecoder().decode(out.stdout)).streams;
    assert.deepEqual(stream, { width: 320, nb_read_frames: "5" });
  });
});

Deno.test("recoverArchive() cuts a torn last segment and leaves earlier ones whole", async () => {
  const frames = Array.from({ length: 6 }, (_, i) => fakeJpeg(200 + i, i));
  // Frame ends in the second segment (frames of 207, 208 and 209 bytes).
  const ends = [0, 207, 415, 624];
  // Tear the data inside each frame and at its ends, and the index inside each record.
  const tears: Array<{ data?: number; index?: number; append?: number; frames: number }> = [
    { data: 0, frames: 0 },
    { data: 1, frames: 0 },
    { data: 206, frames: 0 },
    { data: 207, frames: 1 },
    { data: 416, frames: 2 },
    { data: 623, frames: 2 },
    { index: 8 + 24 + 5, frames: 1 },
    { index: 8 + 72 - 1, frames: 2 },
    { append: 50, frames: 3 },
    { index: 7, frames: 0 },
  ];
  for (const tear of tears) {
    const log: Array<Record<string, unknown>> = [];
    await withRecorder({ segmentMs: 300 }, async ({ rec, bus, dir, clock }) => {
      for (const [i, jpeg] of frames.entries()) {
        clock.t = T0 + i * 100;
        publish(bus, jpeg);
      }
      await rec.close();
      const cam = `${dir}/${SERIAL}`;
      const last = `${cam}/00${T0 + 300}`;
      if (tear.data !== undefined) await Deno.truncate(`${last}.mjpeg`, tear.data);
      if (tear.index !== undefined) await Deno.truncate(`${last}.idx`, tear.index);
      if (tear.append) {
        await Deno.writeFile(`${last}.mjpeg`, fakeJpeg(tear.append), { append: true });
      }
      const repairs = await recoverArchive(dir, (_e, f) => log.push(f!));
      assert.equal(repairs.length, 1, JSON.stringify(tear));
      assert.equal(repairs[0].frames, tear.frames, JSON.stringify(tear));
      assert.deepEqual(log[0].segment, `00${T0 + 300}`);
      const starts = await listSegments(cam);
      assert.deepEqual(starts, tear.frames ? [T0, T0 + 300] : [T0]);
      if (tear.frames) {
        const records = await readSegmentIndex(cam, T0 + 300);
        assert.equal(records.length, tear.frames);
        assert.equal((await Deno.stat(`${last}.mjpeg`)).size, ends[tear.frames]);
      }
      for (let i = 0; i < 3 + tear.frames; i++) {
        assert.deepEqual(await frameNearest(cam, T0 + i * 100), {
          time: T0 + i * 100,
          jpeg: frames[i],
        });
      }
      assert.deepEqual(await recoverArchive(dir, () => {}), [], "a second recovery finds nothing");
    });
  }
});

Deno.test("Recorder pause() closes segments and counts frames; resume() records into a new one", async () => {
  await withRecorder({}, async ({ rec, bus, dir, clock }) => {
    const first = fakeJpeg(200, 1);
    publish(bus, first);
    await rec.flush();
    assert.equal(rec.writingFrom(SERIAL), T0);
    assert.equal(rec.writingFrom("0123CAFE0000000002"), undefined);
    await rec.pause("low-disk");
    assert.equal(rec.paused, true);
    assert.equal(
      rec.writingFrom(SERIAL),
      undefined,
      "the segment is closed: retention may take it",
    );
    clock.t += 100;
    publish(bus, fakeJpeg(200, 2));
    publish(bus, fakeJpeg(200, 3));
    await rec.flush();
    assert.deepEqual(rec.stats(SERIAL), {
      frames: 1,
      bytes: 204,
      dropped: 0,
      capped: 0,
      pausedFrames: 2,
    });
    assert.equal(rec.resume(), 2);
    assert.equal(rec.paused, false);
    clock.t += 100;
    const next = fakeJpeg(200, 4);
    publish(bus, next);
    await rec.flush();
    const cam = `${dir}/${SERIAL}`;
    assert.deepEqual(await listSegments(cam), [T0, T0 + 200]);
    assert.equal(rec.writingFrom(SERIAL), T0 + 200);
    const [r] = await readSegmentIndex(cam, T0 + 200);
    assert.deepEqual(await readFrame(cam, T0 + 200, r), next);
  });
});

Deno.test("Recorder.record() takes an explicit capture time and keeps times monotonic", async () => {
  await withRecorder({}, async ({ rec, dir, clock }) => {
    const frames = Array.from({ length: 4 }, (_, i) => fakeJpeg(100 + i, i + 1));
    clock.t = T0 + 10_000;
    rec.record(SERIAL, frames[0], T0 + 1000); // a pre-roll frame, received earlier
    rec.record(SERIAL, frames[1], T0 + 1200);
    rec.record(SERIAL, frames[2], T0 + 1100); // out of order: kept at the last time
    rec.record(SERIAL, frames[3]); // live: now
    await rec.flush();
    const cam = `${dir}/${SERIAL}`;
    const [start] = await listSegments(cam);
    assert.equal(start, T0 + 1000, "the segment starts at the first frame's own time");
    const records = await readSegmentIndex(cam, start);
    assert.deepEqual(records.map((r) => r.time), [T0 + 1000, T0 + 1200, T0 + 1200, T0 + 10_000]);
  });
});

Deno.test("Recorder hands the frames its gate refuses to `refused`, with their times", async () => {
  const refused: [string, number, number][] = [];
  await withRecorder({
    shouldRecord: () => false,
    refused: (serial, jpeg, time) => refused.push([serial, jpeg.length, time]),
  }, ({ rec, clock }) => {
    clock.t = T0 + 5;
    rec.record(SERIAL, fakeJpeg(100));
    rec.record(SERIAL, fakeJpeg(200), T0 + 1);
    assert.deepEqual(refused, [[SERIAL, 104, T0 + 5], [SERIAL, 204, T0 + 1]]);
  });
});
