import assert from "node:assert/strict";
import { fakeJpeg } from "../harness/fake_jpeg.ts";
import { SegmentLeases } from "../lib/segment_leases.ts";
import type { RetentionLimits } from "../lib/retention_plan.ts";
import type { RecordedFrame } from "../lib/recordings.ts";
import { createHubMetrics } from "./hub_metrics.ts";
import { Recorder } from "./recorder.ts";
import { listSegments, openArchive, readFrame, readSegmentIndex } from "./archive_reader.ts";
import { type FreeSpace, Retention, statfsFreeSpace } from "./retention.ts";
import { recoverArchive } from "./archive_recover.ts";
import { segmentStem } from "../lib/archive_index.ts";

const A = "0123CAFE000000000A";
const B = "0123CAFE000000000B";
const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const NO_LIMITS: RetentionLimits = { retainMs: DAY, retainBytes: null, minFreeBytes: null };

interface World {
  dir: string;
  rec: Recorder;
  clock: { t: number };
  /** What the injected free-space source reports. */
  free: FreeSpace;
  leases: SegmentLeases;
  log: string[];
  metrics: ReturnType<typeof createHubMetrics>;
  /** Pause changes announced (true: paused). */
  announced: boolean[];
  retention(limits: Partial<RetentionLimits>, o?: { now?: number; recorder?: boolean }): Retention;
}

async function withWorld(body: (w: World) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "retention_" });
  const clock = { t: T0 };
  const metrics = createHubMetrics();
  const log: string[] = [];
  const rec = new Recorder({
    dir,
    segmentMs: 1000,
    log: () => {},
    metrics: {
      frames: metrics.recorderFrames,
      bytes: metrics.recorderBytes,
      dropped: metrics.recorderDropped,
      paused: metrics.recorderPaused,
    },
    now: () => clock.t,
  });
  const free = { availableBytes: 1e12, totalBytes: 2e12 };
  const leases = new SegmentLeases();
  const retentions: Retention[] = [];
  const announced: boolean[] = [];
  const w: World = {
    announced,
    dir,
    rec,
    clock,
    free,
    leases,
    log,
    metrics,
    retention(limits, o = {}) {
      const r = new Retention({
        dir,
        limits: { ...NO_LIMITS, ...limits },
        leases,
        log: (event, fields) => log.push(`${event} ${JSON.stringify(fields ?? {})}`),
        metrics: {
          deletedBytes: metrics.retentionDeletedBytes,
          deletedSegments: metrics.retentionDeletedSegments,
          paused: metrics.recordingPaused,
        },
        recorder: o.recorder === false ? undefined : rec,
        freeSpace: () => Promise.resolve({ ...free }),
        now: () => o.now ?? Date.now(),
        onPauseChange: (paused) => announced.push(paused),
      });
      retentions.push(r);
      return r;
    },
  };
  try {
    await body(w);
  } finally {
    for (const r of retentions) await r.close();
    await rec.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Records `n` frames of `size` bytes for `serial`, `stepMs` apart; returns them. */
async function recordFrames(w: World, serial: string, n: number, size = 1000, stepMs = 250) {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const jpeg = fakeJpeg(size, (frames.length + w.clock.t) & 0xff);
    w.rec.record(serial, jpeg);
    frames.push(jpeg);
    w.clock.t += stepMs;
  }
  await w.rec.flush();
  return frames;
}

/** Every recorded frame of a camera, from the files. */
async function framesOnDisk(dir: string, serial: string): Promise<Uint8Array[]> {
  const cam = `${dir}/${serial}`;
  const out: Uint8Array[] = [];
  for (const start of await listSegments(cam)) {
    for (const r of await readSegmentIndex(cam, start)) out.push(await readFrame(cam, start, r));
  }
  return out;
}

function metric(w: World, line: RegExp): number {
  const m = line.exec(w.metrics.metrics.render());
  return Number(m?.[1] ?? 0);
}

Deno.test("Retention under a small --retain-bytes keeps the newest segments", async () => {
  await withWorld(async (w) => {
    // 5 segments of 4 frames (1 s each), about 4 KB a segment.
    const frames = await recordFrames(w, A, 20);
    const segments = await listSegments(`${w.dir}/${A}`);
    assert.equal(segments.length, 5);
    const result = await w.retention({ retainBytes: 9000 }).sweep();
    // Two segments stay (the newest one being written, and the one before).
    assert.deepEqual(await listSegments(`${w.dir}/${A}`), segments.slice(3));
    assert.deepEqual(await framesOnDisk(w.dir, A), frames.slice(12));
    assert.deepEqual(result?.deleted.map((d) => d.reason), ["quota", "quota", "quota"]);
    const line = w.log.find((l) => l.startsWith("retention-deleted"));
    assert.ok(line, w.log.join("\n"));
    assert.match(line, new RegExp(`"serial":"${A}","segments":3,"bytes":\\d+,"reason":"quota"`));
    assert.ok(metric(w, /trustcam_retention_deleted_bytes_total\{reason="quota"\} (\d+)/) > 12_000);
    // Only data files without an index are gone too: nothing but whole segments is left.
    const names = [...Deno.readDirSync(`${w.dir}/${A}`)].map((e) => e.name).sort();
    assert.equal(names.length, 4);
  });
});

Deno.test("Retention takes from the camera holding the most bytes", async () => {
  await withWorld(async (w) => {
    // B: 2 segments of small frames, older; A: 4 segments of large frames.
    await recordFrames(w, B, 8, 200);
    const b = await listSegments(`${w.dir}/${B}`);
    await recordFrames(w, A, 16, 2000);
    const a = await listSegments(`${w.dir}/${A}`);
    await w.retention({ retainBytes: 20_000 }).sweep();
    assert.deepEqual(await listSegments(`${w.dir}/${B}`), b, "the quiet camera keeps its past");
    assert.deepEqual(await listSegments(`${w.dir}/${A}`), a.slice(2));
  });
});

Deno.test("Retention ages out old segments, also with recording off", async () => {
  await withWorld(async (w) => {
    await recordFrames(w, A, 12);
    await w.rec.close();
    // Written just now; a day and a half later all of it is past a one-day retention.
    const later = Date.now() + 1.5 * DAY;
    const kept = await w.retention({ retainMs: 2 * DAY }, { now: later, recorder: false }).sweep();
    assert.deepEqual(kept?.deleted, []);
    assert.equal((await listSegments(`${w.dir}/${A}`)).length, 3);
    const r = await w.retention({ retainMs: DAY }, { now: later, recorder: false }).sweep();
    assert.deepEqual(r?.deleted.map((d) => d.reason), ["age", "age", "age"]);
    assert.deepEqual(await listSegments(`${w.dir}/${A}`), []);
    assert.match(w.log.join("\n"), /retention-deleted .*"segments":3.*"reason":"age"/);
  });
});

Deno.test("Retention pauses recording at the free-space floor and resumes when space returns", async () => {
  await withWorld(async (w) => {
    const before = await recordFrames(w, A, 6);
    const retention = w.retention({ minFreeBytes: 1_000_000 });
    w.free.availableBytes = 10_000;
    const paused = await retention.sweep();
    assert.equal(paused?.paused, true);
    assert.equal(w.rec.paused, true);
    assert.deepEqual(paused?.deleted, [], "deleting 6 KB cannot make 1 MB: the recordings stay");
    assert.match(w.log.join("\n"), /recording-paused \{"reason":"low-disk","free":"9.8 KiB"/);
    assert.equal(metric(w, /^trustcam_recording_paused (\d+)$/m), 1);

    // Frames arriving now are counted apart, not written, not dropped.
    await recordFrames(w, A, 3);
    assert.equal(w.rec.stats(A)?.pausedFrames, 3);
    assert.equal(w.rec.stats(A)?.dropped, 0);
    assert.equal(metric(w, /trustcam_recorder_paused_frames_total\{serial="[^"]+"\} (\d+)/), 3);
    assert.equal((await retention.sweep())?.paused, true, "still no room: still paused");
    assert.deepEqual(await framesOnDisk(w.dir, A), before);

    w.free.availableBytes = 5_000_000;
    const resumed = await retention.sweep();
    assert.equal(resumed?.paused, false);
    assert.equal(w.rec.paused, false);
    assert.match(w.log.join("\n"), /recording-resumed \{.*"notRecorded":3\}/);
    assert.equal(metric(w, /^trustcam_recording_paused (\d+)$/m), 0);
    assert.deepEqual(w.announced, [true, false]);
    const after = await recordFrames(w, A, 2);
    assert.deepEqual(await framesOnDisk(w.dir, A), [...before, ...after]);
  });
});

Deno.test("Retention at the floor deletes oldest first when that makes room", async () => {
  await withWorld(async (w) => {
    const frames = await recordFrames(w, A, 16);
    const retention = w.retention({ minFreeBytes: 1_000_000 });
    // 995 000 free: 5 000 short, two old segments (about 8 KB) make room.
    w.free.availableBytes = 995_000;
    const r = await retention.sweep();
    assert.deepEqual(r?.deleted.map((d) => d.reason), ["floor", "floor"]);
    assert.equal(r?.paused, false);
    assert.deepEqual(await framesOnDisk(w.dir, A), frames.slice(8));
  });
});

Deno.test("Retention leaves a segment a reader holds until it is done, which reads it byte-exact", async () => {
  await withWorld(async (w) => {
    const frames = await recordFrames(w, A, 12);
    const [first, second, third] = await listSegments(`${w.dir}/${A}`);
    const archive = openArchive(w.dir, w.leases);
    const retention = w.retention({}, { now: Date.now() + 2 * DAY });
    const read: RecordedFrame[] = [];
    let during: Awaited<ReturnType<Retention["sweep"]>>;
    for await (const f of archive.frames(A, T0, T0 + 1999)) {
      read.push(f);
      // Mid-segment: everything is past retention, the reader's segment must stay.
      if (read.length === 2) during = await retention.sweep();
    }
    assert.equal(during!.deferred, 1);
    assert.deepEqual(during!.deleted.map((d) => d.start), [second]);
    // The reader got all of its segment, byte-exact; the next one was gone when it got there.
    assert.deepEqual(read.map((f) => f.jpeg), frames.slice(0, 4));
    assert.deepEqual(await listSegments(`${w.dir}/${A}`), [first, third]);
    assert.equal(w.leases.size, 0);
    const later = await retention.sweep();
    assert.deepEqual(later?.deleted.map((d) => d.start), [first]);
    assert.deepEqual(await listSegments(`${w.dir}/${A}`), [third], "the one being written stays");
  });
});

Deno.test("statfsFreeSpace() reads the volume's free and total bytes, also of a path to be", async () => {
  const dir = await Deno.makeTempDir({ prefix: "retention_statfs_" });
  try {
    const s = await statfsFreeSpace(dir);
    assert.ok(s.totalBytes > 0 && s.availableBytes >= 0 && s.availableBytes <= s.totalBytes);
    // Not created yet: measured where it would be.
    assert.equal((await statfsFreeSpace(`${dir}/recordings/x`)).totalBytes, s.totalBytes);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("Retention sees the newest segment grow in a directory it does not read again", async () => {
  await withWorld(async (w) => {
    // Two segments, the second (being written) ends 250 ms before its second is up.
    await recordFrames(w, A, 7);
    const [first, second] = await listSegments(`${w.dir}/${A}`);
    const old = new Date(Date.now() - 60_000);
    await Deno.utime(`${w.dir}/${A}`, old, old);
    const retention = w.retention({ retainBytes: 10_000 });
    assert.deepEqual((await retention.sweep())?.deleted, []);
    // Appends to the open segment leave the directory's mtime alone.
    await recordFrames(w, A, 20, 1000, 10);
    assert.equal((await Deno.stat(`${w.dir}/${A}`)).mtime?.getTime(), old.getTime());
    const r = await retention.sweep();
    assert.deepEqual(r?.deleted.map((d) => d.start), [first]);
    assert.deepEqual(await listSegments(`${w.dir}/${A}`), [second]);
  });
});

Deno.test("recoverArchive() removes the data file a crash between retention's two unlinks leaves", async () => {
  await withWorld(async (w) => {
    const frames = await recordFrames(w, A, 12);
    await w.rec.close();
    const cam = `${w.dir}/${A}`;
    const [first] = await listSegments(cam);
    // Retention removes the index first: killed right after it.
    await Deno.remove(`${cam}/${segmentStem(first)}.idx`);
    const repairs = await recoverArchive(w.dir, () => {});
    assert.deepEqual(repairs.map((r) => [r.segment, r.frames]), [[segmentStem(first), 0]]);
    await assert.rejects(Deno.stat(`${cam}/${segmentStem(first)}.mjpeg`), Deno.errors.NotFound);
    assert.deepEqual(await framesOnDisk(w.dir, A), frames.slice(4));
  });
});
