/**
 * MP4 export over real TLS with the real ffmpeg (issue 11): `export.mp4` and the export jobs
 * make MP4s holding exactly the stored frames at their capture times; jobs report progress,
 * are private to the viewer that made them, capped, cancellable, and leave no ffmpeg process
 * and no file behind when cancelled or when the hub stops.
 */
import assert from "node:assert/strict";
import { startTestHub, type TestHub, waitFor } from "./hub_fixture.ts";
import { syntheticFrames, writeArchive } from "./archive_fixture.ts";
import { childrenNamed, ffprobe } from "./ffmpeg_fixture.ts";
import type { ExportJson } from "../lib/exports.ts";
import type { RecordedFrame } from "../lib/recordings.ts";

const CAM = "0123FEED00000000E1";
const HOUR = 3600_000;

interface ErrorJson {
  error: { code: string; message: string };
}

/** A hub that knows CAM (its device connected once) with `frames` in its archive. */
async function hubWithArchive(frames: RecordedFrame[], more = {}): Promise<TestHub> {
  const t = await startTestHub(more);
  await writeArchive(t.dataDir, CAM, frames);
  const dev = await t.device(CAM);
  await dev.close();
  return t;
}

function post(t: TestHub, body: unknown, init: Parameters<TestHub["request"]>[1] = {}) {
  return t.request("/api/exports", { method: "POST", body: JSON.stringify(body), ...init });
}

/** Polls the export until `pred` holds for it. */
async function untilExport(
  t: TestHub,
  id: string,
  pred: (e: ExportJson) => boolean,
): Promise<ExportJson> {
  for (const deadline = Date.now() + 20_000;;) {
    const e = (await t.request(`/api/exports/${id}`)).json() as ExportJson;
    if (pred(e)) return e;
    assert.ok(Date.now() < deadline, `export ${id} still ${JSON.stringify(e)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exportFiles(t: TestHub): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(`${t.dataDir}/exports`))).map((e) => e.name);
}

function assertError(res: { status: number; json(): unknown }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.json()));
  assert.equal((res.json() as ErrorJson).error.code, code);
}

Deno.test("export.mp4 answers an MP4 with every stored frame at its capture time (ffprobe)", async () => {
  const frames = syntheticFrames(150, Date.now() - HOUR);
  await using t = await hubWithArchive(frames);
  const [first, last] = [frames[0].time, frames[149].time];
  const res = await t.request(`/api/cameras/${CAM}/export.mp4?from=${first}&to=${last}`);
  assert.equal(res.status, 200, res.text());
  assert.equal(res.headers["content-type"], "video/mp4");
  const stamp = new Date(first).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
  assert.equal(res.headers["content-disposition"], `attachment; filename="${CAM}-${stamp}.mp4"`);
  const dir = await Deno.makeTempDir({ prefix: "export_test_" });
  try {
    await Deno.writeFile(`${dir}/a.mp4`, res.body);
    const probe = await ffprobe(`${dir}/a.mp4`);
    assert.deepEqual([probe.codec, probe.pixFmt, probe.frames], ["h264", "yuv420p", 150]);
    assert.deepEqual(probe.times, frames.map((f) => (f.time - first) / 1000));
    // The wall-clock span, within one frame interval (at most 82 ms here).
    assert.ok(Math.abs(probe.duration * 1000 - (last - first)) <= 82, `${probe.duration} s`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // The same export is a job of this viewer, its file downloadable again.
  const again = await t.request(String(res.headers["content-location"]));
  assert.deepEqual(again.body, res.body);
  assert.deepEqual(childrenNamed("ffmpeg"), []);
});

Deno.test("an export job reports progress to 100, serves its file, and is its viewer's only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "export_policy_" });
  try {
    const policyFile = `${dir}/policy.json`;
    const policy = (cams: string[]) =>
      Deno.writeTextFile(policyFile, JSON.stringify({ viewers: { tester: cams, "*": [CAM] } }));
    await policy([CAM]);
    const frames = syntheticFrames(150, Date.now() - HOUR);
    await using t = await hubWithArchive(frames, { policyFile });
    const from = new Date(frames[0].time).toISOString();
    const to = new Date(frames[149].time).toISOString();
    const created = await post(t, { camera: CAM, from, to });
    assert.equal(created.status, 202, created.text());
    const job = created.json() as ExportJson;
    assert.equal(created.headers.location, `/api/exports/${job.id}`);
    assert.deepEqual(
      { ...job, state: "?", percent: 0 },
      { id: job.id, camera: CAM, from, to, state: "?", percent: 0, frames: 150, bytes: 0 },
    );
    const percents: number[] = [];
    const done = await untilExport(t, job.id, (e) => {
      percents.push(e.percent);
      return e.state === "done";
    });
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b), "percent never goes back");
    assert.equal(done.percent, 100);
    assert.equal(done.file, `/api/exports/${job.id}/file`);
    const file = await t.request(done.file!);
    assert.equal(file.status, 200);
    assert.equal(file.headers["content-type"], "video/mp4");
    assert.equal(file.body.length, done.bytes);

    // Another viewer learns nothing of it; a device may not ask.
    const mallory = await t.pki.viewer("mallory");
    for (const [method, path] of [["GET", ""], ["GET", "/file"], ["DELETE", ""]]) {
      const res = await t.request(`/api/exports/${job.id}${path}`, { method, cert: mallory });
      assertError(res, 404, "TC_ERR_NOT_FOUND");
    }
    const device = await t.pki.device("0123FEED00000000E9");
    assertError(
      await t.request(`/api/exports/${job.id}`, { cert: device }),
      403,
      "TC_ERR_WRONG_ROLE",
    );
    assertError(
      await post(t, { camera: CAM, from, to }, { cert: device }),
      403,
      "TC_ERR_WRONG_ROLE",
    );
    // Another site's page may not start one with the viewer's certificate.
    const foreign = await post(t, { camera: CAM, from, to }, {
      headers: { origin: "https://evil.example" },
    });
    assertError(foreign, 403, "TC_ERR_ORIGIN");

    // Once the policy hides the camera, its export is out of reach too.
    await policy([]);
    for (const deadline = Date.now() + 10_000;;) {
      const res = await t.request(`/api/exports/${job.id}/file`);
      if (res.status === 403) {
        assertError(res, 403, "TC_ERR_FORBIDDEN");
        break;
      }
      assert.ok(Date.now() < deadline, "policy change seen");
      await new Promise((r) => setTimeout(r, 50));
    }
    assertError(await post(t, { camera: CAM, from, to }), 403, "TC_ERR_FORBIDDEN");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("export requests with a bad body, camera or range are refused with the documented error", async () => {
  const frames = syntheticFrames(20, Date.now() - HOUR);
  await using t = await hubWithArchive(frames);
  const from = frames[0].time;
  const cases: Array<[unknown, number, string, string?]> = [
    ["not json", 400, "TC_ERR_BAD_REQUEST"],
    [{ from }, 400, "TC_ERR_BAD_REQUEST", 'Request body needs a string "camera"'],
    [{ camera: "nope", from }, 400, "TC_ERR_BAD_SERIAL"],
    [{ camera: "0123FEED00000000EE", from }, 404, "TC_ERR_NOT_FOUND", "Unknown camera"],
    [{ camera: CAM }, 400, "TC_ERR_BAD_TIME", "Missing from"],
    [{ camera: CAM, from: "yesterday" }, 400, "TC_ERR_BAD_TIME", 'Invalid from: "yesterday"'],
    [{ camera: CAM, from: 20, to: 10 }, 400, "TC_ERR_BAD_RANGE", 'Invalid range: from "20"'],
    [
      { camera: CAM, from: "2026-11-01T00:00Z", to: "2026-11-02T00:00:01Z" },
      400,
      "TC_ERR_RANGE_TOO_LONG",
      'Export range too long: "2026-11-01T00:00:00.000Z" to "2026-11-02T00:00:01.000Z"',
    ],
    [
      { camera: CAM, from: 0, to: 1000 },
      404,
      "TC_ERR_NOT_FOUND",
      `No recording of camera "${CAM}"`,
    ],
  ];
  for (const [body, status, code, message] of cases) {
    const res = await t.request("/api/exports", {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    assertError(res, status, code);
    const { error } = res.json() as ErrorJson;
    if (message) assert.ok(error.message.startsWith(message), error.message);
  }
  const long = await t.request(`/api/cameras/${CAM}/export.mp4?from=0&to=${HOUR * 25}`);
  assertError(long, 400, "TC_ERR_RANGE_TOO_LONG");
  // A HEAD would run a whole export for its headers.
  const head = await t.request(`/api/cameras/${CAM}/export.mp4?from=${from}`, { method: "HEAD" });
  assert.equal(head.status, 405);
  assertError(await t.request(`/api/exports/nope`), 404, "TC_ERR_NOT_FOUND");
});

Deno.test("exports run two at a time, cap each viewer at four, and cancel without a trace", async () => {
  const frames = syntheticFrames(1800, Date.now() - HOUR);
  await using t = await hubWithArchive(frames);
  const range = { camera: CAM, from: frames[0].time, to: frames[1799].time };
  const jobs: ExportJson[] = [];
  for (let i = 0; i < 4; i++) jobs.push((await post(t, range)).json() as ExportJson);
  assert.deepEqual(jobs.map((j) => j.state), ["running", "running", "queued", "queued"]);
  const fifth = await post(t, range);
  assertError(fifth, 429, "TC_ERR_EXPORT_LIMIT");
  assert.ok(
    (fifth.json() as ErrorJson).error.message.startsWith(
      'Too many exports: 4 queued or running for "tester"',
    ),
  );
  assertError(await t.request(`/api/exports/${jobs[2].id}/file`), 409, "TC_ERR_EXPORT_NOT_READY");

  await waitFor(() => childrenNamed("ffmpeg").length === 2, 10_000, "two ffmpeg processes");
  const cancelled = await t.request(`/api/exports/${jobs[0].id}`, { method: "DELETE" });
  assert.equal((cancelled.json() as ExportJson).state, "cancelled");
  // The queued third took the freed place.
  await untilExport(t, jobs[2].id, (e) => e.state === "running");
  for (const j of jobs.slice(1)) {
    const res = await t.request(`/api/exports/${j.id}`, { method: "DELETE" });
    assert.equal((res.json() as ExportJson).state, "cancelled");
  }
  // DELETE answers once ffmpeg is gone and its file removed.
  assert.deepEqual(childrenNamed("ffmpeg"), []);
  assert.deepEqual(await exportFiles(t), []);
  assertError(await t.request(`/api/exports/${jobs[0].id}/file`), 409, "TC_ERR_EXPORT_NOT_READY");
});

Deno.test("a hub stopping kills its exports and a hub starting removes stale ones", async () => {
  const frames = syntheticFrames(1800, Date.now() - HOUR);
  await using t = await hubWithArchive(frames);
  const job = (await post(t, { camera: CAM, from: frames[0].time })).json() as ExportJson;
  assert.equal(job.state, "running");
  await waitFor(() => childrenNamed("ffmpeg").length === 1, 10_000, "ffmpeg running");
  await t.restart();
  assert.deepEqual(childrenNamed("ffmpeg"), []);
  assert.deepEqual(await exportFiles(t), []);
  assertError(await t.request(`/api/exports/${job.id}`), 404, "TC_ERR_NOT_FOUND");

  // Files of a hub that was killed: nothing answers for them.
  await Deno.writeFile(`${t.dataDir}/exports/old.mp4.part`, new Uint8Array(10));
  await t.restart();
  assert.deepEqual(await exportFiles(t), []);
});
