import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { Timeline } from "./Timeline.tsx";
import { RecBadge } from "./RecBadge.tsx";
import { MotionBadge } from "./MotionBadge.tsx";
import { JobStatus } from "./ExportPanel.tsx";
import { CameraTile } from "./CameraTile.tsx";
import { HOUR_MS, MINUTE_MS } from "../lib/client/timeline.ts";
import type { CameraInfo } from "../lib/registry.ts";

const NOW = Date.UTC(2026, 10, 27, 15, 0, 0);
const noop = () => {};

Deno.test("Timeline draws the recorded ranges, the selection and the playhead as a slider", () => {
  const html = renderToString(
    <Timeline
      win={{ from: NOW - HOUR_MS, to: NOW }}
      now={NOW}
      ranges={[{ from: NOW - 45 * MINUTE_MS, to: NOW - 30 * MINUTE_MS }]}
      selection={{ from: NOW - 40 * MINUTE_MS, to: NOW - 35 * MINUTE_MS }}
      playhead={NOW - 30 * MINUTE_MS}
      live={false}
      onSeek={noop}
      onLive={noop}
      onWindow={noop}
    />,
  );
  assert.match(html, /role="slider"/);
  assert.match(html, new RegExp(`aria-valuenow="${NOW - 30 * MINUTE_MS}"`));
  assert.match(html, /tabindex="0"/);
  assert.match(html, /left:25%;width:25%[^"]*"[^>]*data-range/);
  assert.match(html, /data-selection/);
  assert.match(html, /left:50%[^"]*"[^>]*data-playhead/);
  // The window's buttons are buttons, labelled.
  for (const label of ["Earlier", "Zoom out", "Zoom in", "Later", "Last 24 hours"]) {
    assert.match(html, new RegExp(`<button type="button" aria-label="${label}"`));
  }
  assert.match(html, /data-window>1 h · /);
});

Deno.test("Timeline reads Live for screen readers while live", () => {
  const html = renderToString(
    <Timeline
      win={{ from: NOW - HOUR_MS, to: NOW }}
      now={NOW}
      ranges={[]}
      playhead={NOW}
      live
      onSeek={noop}
      onLive={noop}
      onWindow={noop}
    />,
  );
  assert.match(html, /aria-valuetext="Live"/);
  assert.doesNotMatch(html, /data-range/);
});

const camera: CameraInfo = {
  serial: "0123A1B2C3D4E5F6A7",
  name: "Front door",
  state: "online",
  firstSeen: "2026-11-23T10:00:00.000Z",
  lastSeen: "2026-11-23T10:05:00.000Z",
  lastFrameAt: "2026-11-23T10:05:00.000Z",
  fps: 15,
  kbps: 1,
  frames: 1,
  bad: 0,
  skipped: 0,
  status: null,
} as CameraInfo;

Deno.test("CameraTile shows REC only while the hub records the camera", () => {
  assert.match(renderToString(<RecBadge />), /data-rec>.*REC<\/span>/);
  const tile = (c: CameraInfo) => renderToString(<CameraTile camera={c} now={NOW} />);
  assert.doesNotMatch(tile(camera), /data-rec/);
  const recording = { mode: "continuous", source: "default", recording: true, dropped: 0 };
  assert.match(tile({ ...camera, recording } as CameraInfo), /data-rec/);
  assert.doesNotMatch(
    tile({ ...camera, recording: { ...recording, recording: false } } as CameraInfo),
    /data-rec/,
  );
});

Deno.test("JobStatus shows a running export's progress and Cancel, a done one's download", () => {
  const job = {
    id: "e1",
    camera: camera.serial,
    from: "2026-11-27T14:00:00.000Z",
    to: "2026-11-27T14:05:00.000Z",
    state: "running" as const,
    percent: 42.4,
    frames: 4500,
    bytes: 0,
  };
  const running = renderToString(<JobStatus job={job} onCancel={noop} />);
  assert.match(running, /role="progressbar"[^>]*aria-valuenow="42"/);
  assert.match(running, /width:42%/);
  assert.match(running, /42 %/);
  assert.match(running, /<button type="button"[^>]*data-action="cancel-export">Cancel<\/button>/);
  assert.doesNotMatch(running, /data-download/);
  const done = renderToString(
    <JobStatus
      job={{
        ...job,
        state: "done",
        percent: 100,
        bytes: 3 * 1024 * 1024,
        file: "/api/exports/e1/file",
      }}
      onCancel={noop}
    />,
  );
  assert.match(
    done,
    /<a href="\/api\/exports\/e1\/file" download[^>]*data-download>Download MP4 · 3.0 MiB<\/a>/,
  );
  assert.doesNotMatch(done, /progressbar|Cancel/);
  const failed = renderToString(
    <JobStatus job={{ ...job, state: "failed", error: "Cannot run ffmpeg" }} onCancel={noop} />,
  );
  assert.match(failed, /role="alert"[^>]*>Export failed: Cannot run ffmpeg/);
  const cancelled = renderToString(
    <JobStatus job={{ ...job, state: "cancelled" }} onCancel={noop} />,
  );
  assert.match(cancelled, /Export cancelled/);
});

Deno.test("CameraTile shows MOTION beside REC while a motion event is open", () => {
  assert.match(renderToString(<MotionBadge />), /data-motion-badge>.*MOTION<\/span>/);
  const tile = (c: CameraInfo) => renderToString(<CameraTile camera={c} now={NOW} />);
  const motion = (active: boolean) => ({ enabled: true, active });
  assert.doesNotMatch(
    tile({ ...camera, motion: motion(false) } as CameraInfo),
    /data-motion-badge/,
  );
  const recording = { mode: "motion", source: "camera", recording: true, dropped: 0 };
  const html = tile({ ...camera, motion: motion(true), recording } as CameraInfo);
  // One group in the picture's bottom corner, off the camera's own caption at the top.
  assert.match(
    html,
    /class="[^"]*absolute bottom-2 right-2[^"]*" data-badges><span[^>]*data-motion-badge>.*<span[^>]*data-rec>/,
  );
});

Deno.test("Timeline marks motion events inside the window, labelled", () => {
  const html = renderToString(
    <Timeline
      win={{ from: NOW - HOUR_MS, to: NOW }}
      now={NOW}
      ranges={[]}
      marks={[
        { at: NOW - 15 * MINUTE_MS, label: "Motion at 14:45:00, 12 s, score 4.2 %" },
        { at: NOW - 2 * HOUR_MS, label: "outside" },
      ]}
      playhead={NOW}
      live
      onSeek={noop}
      onLive={noop}
      onWindow={noop}
    />,
  );
  assert.equal(html.match(/data-mark/g)?.length, 1);
  assert.match(html, /left:75%;"[^>]*title="Motion at 14:45:00, 12 s, score 4.2 %"[^>]*data-mark/);
});
