import assert from "node:assert/strict";
import {
  errorText,
  exportRange,
  fromLocalInput,
  isFinished,
  parseExport,
  toLocalInput,
} from "./export_job.ts";

const JOB = {
  id: "e1",
  camera: "0123A1B2C3D4E5F6A7",
  from: "2026-11-27T14:00:00.000Z",
  to: "2026-11-27T14:05:00.000Z",
  state: "running",
  percent: 42.5,
  frames: 4500,
  bytes: 0,
};

Deno.test("parseExport() reads an EXPORT object and refuses what is not one", () => {
  assert.deepEqual(parseExport(JOB), JOB);
  const done = parseExport({ ...JOB, state: "done", percent: 100, file: "/api/exports/e1/file" });
  assert.equal(done?.file, "/api/exports/e1/file");
  assert.equal(isFinished(done!), true);
  assert.equal(isFinished(parseExport(JOB)!), false);
  // A link elsewhere is not followed.
  assert.equal(parseExport({ ...JOB, file: "https://evil.example/x.mp4" })?.file, undefined);
  assert.equal(parseExport({ ...JOB, percent: 250 })?.percent, 100);
  assert.equal(
    parseExport({ ...JOB, state: "failed", error: "ffmpeg died" })?.error,
    "ffmpeg died",
  );
  for (const bad of [null, "x", { ...JOB, id: 1 }, { ...JOB, state: "lost" }]) {
    assert.equal(parseExport(bad), undefined, JSON.stringify(bad));
  }
});

Deno.test("errorText() prefers the hub's message", () => {
  assert.equal(
    errorText(404, { error: { code: "TC_ERR_NOT_FOUND", message: "No export" } }),
    "No export",
  );
  assert.equal(errorText(502, null), "HTTP 502");
});

Deno.test("toLocalInput() and fromLocalInput() round-trip local date-times to the second", () => {
  const t = new Date(2026, 10, 27, 14, 3, 27).getTime();
  assert.equal(toLocalInput(t), "2026-11-27T14:03:27");
  assert.equal(fromLocalInput("2026-11-27T14:03:27"), t);
  assert.equal(fromLocalInput("2026-11-27T14:03"), t - 27_000);
  assert.equal(fromLocalInput(toLocalInput(t + 400)), t);
  assert.equal(fromLocalInput("yesterday"), undefined);
});

Deno.test("exportRange() checks the inputs and stops the end at now", () => {
  const now = new Date(2026, 10, 27, 15, 0, 0).getTime();
  assert.deepEqual(exportRange("2026-11-27T14:00:00", "2026-11-27T14:05:00", now), {
    from: now - 3_600_000,
    to: now - 3_300_000,
  });
  assert.deepEqual(exportRange("2026-11-27T14:00:00", "2026-11-27T16:00:00", now), {
    from: now - 3_600_000,
    to: now,
  });
  assert.deepEqual(exportRange("", "2026-11-27T14:05:00", now), { problem: 'Invalid start: ""' });
  assert.deepEqual(exportRange("2026-11-27T14:05:00", "2026-11-27T14:00:00", now), {
    problem: "The end must be after the start",
  });
  assert.deepEqual(exportRange("2026-11-27T16:00:00", "2026-11-27T17:00:00", now), {
    problem: "The start is in the future",
  });
});
