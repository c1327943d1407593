/**
 * What a retention sweep costs on a large archive (issue 11: "retention sweep cost with 100k
 * segments"). Builds a synthetic archive in a temp directory, `--segments` tiny segments (an
 * 8-byte index and a 1-byte data file each) spread over `--cameras` cameras, then times:
 *  - the planner alone (lib/retention_plan.ts) on that listing, with a quota that makes it
 *    choose 1% of the segments;
 *  - a sweep that deletes nothing: the first one (stats every file), later ones after every
 *    camera directory changed (one readDir per camera, closed segments' stats cached), and
 *    later ones with the directories unchanged (a stat per camera and its newest segment);
 *  - the first sweep of another instance, deleting 1% of the segments (quota): the same stats
 *    plus the unlinks, done once since it deletes;
 *  - `listSegments()` of one camera, read and cached (mtime check only).
 * Prints medians in ms.
 *
 *   deno run -A bench/retention_bench.ts [--segments 100000] [--cameras 16] [--rounds 5]
 *     [--json bench/results/retention.json]
 */
import { parseArgs } from "node:util";
import { INDEX_MAGIC, segmentStem } from "../lib/archive_index.ts";
import { type CameraSegments, planRetention, type RetentionLimits } from "../lib/retention_plan.ts";
import { SegmentLeases } from "../lib/segment_leases.ts";
import { listSegments } from "../hub/archive_reader.ts";
import { createHubMetrics } from "../hub/hub_metrics.ts";
import { Retention } from "../hub/retention.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    segments: { type: "string", default: "100000" },
    cameras: { type: "string", default: "16" },
    rounds: { type: "string", default: "5" },
    json: { type: "string" },
  },
});
const SEGMENTS = Number(values.segments);
const CAMERAS = Number(values.cameras);
const ROUNDS = Number(values.rounds);
const SEGMENT_MS = 60_000;
const DAY = 86_400_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function serialOf(i: number): string {
  return `0123BE${String(i).padStart(12, "0")}`;
}

async function buildArchive(dir: string, now: number): Promise<void> {
  const perCamera = Math.ceil(SEGMENTS / CAMERAS);
  const data = new Uint8Array([0xff]);
  let made = 0;
  for (let c = 0; c < CAMERAS && made < SEGMENTS; c++) {
    const cam = `${dir}/${serialOf(c)}`;
    await Deno.mkdir(cam, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let i = 0; i < perCamera && made < SEGMENTS; i++, made++) {
      const stem = `${cam}/${segmentStem(now - (perCamera - i) * SEGMENT_MS)}`;
      writes.push(
        Deno.writeFile(`${stem}.idx`, INDEX_MAGIC),
        Deno.writeFile(`${stem}.mjpeg`, data),
      );
      if (writes.length >= 512) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
  }
}

/** The same archive as the planner sees it, in memory. */
function syntheticListing(now: number): CameraSegments[] {
  const perCamera = Math.ceil(SEGMENTS / CAMERAS);
  return Array.from({ length: CAMERAS }, (_, c) => ({
    serial: serialOf(c),
    segments: Array.from({ length: perCamera }, (_, i) => {
      const start = now - (perCamera - i) * SEGMENT_MS;
      return { start, bytes: 9, end: start + SEGMENT_MS - 1 };
    }),
    writingFrom: now - SEGMENT_MS,
  }));
}

const now = Date.now();
const dir = await Deno.makeTempDir({ prefix: "retention_bench_" });
try {
  const built = await time(() => buildArchive(dir, now));
  console.log(
    `Built ${SEGMENTS} segments over ${CAMERAS} cameras in ${(built / 1000).toFixed(1)} s`,
  );
  const totalBytes = SEGMENTS * 9;
  const quota = Math.floor(totalBytes * 0.99);
  const keepAll: RetentionLimits = { retainMs: 3650 * DAY, retainBytes: null, minFreeBytes: 0 };

  const listing = syntheticListing(now);
  const planMs: number[] = [];
  let chosen = 0;
  for (let r = 0; r < ROUNDS; r++) {
    planMs.push(
      await time(() => {
        chosen = planRetention({
          cameras: listing,
          now,
          limits: { ...keepAll, retainBytes: quota },
          free: { availableBytes: 1e12, totalBytes: 2e12 },
          isLeased: () => false,
        }).deletions.length;
      }),
    );
  }

  const m = createHubMetrics();
  const retention = (limits: RetentionLimits) =>
    new Retention({
      dir,
      limits,
      leases: new SegmentLeases(),
      log: () => {},
      metrics: {
        deletedBytes: m.retentionDeletedBytes,
        deletedSegments: m.retentionDeletedSegments,
        paused: m.recordingPaused,
      },
      freeSpace: () => Promise.resolve({ availableBytes: 1e12, totalBytes: 2e12 }),
    });
  const idle = retention(keepAll);
  const firstSweepMs = await time(() => idle.sweep());
  const sweepMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Every camera started a segment since: each directory is read again.
    const changed = new Date(Date.now() + r);
    for (let c = 0; c < CAMERAS; c++) await Deno.utime(`${dir}/${serialOf(c)}`, changed, changed);
    sweepMs.push(await time(() => idle.sweep()));
  }
  // As in a running hub between two segments: directories unchanged for a while.
  const old = new Date(now - 60_000);
  for (let c = 0; c < CAMERAS; c++) await Deno.utime(`${dir}/${serialOf(c)}`, old, old);
  await idle.sweep();
  const settledSweepMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) settledSweepMs.push(await time(() => idle.sweep()));
  await idle.close();

  const cam = `${dir}/${serialOf(0)}`;
  const listColdMs = await time(() => listSegments(cam));
  const listCachedMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) listCachedMs.push(await time(() => listSegments(cam)));

  const trimming = retention({ ...keepAll, retainBytes: quota });
  let deleted = 0;
  const deletingSweepMs = await time(async () => {
    deleted = (await trimming.sweep())?.deleted.length ?? 0;
  });
  await trimming.close();

  const figures = {
    segments: SEGMENTS,
    cameras: CAMERAS,
    planMs: median(planMs),
    planChose: chosen,
    firstSweepMs,
    sweepMs: median(sweepMs),
    settledSweepMs: median(settledSweepMs),
    deletingSweepMs,
    deletingSweepDeleted: deleted,
    listSegmentsColdMs: listColdMs,
    listSegmentsCachedMs: median(listCachedMs),
  };
  const rows: [string, string][] = [
    [`planner, ${chosen} chosen (median of ${ROUNDS})`, figures.planMs.toFixed(1)],
    ["first sweep, deleting nothing (stats every file)", firstSweepMs.toFixed(0)],
    [`later sweep, directories changed (median of ${ROUNDS})`, figures.sweepMs.toFixed(0)],
    [`later sweep, directories unchanged (median)`, figures.settledSweepMs.toFixed(1)],
    [
      `first sweep deleting ${deleted} segments (quota; stats, unlinks)`,
      deletingSweepMs.toFixed(0),
    ],
    [`listSegments() of one camera, read`, listColdMs.toFixed(1)],
    [`listSegments() of one camera, cached (median)`, figures.listSegmentsCachedMs.toFixed(2)],
  ];
  console.log(`\n| ${SEGMENTS} segments, ${CAMERAS} cameras | ms |\n| --- | ---: |`);
  for (const [what, ms] of rows) console.log(`| ${what} | ${ms} |`);
  if (values.json) await Deno.writeTextFile(values.json, JSON.stringify(figures, null, 2) + "\n");
} finally {
  await Deno.remove(dir, { recursive: true });
}
