import assert from "node:assert/strict";
import {
  exportFileName,
  exportFor,
  type ExportJob,
  type ExportJobs,
  exportJson,
  parseExportRange,
} from "./exports.ts";
import type { Peer } from "./peer.ts";

const T0 = Date.parse("2026-11-27T14:00:00.250Z");
const JOB: ExportJob = {
  id: "j1",
  owner: "alice",
  camera: "0123FEED00000000E1",
  from: T0,
  to: T0 + 60_000,
  state: "running",
  fed: 2,
  frames: 3,
  bytes: 0,
};
const peer = (cn: string): Peer => ({
  role: "viewer",
  cn,
  fingerprint256: "ab",
  serialNumber: "01",
  remoteAddress: "127.0.0.1:1",
});

Deno.test("exportJson() is the EXPORT object: percent of frames fed, file only when done", () => {
  assert.deepEqual(exportJson(JOB), {
    id: "j1",
    camera: "0123FEED00000000E1",
    from: "2026-11-27T14:00:00.250Z",
    to: "2026-11-27T14:01:00.250Z",
    state: "running",
    percent: 66,
    frames: 3,
    bytes: 0,
  });
  // All frames fed is not done yet: ffmpeg still writes.
  assert.equal(exportJson({ ...JOB, fed: 3 }).percent, 99);
  assert.deepEqual(exportJson({ ...JOB, state: "done", fed: 3, bytes: 9 }), {
    ...exportJson(JOB),
    state: "done",
    percent: 100,
    bytes: 9,
    file: "/api/exports/j1/file",
  });
  assert.equal(
    exportJson({ ...JOB, state: "failed", error: "ffmpeg exited" }).error,
    "ffmpeg exited",
  );
});

Deno.test("exportFileName() is the serial and the start, ISO compact", () => {
  assert.equal(exportFileName(JOB), "0123FEED00000000E1-20261127T140000Z.mp4");
});

Deno.test("parseExportRange() needs from, defaults to to now, and refuses what it cannot export", () => {
  assert.deepEqual(parseExportRange("2026-11-27T14:00:00.250Z", null, T0 + 5), {
    from: T0,
    to: T0 + 5,
  });
  assert.deepEqual(parseExportRange(T0, String(T0 + 1), 0), { from: T0, to: T0 + 1 });
  const refused: Array<[unknown, unknown, string, string]> = [
    [undefined, T0, "TC_ERR_BAD_TIME", "Missing from"],
    [true, T0, "TC_ERR_BAD_TIME", 'Invalid from: "true"'],
    [T0, "noon", "TC_ERR_BAD_TIME", 'Invalid to: "noon": expected'],
    [T0 + 1, T0, "TC_ERR_BAD_RANGE", `Invalid range: from "${T0 + 1}" is after to "${T0}"`],
    [0, 86_400_001, "TC_ERR_RANGE_TOO_LONG", "Export range too long"],
  ];
  for (const [from, to, code, message] of refused) {
    assert.throws(() => parseExportRange(from, to, T0), (err: Error & { code: string }) => {
      assert.equal(err.code, code);
      assert.ok(err.message.startsWith(message), err.message);
      return true;
    });
  }
  assert.deepEqual(parseExportRange(0, 86_400_000, T0), { from: 0, to: 86_400_000 });
});

Deno.test("exportFor() hides other viewers' exports and checks the camera each time", () => {
  const jobs = { get: (id: string) => id === "j1" ? JOB : undefined } as ExportJobs;
  const all = () => true;
  assert.equal(exportFor(jobs, "j1", peer("alice"), all), JOB);
  assert.throws(() => exportFor(jobs, "j1", peer("bob"), all), {
    code: "TC_ERR_NOT_FOUND",
    message: 'Unknown export: "j1"',
  });
  assert.throws(() => exportFor(jobs, "j2", peer("alice"), all), { code: "TC_ERR_NOT_FOUND" });
  assert.throws(() => exportFor(undefined, "j1", peer("alice"), all), { code: "TC_ERR_NOT_FOUND" });
  assert.throws(() => exportFor(jobs, "j1", peer("alice"), () => false), {
    code: "TC_ERR_FORBIDDEN",
    message: 'Not allowed to see camera: "0123FEED00000000E1"',
  });
});
