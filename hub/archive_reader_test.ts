import assert from "node:assert/strict";
import { fakeJpeg } from "../harness/fake_jpeg.ts";
import { createHubMetrics } from "./hub_metrics.ts";
import { Recorder } from "./recorder.ts";
import { listSegments, openArchive } from "./archive_reader.ts";
import { SegmentLeases } from "../lib/segment_leases.ts";
import { INDEX_MAGIC, segmentStem } from "../lib/archive_index.ts";
import type { RecordedFrame } from "../lib/recordings.ts";

const SERIAL = "0123CAFE0000000001";
const T0 = 1_700_000_000_000;

async function withArchive(
  body: (r: { rec: Recorder; dir: string; clock: { t: number } }) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "archive_reader_" });
  const clock = { t: T0 };
  const m = createHubMetrics();
  const rec = new Recorder({
    dir,
    segmentMs: 1000,
    log: () => {},
    metrics: { frames: m.recorderFrames, bytes: m.recorderBytes, dropped: m.recorderDropped },
    now: () => clock.t,
  });
  try {
    await body({ rec, dir, clock });
  } finally {
    await rec.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function collect(it: AsyncIterable<RecordedFrame>): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

Deno.test("frames() yields the frames of a range across segments, byte-exact, in order", async () => {
  await withArchive(async ({ rec, dir, clock }) => {
    const jpegs = Array.from({ length: 30 }, (_, i) => fakeJpeg(200 + i, i));
    for (const [i, jpeg] of jpegs.entries()) {
      clock.t = T0 + i * 100;
      rec.record(SERIAL, jpeg);
    }
    await rec.flush();
    const archive = openArchive(dir);
    const all = await collect(archive.frames(SERIAL, T0, T0 + 10_000));
    assert.equal(all.length, 30);
    all.forEach((f, i) => {
      assert.equal(f.time, T0 + i * 100);
      assert.deepEqual(f.jpeg, jpegs[i]);
    });
    const mid = await collect(archive.frames(SERIAL, T0 + 950, T0 + 2050));
    assert.deepEqual(
      mid.map((f) => f.time - T0),
      Array.from({ length: 11 }, (_, i) => 1000 + i * 100),
    );
    assert.deepEqual(await collect(archive.frames(SERIAL, T0 + 5000, T0 + 6000)), []);
    assert.deepEqual(await collect(archive.frames("0123CAFE0000000002", T0, T0 + 6000)), []);
  });
});

Deno.test("frames() picks up frames recorded while it runs, and leases the segment it reads", async () => {
  await withArchive(async ({ rec, dir, clock }) => {
    rec.record(SERIAL, fakeJpeg(300, 1));
    await rec.flush();
    const leases = new SegmentLeases();
    const archive = openArchive(dir, leases);
    const seen: number[] = [];
    for await (const f of archive.frames(SERIAL, T0, T0 + 60_000)) {
      assert.equal(leases.isHeld(SERIAL, f.time < T0 + 1000 ? T0 : T0 + 1400), true);
      seen.push(f.time - T0);
      if (seen.length < 3) {
        clock.t += 700;
        rec.record(SERIAL, fakeJpeg(300, seen.length + 1));
        await rec.flush();
      }
    }
    assert.deepEqual(seen, [0, 700, 1400]);
    assert.equal(leases.size, 0, "every lease is released when the iteration ends");
  });
});

Deno.test("frames() stops when its signal aborts and releases its lease", async () => {
  await withArchive(async ({ rec, dir, clock }) => {
    for (let i = 0; i < 5; i++) {
      clock.t = T0 + i * 10;
      rec.record(SERIAL, fakeJpeg(300, i));
    }
    await rec.flush();
    const leases = new SegmentLeases();
    const archive = openArchive(dir, leases);
    const ac = new AbortController();
    let n = 0;
    for await (const _ of archive.frames(SERIAL, T0, T0 + 1000, { signal: ac.signal })) {
      if (++n === 2) ac.abort();
    }
    assert.equal(n, 2);
    assert.equal(leases.size, 0);
  });
});

Deno.test("listSegments() reuses a settled directory's listing until the directory changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive_listing_" });
  try {
    const touch = (start: number) =>
      Deno.writeFile(`${dir}/${segmentStem(start)}.idx`, INDEX_MAGIC);
    await touch(T0);
    await touch(T0 + 60_000);
    const old = new Date(Date.now() - 60_000);
    await Deno.utime(dir, old, old);
    assert.deepEqual(await listSegments(dir), [T0, T0 + 60_000]);
    // A new segment moves the directory's mtime: seen at once.
    await touch(T0 + 120_000);
    assert.deepEqual(await listSegments(dir), [T0, T0 + 60_000, T0 + 120_000]);
    await Deno.utime(dir, old, old);
    assert.deepEqual(await listSegments(dir), [T0, T0 + 60_000, T0 + 120_000]);
    // The cached listing is what answers while the mtime stays (forced back here to show it).
    await Deno.remove(`${dir}/${segmentStem(T0)}.idx`);
    await Deno.utime(dir, old, old);
    assert.deepEqual(await listSegments(dir), [T0, T0 + 60_000, T0 + 120_000]);
    // A deletion as retention does it moves the mtime: gone at once.
    await Deno.remove(`${dir}/${segmentStem(T0 + 60_000)}.idx`);
    assert.deepEqual(await listSegments(dir), [T0 + 120_000]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(await listSegments(dir), []);
});
