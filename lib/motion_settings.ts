/**
 * A camera's motion detection settings, as stored and as the admin API accepts them. The mask
 * is in normalized 0-1 coordinates of the picture, so it survives a change of resolution and
 * applies unchanged to the small analysis image. A bad value is 400 `TC_ERR_BAD_REQUEST` with
 * the field and the value quoted.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";

/** A rectangle in picture coordinates, each 0-1: x from the left, y from the top. */
export interface MotionRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface MotionSettings {
  enabled: boolean;
  /** Analyses per second at most (frames in between are not looked at). */
  fps: number;
  /** 1-100: higher notices smaller brightness differences (see {@link pixelThreshold}). */
  sensitivity: number;
  /** Fraction (0-1) of the unmasked picture that must change for a frame to count as motion. */
  minArea: number;
  /** Rectangles where changes are ignored (a tree, a road, a clock on the wall). */
  mask: MotionRect[];
}

export const DEFAULT_MOTION_SETTINGS: Readonly<MotionSettings> = Object.freeze({
  enabled: true,
  fps: 5,
  sensitivity: 50,
  minArea: 0.005,
  mask: [],
});

export const MAX_MOTION_FPS = 15;
export const MAX_MASK_RECTS = 32;

/**
 * The luma difference (0-255) a pixel needs, after brightness compensation, to count as
 * changed: 55.5 at sensitivity 1, 31 at the default 50, 6 at 100.
 */
export function pixelThreshold(sensitivity: number): number {
  return 6 + (100 - sensitivity) * 0.5;
}

/**
 * Validates settings from the API or the database. Fields left out keep their value in `base`
 * (so a PATCH-like body changes only what it names); unknown fields are refused so a typo
 * never silently does nothing.
 */
export function parseMotionSettings(
  input: unknown,
  base: Readonly<MotionSettings> = DEFAULT_MOTION_SETTINGS,
): MotionSettings {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw bad(`Invalid motion settings: ${quote(input)}: expected an object`);
  }
  const known = new Set(Object.keys(DEFAULT_MOTION_SETTINGS));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw bad(`Unknown motion setting: ${quote(key)}`);
  }
  const o = input as Record<string, unknown>;
  const out: MotionSettings = { ...base, mask: base.mask.map((r) => ({ ...r })) };
  if (o.enabled !== undefined) {
    if (typeof o.enabled !== "boolean") {
      throw bad(`Invalid motion enabled: ${quote(o.enabled)}: expected true or false`);
    }
    out.enabled = o.enabled;
  }
  if (o.fps !== undefined) {
    out.fps = numberIn("fps", o.fps, 0.1, MAX_MOTION_FPS, `0.1 to ${MAX_MOTION_FPS}`);
  }
  if (o.sensitivity !== undefined) {
    const s = numberIn("sensitivity", o.sensitivity, 1, 100, "an integer from 1 to 100");
    if (!Number.isInteger(s)) {
      throw bad(`Invalid motion sensitivity: ${quote(o.sensitivity)}: expected an integer`);
    }
    out.sensitivity = s;
  }
  if (o.minArea !== undefined) {
    out.minArea = numberIn("minArea", o.minArea, 0.0001, 1, "a fraction from 0.0001 to 1");
  }
  if (o.mask !== undefined) out.mask = parseMask(o.mask);
  return out;
}

function parseMask(raw: unknown): MotionRect[] {
  if (!Array.isArray(raw)) {
    throw bad(`Invalid motion mask: ${quote(raw)}: expected an array of rectangles`);
  }
  if (raw.length > MAX_MASK_RECTS) {
    throw bad(`Invalid motion mask: ${raw.length} rectangles: at most ${MAX_MASK_RECTS}`);
  }
  return raw.map((r, i) => {
    const keys = typeof r === "object" && r !== null ? Object.keys(r).sort().join() : "";
    if (keys !== "h,w,x,y") {
      throw bad(`Invalid motion mask[${i}]: ${quote(r)}: expected {x, y, w, h}`);
    }
    const rect = r as Record<string, unknown>;
    const fields = ["x", "y", "w", "h"] as const;
    for (const f of fields) {
      const v = rect[f];
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) {
        throw bad(`Invalid motion mask[${i}].${f}: ${quote(v)}: expected a number from 0 to 1`);
      }
    }
    const { x, y, w, h } = rect as unknown as MotionRect;
    // A hair of slack: a rectangle drawn to the picture's edge in a browser may round past 1.
    if (w <= 0 || h <= 0 || x + w > 1 + 1e-9 || y + h > 1 + 1e-9) {
      throw bad(
        `Invalid motion mask[${i}]: ${quote(r)}: must have a size and lie inside the picture`,
      );
    }
    return { x, y, w, h };
  });
}

function numberIn(name: string, v: unknown, min: number, max: number, expected: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw bad(`Invalid motion ${name}: ${quote(v)}: expected ${expected}`);
  }
  return v;
}

function bad(message: string): TrustcamError {
  return new TrustcamError("TC_ERR_BAD_REQUEST", message);
}
