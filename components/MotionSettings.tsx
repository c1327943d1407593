/**
 * The camera page's Motion panel: the camera's motion detection settings from
 * `GET /api/cameras/:serial/motion` for everyone; for admins, a form that changes them and a
 * mask editor (rectangles where changes are ignored), each saved with a partial `PUT`. The
 * mask is drawn over the picture (components/MaskOverlay.tsx, owned by the page); here it is
 * listed, typed in percent from the keyboard, deleted and saved.
 */
import { useEffect, useState } from "preact/hooks";
import { BUTTON, DL, Panel, Row } from "./Panel.tsx";
import { CENTER_RECT, setPercent, toPercent, type UnitRect } from "../lib/client/mask_geometry.ts";
import {
  formatMinArea,
  MAX_MASK_RECTS,
  type MotionValues,
  parseMotionValues,
  settingsChanges,
  type SettingsForm,
  toForm,
} from "../lib/client/motion_form.ts";

export interface MotionSettingsProps {
  serial: string;
  /** Whether this viewer is an admin: others see the settings without the form. */
  canManage: boolean;
  /** The mask being edited over the picture; undefined when not editing. */
  draft: UnitRect[] | undefined;
  onDraft(draft: UnitRect[] | undefined): void;
  /**
   * CAMERA.motion.enabled: whether the hub analyzes this camera's frames. False while the
   * settings say enabled means the hub runs with `--motion off`.
   */
  analyzed?: boolean;
  /** Settings known at render (tests); otherwise fetched once hydrated. */
  initial?: MotionValues;
}

type Status = { busy: boolean; error?: string; saved?: string };

export function MotionSettings(props: MotionSettingsProps) {
  const { serial, canManage, draft } = props;
  const [values, setValues] = useState<MotionValues | undefined>(props.initial);
  const [missing, setMissing] = useState<string>();
  const [status, setStatus] = useState<Status>({ busy: false });
  const url = `/api/cameras/${encodeURIComponent(serial)}/motion`;

  useEffect(() => {
    if (props.initial) return;
    const ac = new AbortController();
    fetch(url, { cache: "no-store", signal: ac.signal }).then(async (res) => {
      const body = await res.json().catch(() => null);
      const v = res.ok ? parseMotionValues(body) : undefined;
      if (v) setValues(v);
      else setMissing(body?.error?.message ?? "This hub does not report motion detection");
    }).catch(() => {
      if (!ac.signal.aborted) setMissing("Motion settings could not be loaded");
    });
    return () => ac.abort();
  }, [serial]);

  const put = async (body: Partial<MotionValues>, saved: string): Promise<boolean> => {
    setStatus({ busy: true });
    try {
      const res = await fetch(url, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await res.json().catch(() => null);
      const v = res.ok ? parseMotionValues(answer) : undefined;
      if (!v) {
        setStatus({ busy: false, error: answer?.error?.message ?? `Save failed: ${res.status}` });
        return false;
      }
      setValues(v);
      setStatus({ busy: false, saved });
      return true;
    } catch (err) {
      setStatus({ busy: false, error: `Save failed: ${(err as Error).message}` });
      return false;
    }
  };

  if (!values) {
    return (
      <Panel title="Motion" data-motion-settings="">
        <p class="text-sm text-neutral-400">{missing ?? "Loading…"}</p>
      </Panel>
    );
  }

  const maskWords = rectWords(values.mask.length);
  return (
    <Panel title="Motion" data-motion-settings="">
      {values.enabled && props.analyzed === false && (
        <p class="mb-2 text-sm text-amber-300" data-motion-off="">
          The hub analyzes no frames (motion detection is off for the hub: --motion off)
        </p>
      )}
      {canManage
        ? (
          <SettingsEditor
            values={values}
            busy={status.busy}
            onSave={(changes) => void put(changes, "Settings saved")}
          />
        )
        : (
          <dl class={DL} data-motion-values="">
            <Row label="Detection" value={values.enabled ? "On" : "Off"} />
            <Row label="Sensitivity" value={`${values.sensitivity} of 100`} />
            <Row label="Minimum area" value={formatMinArea(values.minArea)} />
            <Row label="Analysis rate" value={`${values.fps} fps`} />
            <Row label="Mask" value={maskWords} />
          </dl>
        )}
      {canManage && (
        <div class="mt-4 space-y-2 border-t border-neutral-800 pt-3" data-mask-editor="">
          <h3 class="text-sm font-semibold text-neutral-300" data-mask-heading="">
            Mask · {draft === undefined ? maskWords : `${rectWords(draft.length)}, not saved yet`}
          </h3>
          {draft === undefined
            ? (
              <button
                type="button"
                class={BUTTON}
                onClick={() => {
                  setStatus({ busy: false });
                  props.onDraft(values.mask.map((r) => ({ ...r })));
                }}
                data-action="edit-mask"
              >
                Edit mask
              </button>
            )
            : (
              <MaskList
                draft={draft}
                busy={status.busy}
                onDraft={props.onDraft}
                onSave={async () => {
                  if (await put({ mask: draft }, "Mask saved")) props.onDraft(undefined);
                }}
              />
            )}
        </div>
      )}
      {status.error && <p role="alert" class="mt-2 text-sm text-amber-300">{status.error}</p>}
      {status.saved && !status.error && (
        <p role="status" class="mt-2 text-sm text-emerald-300">{status.saved}</p>
      )}
    </Panel>
  );
}

function rectWords(n: number): string {
  return `${n} rectangle${n === 1 ? "" : "s"}`;
}

const INPUT =
  "w-full rounded-md bg-black px-2 py-1 text-neutral-100 ring-1 ring-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400";

function SettingsEditor(
  { values, busy, onSave }: {
    values: MotionValues;
    busy: boolean;
    onSave(changes: Partial<MotionValues>): void;
  },
) {
  const [form, setForm] = useState<SettingsForm>(() => toForm(values));
  useEffect(() => setForm(toForm(values)), [values]);
  const field = (name: Exclude<keyof SettingsForm, "enabled">, label: string, attrs: {
    min: number;
    max: number;
    step: number;
  }) => (
    <label class="block text-sm text-neutral-400">
      {label}
      <input
        type="number"
        name={name}
        value={form[name]}
        {...attrs}
        required
        onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })}
        class={INPUT}
      />
    </label>
  );
  return (
    <form
      class="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(settingsChanges(values, form));
      }}
      data-motion-form=""
    >
      <label class="flex items-center gap-2 text-sm text-neutral-200">
        <input
          type="checkbox"
          name="enabled"
          checked={form.enabled}
          onChange={(e) => setForm({ ...form, enabled: (e.target as HTMLInputElement).checked })}
          class="h-4 w-4 accent-sky-500"
        />
        Detect motion on this camera
      </label>
      {field("sensitivity", "Sensitivity (1-100)", { min: 1, max: 100, step: 1 })}
      {field("minAreaPercent", "Minimum area (% of the picture)", {
        min: 0.01,
        max: 100,
        step: 0.01,
      })}
      {field("fps", "Analysis rate (frames per second)", { min: 0.1, max: 15, step: 0.1 })}
      <button type="submit" class={BUTTON} disabled={busy} data-action="save-motion">
        Save settings
      </button>
    </form>
  );
}

const FIELDS: { key: keyof UnitRect; label: string }[] = [
  { key: "x", label: "Left" },
  { key: "y", label: "Top" },
  { key: "w", label: "Width" },
  { key: "h", label: "Height" },
];

function MaskList(
  { draft, busy, onDraft, onSave }: {
    draft: UnitRect[];
    busy: boolean;
    onDraft(d: UnitRect[] | undefined): void;
    onSave(): void;
  },
) {
  const replace = (i: number, r: UnitRect) => onDraft(draft.map((old, j) => j === i ? r : old));
  return (
    <div class="space-y-2">
      <p class="text-sm text-neutral-400">
        Drag over the picture to add a rectangle where changes are ignored, or add one here and type
        its place in percent of the picture.
      </p>
      {draft.length === 0 && (
        <p class="text-sm text-neutral-500">No rectangles: all of the picture is watched.</p>
      )}
      <ol class="space-y-2" data-mask-list="">
        {draft.map((r, i) => (
          <li key={i} class="rounded-md bg-black/40 p-2 ring-1 ring-neutral-800" data-mask-rect={i}>
            <div class="mb-1 flex items-center justify-between text-sm text-neutral-300">
              <span>Rectangle {i + 1}</span>
              <button
                type="button"
                class="rounded px-2 py-0.5 text-sm text-amber-300 ring-1 ring-neutral-700 hover:bg-neutral-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
                aria-label={`Delete rectangle ${i + 1}`}
                onClick={() =>
                  onDraft(draft.filter((_, j) =>
                    j !== i
                  ))}
                data-action="delete-rect"
              >
                Delete
              </button>
            </div>
            <div class="grid grid-cols-4 gap-1">
              {FIELDS.map((f) => (
                <label key={f.key} class="text-xs text-neutral-400">
                  {f.label} %
                  <input
                    type="number"
                    min={0}
                    max={100}
                    step={0.1}
                    value={toPercent(r[f.key])}
                    aria-label={`Rectangle ${i + 1} ${f.label.toLowerCase()}, percent`}
                    onChange={(e) =>
                      replace(
                        i,
                        setPercent(r, f.key, (e.target as HTMLInputElement).valueAsNumber),
                      )}
                    class={INPUT}
                  />
                </label>
              ))}
            </div>
          </li>
        ))}
      </ol>
      <div class="flex flex-wrap gap-2">
        <button
          type="button"
          class={BUTTON}
          disabled={draft.length >= MAX_MASK_RECTS}
          onClick={() => onDraft([...draft, { ...CENTER_RECT }])}
          data-action="add-rect"
        >
          Add rectangle
        </button>
        <button
          type="button"
          class={BUTTON}
          disabled={busy}
          onClick={onSave}
          data-action="save-mask"
        >
          Save mask
        </button>
        <button
          type="button"
          class={BUTTON}
          onClick={() => onDraft(undefined)}
          data-action="cancel-mask"
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
