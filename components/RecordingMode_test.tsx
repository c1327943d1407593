import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import {
  MOTION_NOTE,
  MOTION_OFF_NOTE,
  MOTION_WAIT_NOTE,
  RecordingMode,
  recordingSummary,
} from "./RecordingMode.tsx";
import type { CameraInfo } from "../lib/registry.ts";
import type { RecordingInfo } from "../lib/recording_mode.ts";

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/\s+/g, " ");

function camera(recording: RecordingInfo | undefined, state: CameraInfo["state"] = "online") {
  return {
    serial: "0123A1B2C3D4E5F6A7",
    name: "Front door",
    state,
    firstSeen: "2026-11-27T10:00:00.000Z",
    lastSeen: "2026-11-27T10:00:00.000Z",
    lastFrameAt: null,
    fps: 0,
    kbps: 0,
    frames: 0,
    bad: 0,
    skipped: 0,
    status: null,
    recording,
  } as CameraInfo;
}

const rec = (r: Partial<RecordingInfo>): RecordingInfo => ({
  mode: "continuous",
  source: "default",
  recording: true,
  dropped: 0,
  ...r,
});

Deno.test("RecordingMode shows admins a select on the camera's choice, others none", () => {
  const admin = renderToString(
    <RecordingMode camera={camera(rec({}))} canManage onChanged={() => {}} />,
  );
  assert.match(text(admin), /Recording: continuous/);
  assert.match(admin, /<select[^>]*data-recording-mode/);
  assert.match(admin, /<option selected value="default">Default \(continuous\)<\/option>/);
  const own = renderToString(
    <RecordingMode
      camera={camera(rec({ mode: "off", source: "camera", recording: false }))}
      canManage
      onChanged={() => {}}
    />,
  );
  assert.match(own, /<option selected value="off">Off<\/option>/);
  assert.match(own, /Default \(the hub's --record\)/, "the hub's default is not known here");
  const viewer = renderToString(
    <RecordingMode camera={camera(rec({}))} canManage={false} onChanged={() => {}} />,
  );
  assert.match(text(viewer), /Recording: continuous/);
  assert.doesNotMatch(viewer, /<select/);
});

Deno.test("recordingSummary() says why a camera is not recorded", () => {
  assert.deepEqual(recordingSummary(camera(rec({}))), { state: "Recording: continuous" });
  assert.deepEqual(
    recordingSummary(camera(rec({ mode: "off", recording: false }))),
    { state: "Not recording" },
  );
  assert.deepEqual(
    recordingSummary(camera(rec({ mode: "motion", source: "camera", recording: false }))),
    { state: "Not recording", note: MOTION_NOTE },
  );
  assert.equal(MOTION_NOTE, "Motion recording needs motion detection (not available yet)");
  assert.match(
    recordingSummary(camera(rec({ recording: false }), "offline")).note!,
    /resumes when the camera sends again/,
  );
  assert.match(recordingSummary(camera(rec({ recording: false }))).note!, /paused/);
  assert.match(recordingSummary(camera(undefined)).state, /unknown/, "an older hub");
});

Deno.test("RecordingMode counts dropped frames and shows the motion note to everyone", () => {
  const html = renderToString(
    <RecordingMode
      camera={camera(rec({ mode: "motion", source: "camera", recording: false, dropped: 12 }))}
      canManage={false}
      onChanged={() => {}}
    />,
  );
  assert.match(text(html), /Not recording/);
  assert.match(text(html), /Motion recording needs motion detection \(not available yet\)/);
  assert.match(text(html), /12 frames dropped: the disk fell behind/);
});

Deno.test("recordingSummary() in motion mode says whether motion detection runs for the camera", () => {
  const motion = (enabled: boolean) => ({
    ...camera(rec({ mode: "motion", source: "camera", recording: false })),
    motion: { enabled, active: false },
  });
  assert.deepEqual(recordingSummary(motion(true)), {
    state: "Not recording",
    note: MOTION_WAIT_NOTE,
  });
  assert.deepEqual(recordingSummary(motion(false)), {
    state: "Not recording",
    note: MOTION_OFF_NOTE,
  });
  assert.match(MOTION_OFF_NOTE, /Motion recording needs motion detection/);
  const recording = { ...motion(true), recording: rec({ mode: "motion", recording: true }) };
  assert.deepEqual(recordingSummary(recording), { state: "Recording: motion" });
});
