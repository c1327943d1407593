/**
 * The mask editor's geometry: where the picture lies in its box (the canvas is drawn
 * `object-contain`), a pointer to picture coordinates 0-1, a drag to a rectangle, a
 * rectangle's field edited in percent from the keyboard. Pure; rectangles as the hub takes
 * them (lib/motion_settings.ts: inside the picture, with a size).
 */

/** A rectangle in picture coordinates, each 0-1. */
export interface UnitRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface UnitPoint {
  x: number;
  y: number;
}

/** A box on screen, px. */
export interface ScreenBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A drag smaller than this (either side) is a click, not a rectangle. */
export const MIN_RECT = 0.01;

/** Four decimals: a tenth of a pixel at 1600 px, and short JSON. */
const PLACES = 1e4;

/**
 * Where an `imgW` × `imgH` picture is drawn inside `box` by `object-contain`: centred, as
 * large as fits, letterboxed. The whole box when the size is unknown.
 */
export function containedBox(box: ScreenBox, imgW: number, imgH: number): ScreenBox {
  if (!(imgW > 0 && imgH > 0 && box.width > 0 && box.height > 0)) return box;
  const scale = Math.min(box.width / imgW, box.height / imgH);
  const width = imgW * scale;
  const height = imgH * scale;
  return {
    left: box.left + (box.width - width) / 2,
    top: box.top + (box.height - height) / 2,
    width,
    height,
  };
}

/** A pointer at (x, y) on screen in picture coordinates, clamped to the picture. */
export function toUnit(pic: ScreenBox, x: number, y: number): UnitPoint {
  return {
    x: clamp01(pic.width > 0 ? (x - pic.left) / pic.width : 0),
    y: clamp01(pic.height > 0 ? (y - pic.top) / pic.height : 0),
  };
}

/**
 * The rectangle a drag from `a` to `b` spans, whichever way it went, rounded to four places
 * and kept inside the picture; undefined when smaller than {@link MIN_RECT} either way.
 */
export function dragRect(a: UnitPoint, b: UnitPoint): UnitRect | undefined {
  const x0 = round(clamp01(Math.min(a.x, b.x)));
  const y0 = round(clamp01(Math.min(a.y, b.y)));
  const x1 = round(clamp01(Math.max(a.x, b.x)));
  const y1 = round(clamp01(Math.max(a.y, b.y)));
  if (x1 - x0 < MIN_RECT || y1 - y0 < MIN_RECT) return undefined;
  return { x: x0, y: y0, w: round(x1 - x0), h: round(y1 - y0) };
}

/**
 * `r` with one field set from a percentage typed in (0-100): the position moves the
 * rectangle, the size grows or shrinks it, both kept inside the picture and at least
 * {@link MIN_RECT}. Unchanged for a value that is not a number.
 */
export function setPercent(r: UnitRect, field: keyof UnitRect, percent: number): UnitRect {
  if (!Number.isFinite(percent)) return r;
  const v = clamp01(percent / 100);
  const out = { ...r };
  if (field === "x") out.x = Math.min(v, 1 - r.w);
  else if (field === "y") out.y = Math.min(v, 1 - r.h);
  else if (field === "w") out.w = Math.max(MIN_RECT, Math.min(v, 1 - r.x));
  else out.h = Math.max(MIN_RECT, Math.min(v, 1 - r.y));
  return { x: round(out.x), y: round(out.y), w: round(out.w), h: round(out.h) };
}

/** A rectangle field as the inputs show it: percent, one decimal at most. */
export function toPercent(v: number): number {
  return Math.round(v * 1000) / 10;
}

/** Where a rectangle is drawn over the picture, CSS percentages of the picture's box. */
export function rectStyle(
  r: UnitRect,
): { left: string; top: string; width: string; height: string } {
  const pct = (v: number) => `${toPercent(v)}%`;
  return { left: pct(r.x), top: pct(r.y), width: pct(r.w), height: pct(r.h) };
}

/** A new rectangle for the keyboard ("Add rectangle"): the middle quarter of the picture. */
export const CENTER_RECT: Readonly<UnitRect> = Object.freeze({ x: 0.25, y: 0.25, w: 0.5, h: 0.5 });

function round(v: number): number {
  return Math.round(v * PLACES) / PLACES;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : Number.isNaN(v) ? 0 : v;
}
