import assert from "node:assert/strict";
import {
  NO_RECORDER,
  parseRecordModeBody,
  type RecorderStatus,
  recordingInfo,
  recordsFrames,
} from "./recording_mode.ts";
import { TrustcamError } from "./errors.ts";

Deno.test("parseRecordModeBody() reads a mode, and default as null", () => {
  assert.equal(parseRecordModeBody({ mode: "off" }), "off");
  assert.equal(parseRecordModeBody({ mode: "continuous" }), "continuous");
  assert.equal(parseRecordModeBody({ mode: "motion" }), "motion");
  assert.equal(parseRecordModeBody({ mode: "default" }), null);
});

Deno.test("parseRecordModeBody() refuses anything else with TC_ERR_BAD_REQUEST quoting it", () => {
  const cases: [unknown, string][] = [
    [
      { mode: "always" },
      'Invalid recording mode: "always": expected off, continuous, motion or default',
    ],
    [{ mode: "OFF" }, 'Invalid recording mode: "OFF": expected off, continuous, motion or default'],
    [{ mode: 1 }, 'Invalid recording mode: "1": expected off, continuous, motion or default'],
    [{ mode: null }, 'Invalid recording mode: "null": expected off, continuous, motion or default'],
    [{}, 'Request body needs "mode": off, continuous, motion or default, got "{}"'],
    [["off"], 'Request body needs "mode": off, continuous, motion or default, got "[\\"off\\"]"'],
    [null, 'Request body needs "mode": off, continuous, motion or default, got "null"'],
  ];
  for (const [body, message] of cases) {
    assert.throws(() => parseRecordModeBody(body), (err) => {
      assert.ok(err instanceof TrustcamError);
      assert.equal(err.code, "TC_ERR_BAD_REQUEST");
      assert.equal(err.message, message);
      return true;
    }, JSON.stringify(body));
  }
});

Deno.test("recordsFrames() is true for continuous only: motion records nothing yet", () => {
  assert.equal(recordsFrames("continuous"), true);
  assert.equal(recordsFrames("motion"), false);
  assert.equal(recordsFrames("off"), false);
});

Deno.test("recordingInfo() follows the default unless the camera has its own mode", () => {
  const recorder: RecorderStatus = {
    defaultMode: "continuous",
    dropped: (serial) => serial === "A" ? 7 : 0,
    paused: () => false,
  };
  assert.deepEqual(recordingInfo(null, true, "A", recorder), {
    mode: "continuous",
    source: "default",
    recording: true,
    dropped: 7,
  });
  assert.deepEqual(recordingInfo("off", true, "A", recorder), {
    mode: "off",
    source: "camera",
    recording: false,
    dropped: 7,
  });
  assert.deepEqual(recordingInfo("motion", true, "B", recorder), {
    mode: "motion",
    source: "camera",
    recording: false,
    dropped: 0,
  });
  assert.deepEqual(recordingInfo("continuous", false, "B", NO_RECORDER), {
    mode: "continuous",
    source: "camera",
    recording: false,
    dropped: 0,
  });
});

Deno.test("recordingInfo() is not recording while the recorder is paused", () => {
  const paused: RecorderStatus = { ...NO_RECORDER, paused: () => true };
  assert.equal(recordingInfo("continuous", true, "A", paused).recording, false);
});
