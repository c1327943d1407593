import assert from "node:assert/strict";
import { parseRecorderOptions, RECORDER_USAGE } from "./recorder_options.ts";
import { UsageError } from "./usage_error.ts";

Deno.test("parseRecorderOptions() records every camera continuously by default, motion as the hub", () => {
  const o = parseRecorderOptions(["--bus", "nats://127.0.0.1:4222", "--data", "rec"]);
  assert.equal(o.mode, "run");
  assert.equal(o.dataDir, "rec");
  assert.deepEqual(o.bus?.servers, ["127.0.0.1:4222"]);
  assert.equal(o.record, "continuous");
  assert.equal(o.motion, "on");
});

Deno.test("parseRecorderOptions() reads the hub's recording, motion and retention options", () => {
  const o = parseRecorderOptions(
    ["--bus", "nats://n:4222", "--record", "motion", "--motion", "on", "--retain-days", "0.5"],
    { TRUSTCAM_RETAIN_BYTES: "2G", TRUSTCAM_PORT: "not a port" },
  );
  assert.equal(o.record, "motion");
  assert.equal(o.motion, "on");
  assert.equal(o.retainMs, 43_200_000);
  assert.equal(o.retainBytes, 2 * 1024 ** 3);
});

Deno.test("parseRecorderOptions() takes TRUSTCAM_RECORD over its own default", () => {
  const o = parseRecorderOptions([], { TRUSTCAM_BUS: "nats://n:4222", TRUSTCAM_RECORD: "off" });
  assert.equal(o.record, "off");
});

Deno.test("parseRecorderOptions() refuses a missing --bus and hub-only flags", () => {
  assert.throws(() => parseRecorderOptions([]), UsageError, "Missing --bus");
  assert.throws(
    () => parseRecorderOptions(["--bus", "nats://n:4222", "--port", "5000"]),
    (e: Error) => e instanceof UsageError && /Unknown option '--port'/.test(e.message),
  );
  assert.throws(
    () => parseRecorderOptions(["--bus", "nats://n:4222", "--record", "always"]),
    /always/,
  );
});

Deno.test("parseRecorderOptions() gives help without --bus, and the help names every flag", () => {
  assert.equal(parseRecorderOptions(["--help"]).mode, "help");
  for (const flag of ["--bus", "--data", "--record", "--motion", "--retain-days"]) {
    assert.ok(RECORDER_USAGE.includes(flag), flag);
  }
});
