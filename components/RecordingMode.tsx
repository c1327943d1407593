/**
 * The camera page's Recording panel: whether this camera is being recorded, in words, for
 * everyone; for admins, a select that sets its mode with `PUT /api/cameras/:serial/recording`
 * and shows the hub's refusal when there is one.
 */
import { useRef, useState } from "preact/hooks";
import type { CameraInfo } from "../lib/registry.ts";
import type { RecordingInfo } from "../lib/recording_mode.ts";

export interface RecordingModeProps {
  camera: CameraInfo;
  /** Whether this viewer is an admin: others get the state without the select. */
  canManage: boolean;
  /** The CAMERA object the hub answered with after a change. */
  onChanged: (camera: CameraInfo) => void;
}

type Choice = "default" | RecordingInfo["mode"];

const LABELS: Record<RecordingInfo["mode"], string> = {
  continuous: "Continuous",
  motion: "Motion",
  off: "Off",
};

/** A hub too old to report motion detection (no `motion` in the CAMERA object). */
export const MOTION_NOTE = "Motion recording needs motion detection (not available yet)";
/** Motion detection is off for this camera or for the hub (`--motion off`). */
export const MOTION_OFF_NOTE =
  "Motion recording needs motion detection, which is off for this camera";
/** In motion mode, waiting for an event. */
export const MOTION_WAIT_NOTE = "Records when motion is detected, from a few seconds before";

/** The state line: what the recorder does with this camera now, and why not when it does not. */
export function recordingSummary(camera: CameraInfo): { state: string; note?: string } {
  const r = camera.recording;
  if (!r) return { state: "Recording state unknown (the hub does not report it)" };
  if (r.recording) return { state: `Recording: ${r.mode}` };
  if (r.mode === "motion") {
    const m = camera.motion;
    const note = m === undefined ? MOTION_NOTE : m.enabled ? MOTION_WAIT_NOTE : MOTION_OFF_NOTE;
    return { state: "Not recording", note };
  }
  if (r.mode === "continuous") {
    return {
      state: "Not recording",
      note: camera.state === "online"
        ? "Recording is paused by the hub (disk space)"
        : "Continuous: recording resumes when the camera sends again",
    };
  }
  return { state: "Not recording" };
}

export function RecordingMode({ camera, canManage, onChanged }: RecordingModeProps) {
  const r = camera.recording;
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  // The hub's default shows while the camera follows it; remembered for the option's label.
  const hubDefault = useRef<RecordingInfo["mode"]>();
  if (r?.source === "default") hubDefault.current = r.mode;
  const defaultMode = hubDefault.current;

  const choose = async (choice: Choice) => {
    setState({ busy: true });
    try {
      const res = await fetch(`/api/cameras/${encodeURIComponent(camera.serial)}/recording`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mode: choice }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        setState({ busy: false, error: body?.error?.message ?? `Change failed: ${res.status}` });
        return;
      }
      onChanged(body as CameraInfo);
      setState({ busy: false });
    } catch (err) {
      setState({ busy: false, error: `Change failed: ${(err as Error).message}` });
    }
  };

  const summary = recordingSummary(camera);
  const selected: Choice | undefined = r && (r.source === "default" ? "default" : r.mode);
  return (
    <section
      class="rounded-lg bg-neutral-900 p-4 ring-1 ring-neutral-800"
      data-recording={r ? (r.recording ? "on" : "off") : "unknown"}
    >
      <h2 class="mb-3 text-sm font-semibold uppercase tracking-wide text-neutral-400">
        Recording
      </h2>
      <p class="flex items-center gap-2 text-sm text-neutral-200" data-recording-state="">
        <span
          aria-hidden="true"
          class={r?.recording ? "text-red-400" : "text-neutral-500"}
        >
          {r?.recording ? "●" : "○"}
        </span>
        {summary.state}
      </p>
      {summary.note && (
        <p class="mt-1 text-sm text-neutral-400" data-recording-note="">{summary.note}</p>
      )}
      {r && r.dropped > 0 && (
        <p class="mt-1 text-sm text-amber-300">
          {r.dropped} frames dropped: the disk fell behind
        </p>
      )}
      {canManage && r && (
        <div class="mt-3 space-y-2">
          <label class="block text-sm text-neutral-400" for="recording-mode">Mode</label>
          <select
            id="recording-mode"
            name="mode"
            value={selected}
            disabled={state.busy}
            onChange={(e) => void choose((e.target as HTMLSelectElement).value as Choice)}
            class="w-full rounded-md bg-black px-2 py-1 text-neutral-100 ring-1 ring-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            data-recording-mode=""
          >
            <option value="default">
              {defaultMode ? `Default (${defaultMode})` : "Default (the hub's --record)"}
            </option>
            {(["continuous", "motion", "off"] as const).map((m) => (
              <option key={m} value={m}>{LABELS[m]}</option>
            ))}
          </select>
          {state.error && <p role="alert" class="text-sm text-amber-300">{state.error}</p>}
        </div>
      )}
    </section>
  );
}
