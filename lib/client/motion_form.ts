/**
 * The Motion panel's numbers: the settings as `GET /api/cameras/:serial/motion` answers
 * (read defensively, like messages.ts), the form's text fields, and the partial body a save
 * sends (only what changed, so two admins editing different fields do not undo each other).
 * Browser-safe: types only from the hub's side.
 */
import type { MotionSettings } from "../motion_settings.ts";

export type MotionValues = MotionSettings;

/** lib/motion_settings.ts's limit, repeated so the page bundles no hub code (a test checks). */
export const MAX_MASK_RECTS = 32;

/** The form as typed: numbers as the inputs hold them, the area in percent. */
export interface SettingsForm {
  enabled: boolean;
  sensitivity: string;
  minAreaPercent: string;
  fps: string;
}

function isUnit(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;
}

/** The settings of an answer; undefined when it is not one. */
export function parseMotionValues(x: unknown): MotionValues | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  const o = x as Record<string, unknown>;
  if (typeof o.enabled !== "boolean" || !Array.isArray(o.mask)) return undefined;
  for (const k of ["fps", "sensitivity", "minArea"]) {
    if (typeof o[k] !== "number" || !Number.isFinite(o[k])) return undefined;
  }
  const mask = o.mask.filter((r): r is MotionValues["mask"][number] =>
    typeof r === "object" && r !== null && isUnit(r.x) && isUnit(r.y) && isUnit(r.w) &&
    isUnit(r.h)
  ).map(({ x, y, w, h }) => ({ x, y, w, h }));
  return {
    enabled: o.enabled,
    fps: o.fps as number,
    sensitivity: o.sensitivity as number,
    minArea: o.minArea as number,
    mask,
  };
}

/** Percent with at most four decimals: 0.005 is "0.5", 0.0001 "0.01". */
function percentText(fraction: number): string {
  return String(Math.round(fraction * 1e6) / 1e4);
}

export function toForm(v: MotionValues): SettingsForm {
  return {
    enabled: v.enabled,
    sensitivity: String(v.sensitivity),
    minAreaPercent: percentText(v.minArea),
    fps: String(v.fps),
  };
}

/**
 * The fields of `form` that differ from `saved`, as the PUT body takes them. A field that is
 * not a number is sent as typed, so the hub's refusal names it in its own words.
 */
export function settingsChanges(saved: MotionValues, form: SettingsForm): Partial<MotionValues> {
  const out: Record<string, unknown> = {};
  if (form.enabled !== saved.enabled) out.enabled = form.enabled;
  const num = (s: string): number | string => {
    const n = Number(s.trim());
    return s.trim() !== "" && Number.isFinite(n) ? n : s;
  };
  const sensitivity = num(form.sensitivity);
  if (sensitivity !== saved.sensitivity) out.sensitivity = sensitivity;
  const pct = num(form.minAreaPercent);
  // Through the text, so an untouched field compares equal despite float rounding.
  if (form.minAreaPercent !== percentText(saved.minArea)) {
    out.minArea = typeof pct === "number" ? Math.round(pct * 1e4) / 1e6 : pct;
  }
  const fps = num(form.fps);
  if (fps !== saved.fps) out.fps = fps;
  return out as Partial<MotionValues>;
}

/** The minimum area for people: "0.5 % of the picture". */
export function formatMinArea(minArea: number): string {
  return `${percentText(minArea)} % of the picture`;
}
