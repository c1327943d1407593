import assert from "node:assert/strict";
import {
  type CameraSegments,
  describeLimits,
  floorOf,
  planRetention,
  type RetentionInput,
  type RetentionLimits,
} from "./retention_plan.ts";

const A = "0123AAAAAAAAAAAAAA";
const B = "0123BBBBBBBBBBBBBB";
const HOUR = 3_600_000;
const NOW = 1_764_000_000_000;
const GIB = 2 ** 30;

/** Segments of one minute each, `bytes` each, the first starting `ageMs` ago. */
function camera(serial: string, sizes: number[], ageMs: number, writing = true): CameraSegments {
  const segments = sizes.map((bytes, i) => {
    const start = NOW - ageMs + i * 60_000;
    return { start, bytes, end: start + 59_000 };
  });
  return { serial, segments, writingFrom: writing ? segments.at(-1)?.start : undefined };
}

const LIMITS: RetentionLimits = { retainMs: 24 * HOUR, retainBytes: null, minFreeBytes: null };

function plan(o: Partial<RetentionInput> & Pick<RetentionInput, "cameras">, leased: string[] = []) {
  return planRetention({
    now: NOW,
    limits: LIMITS,
    isLeased: (serial, start) => leased.includes(`${serial}/${start}`),
    ...o,
  });
}

function deleted(p: ReturnType<typeof planRetention>): string[] {
  return p.deletions.map((d) => `${d.serial.slice(4, 5)}${(d.start - NOW) / 60_000}:${d.reason}`);
}

Deno.test("planRetention() deletes what is older than the retention, nothing else", () => {
  // A: four segments, the first two ended more than a day ago; B: all recent.
  const a = camera(A, [10, 10, 10, 10], 24 * HOUR + 2 * 60_000 + 30_000);
  const b = camera(B, [10, 10], 10 * 60_000);
  const p = plan({ cameras: [a, b] });
  assert.deepEqual(deleted(p), ["A-1442.5:age", "A-1441.5:age"]);
  assert.equal(p.keptBytes, 40);
  assert.equal(p.pause, false);
  assert.equal(p.floorBytes, undefined);
});

Deno.test("planRetention() never deletes the segment being written, however old", () => {
  const a = camera(A, [10, 10], 48 * HOUR);
  const p = plan({ cameras: [a] });
  assert.deepEqual(deleted(p), ["A-2880:age"]);
  // Still being opened: everything from writingFrom on is off limits.
  const opening = { ...camera(A, [10, 10], 48 * HOUR, false), writingFrom: NOW - 48 * HOUR };
  assert.deepEqual(deleted(plan({ cameras: [opening] })), []);
});

Deno.test("planRetention() defers a leased segment and deletes the rest", () => {
  const a = camera(A, [10, 10, 10], 48 * HOUR);
  const first = a.segments[0].start;
  const p = plan({ cameras: [a] }, [`${A}/${first}`]);
  assert.deepEqual(deleted(p), ["A-2879:age"]);
  assert.equal(p.deferred, 1);
  assert.equal(p.keptBytes, 20);
});

Deno.test("planRetention() keeps the quota by taking from the camera holding the most bytes", () => {
  // A holds 400 bytes in 4 segments, B 100 in 2 (B's are older); quota 300.
  const a = camera(A, [100, 100, 100, 100], 30 * 60_000);
  const b = camera(B, [50, 50], 60 * 60_000);
  const p = plan({ cameras: [a, b], limits: { ...LIMITS, retainBytes: 300 } });
  // A (400) gives its oldest, then A (300) again, the quota is met: B keeps its older frames.
  assert.deepEqual(deleted(p), ["A-30:quota", "A-29:quota"]);
  assert.equal(p.keptBytes, 300);
});

Deno.test("planRetention() alternates between cameras of equal size, oldest first", () => {
  const a = camera(A, [10, 10, 10, 10], 30 * 60_000);
  const b = camera(B, [10, 10, 10, 10], 40 * 60_000);
  const p = plan({ cameras: [a, b], limits: { ...LIMITS, retainBytes: 40 } });
  assert.deepEqual(deleted(p), ["B-40:quota", "A-30:quota", "B-39:quota", "A-29:quota"]);
});

Deno.test("planRetention() skips a leased segment under the quota and takes the next", () => {
  const a = camera(A, [10, 10, 10, 10], 30 * 60_000);
  const p = plan({ cameras: [a], limits: { ...LIMITS, retainBytes: 25 } }, [
    `${A}/${a.segments[0].start}`,
  ]);
  assert.deepEqual(deleted(p), ["A-29:quota", "A-28:quota"]);
  assert.equal(p.deferred, 1);
  assert.equal(p.keptBytes, 20);
});

Deno.test("planRetention() frees space down to the floor, age deletions counted first", () => {
  const a = camera(A, [100, 100, 100, 100], 24 * HOUR + 60_000 + 30_000);
  const b = camera(B, [300, 300], 10 * 60_000);
  // Floor 1000; 700 free; the aged segment of A frees 100, then B (600) gives 300.
  const p = plan({
    cameras: [a, b],
    limits: { ...LIMITS, minFreeBytes: 1000 },
    free: { availableBytes: 700, totalBytes: 100_000 },
  });
  assert.deepEqual(deleted(p), ["A-1441.5:age", "B-10:floor"]);
  assert.equal(p.floorBytes, 1000);
  assert.equal(p.pause, false);
});

Deno.test("planRetention() pauses when the floor cannot be reached, keeping the recordings", () => {
  const a = camera(A, [100, 100], 10 * 60_000);
  const p = plan({
    cameras: [a],
    limits: { ...LIMITS, minFreeBytes: 1000 },
    free: { availableBytes: 500, totalBytes: 100_000 },
  });
  // Deleting all it could (100: the writing segment stays) leaves it short: pause, delete none.
  assert.deepEqual(deleted(p), []);
  assert.equal(p.pause, true);
  // Enough to delete: it goes, no pause.
  const enough = plan({
    cameras: [a],
    limits: { ...LIMITS, minFreeBytes: 1000 },
    free: { availableBytes: 950, totalBytes: 100_000 },
  });
  assert.deepEqual([deleted(enough), enough.pause], [["A-10:floor"], false]);
  // The quota's share still goes when the floor is out of reach.
  const quota = plan({
    cameras: [camera(A, [100, 100, 100], 10 * 60_000)],
    limits: { ...LIMITS, minFreeBytes: 1000, retainBytes: 250 },
    free: { availableBytes: 500, totalBytes: 100_000 },
  });
  assert.deepEqual([deleted(quota), quota.pause], [["A-10:quota"], true]);
  // Space came back (another program freed it): no pause, nothing deleted.
  const back = plan({
    cameras: [a],
    limits: { ...LIMITS, minFreeBytes: 1000 },
    free: { availableBytes: 5000, totalBytes: 100_000 },
  });
  assert.deepEqual([deleted(back), back.pause], [[], false]);
});

Deno.test("planRetention() takes the larger of the quota's and the floor's need", () => {
  const a = camera(A, [10, 10, 10, 10, 10], 10 * 60_000);
  const limits = { ...LIMITS, retainBytes: 40, minFreeBytes: 1000 };
  const p = plan({ cameras: [a], limits, free: { availableBytes: 975, totalBytes: 10_000 } });
  assert.deepEqual(deleted(p), ["A-10:quota", "A-9:floor", "A-8:floor"]);
});

Deno.test("floorOf() defaults to 1 GiB or 5% of the volume, whichever is smaller", () => {
  const free = (totalBytes: number) => ({ availableBytes: 0, totalBytes });
  assert.equal(floorOf(LIMITS, free(10 * GIB)), Math.floor(0.5 * GIB));
  assert.equal(floorOf(LIMITS, free(1000 * GIB)), GIB);
  assert.equal(floorOf({ ...LIMITS, minFreeBytes: 0 }, free(1000 * GIB)), 0);
  assert.equal(floorOf({ ...LIMITS, minFreeBytes: 123 }, free(1000 * GIB)), 123);
});

Deno.test("describeLimits() says what is kept", () => {
  assert.equal(
    describeLimits(LIMITS),
    "1 d, keeping 1 GiB or 5% of the disk free, whichever is less",
  );
  assert.equal(
    describeLimits({ retainMs: HOUR, retainBytes: 20 * GIB, minFreeBytes: 512 * 2 ** 20 }),
    "1 h, at most 20 GiB, keeping 512 MiB free",
  );
});
