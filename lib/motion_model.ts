/**
 * Per-camera motion analysis on a small greyscale picture: a running background (an
 * exponential moving average, learnt slowly where something changed so a passer-by does not
 * burn into it), a per-pixel difference against it after global brightness compensation, a
 * neighbour filter against speckle, and the changed fraction of the unmasked picture as the
 * score. Pure: the caller decodes and keeps the time.
 *
 * Brightness: the background is scaled by the ratio of the mean luma of the picture to that of
 * the background before comparing, so an exposure or lights-on step that brightens the whole
 * scene cancels out. A change the ratio cannot explain that still covers most of the picture (a
 * lamp lighting half the room) re-seeds the background instead of starting an event that would
 * last until the background had learnt the new scene; a smaller one is motion until the
 * foreground rate has learnt it, a few seconds (motion_model_test.ts: at most 8 s).
 */
import { type MotionRect, type MotionSettings, pixelThreshold } from "./motion_settings.ts";

/** Analysis width in pixels: hub/motion_decode.ts says why 64. */
export const MOTION_WIDTH = 64;

/** A decoded picture: one byte of luma per pixel, row by row. */
export interface LumaImage {
  width: number;
  height: number;
  luma: Uint8Array;
}

/** The result of one analysis. */
export interface MotionSample {
  /** Time of the picture, epoch ms. */
  at: number;
  /** Whether the score reached the settings' `minArea`. */
  motion: boolean;
  /** Changed fraction of the unmasked picture, 0-1. */
  score: number;
  /** Where the changed pixels are, normalized 0-1; undefined when none changed. */
  box: MotionRect | undefined;
  /** The background was (re)started from this picture: first one, new size, or a scene change. */
  reseeded: boolean;
}

export interface MotionModelOptions {
  /** Time constant of the background where nothing changed. */
  backgroundTauMs?: number;
  /**
   * Time constant where something changed: an object that stops (a parked car) becomes
   * background after a few of these.
   */
  foregroundTauMs?: number;
  /** Changed fraction of the unmasked picture above which the scene re-seeds. */
  sceneChange?: number;
}

const DEFAULTS: Required<MotionModelOptions> = {
  backgroundTauMs: 2_000,
  foregroundTauMs: 10_000,
  sceneChange: 0.5,
};

/** Longest gap between two pictures that still learns at the time-based rate. */
const MAX_GAP_MS = 10_000;

export class MotionModel {
  #opts: Required<MotionModelOptions>;
  #bg: Float32Array | undefined;
  #width = 0;
  #height = 0;
  #lastAt = 0;
  #changed = new Uint8Array(0);
  #maskKey = "";
  /** 1 where the mask ignores the pixel. */
  #masked = new Uint8Array(0);
  #unmasked = 0;

  constructor(options: MotionModelOptions = {}) {
    this.#opts = { ...DEFAULTS, ...options };
  }

  /** Forgets the background: the next picture seeds it. */
  reset(): void {
    this.#bg = undefined;
  }

  analyze(image: LumaImage, at: number, settings: MotionSettings): MotionSample {
    const { width, height, luma } = image;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`Invalid picture size: "${width}x${height}"`);
    }
    const n = width * height;
    if (luma.length !== n) {
      throw new RangeError(`Luma length ${luma.length} does not match ${width}x${height}`);
    }
    this.#prepareMask(width, height, settings.mask);
    const bg = this.#bg;
    if (bg === undefined || width !== this.#width || height !== this.#height) {
      return this.#seed(image, at);
    }
    const dt = Math.min(Math.max(at - this.#lastAt, 0), MAX_GAP_MS);
    this.#lastAt = at;
    const aBg = 1 - Math.exp(-dt / this.#opts.backgroundTauMs);
    const aFg = 1 - Math.exp(-dt / this.#opts.foregroundTauMs);
    const masked = this.#masked;
    const unmasked = this.#unmasked;
    if (unmasked === 0) return { at, motion: false, score: 0, box: undefined, reseeded: false };

    let sumF = 0;
    let sumB = 0;
    for (let i = 0; i < n; i++) {
      if (masked[i]) continue;
      sumF += luma[i];
      sumB += bg[i];
    }
    // A near-black background has no meaningful ratio; the scene-change rule covers lights on.
    const gain = sumB >= unmasked ? Math.min(Math.max(sumF / sumB, 0.2), 5) : 1;

    const threshold = pixelThreshold(settings.sensitivity);
    const changed = this.#changed;
    let raw = 0;
    for (let i = 0; i < n; i++) {
      const expected = Math.min(bg[i] * gain, 255);
      const c = !masked[i] && Math.abs(luma[i] - expected) > threshold ? 1 : 0;
      changed[i] = c;
      raw += c;
      bg[i] = expected + (c ? aFg : aBg) * (luma[i] - expected);
    }
    if (raw > this.#opts.sceneChange * unmasked) return this.#seed(image, at);

    // Keep a changed pixel only when at least two of its four neighbours changed too: sensor
    // and JPEG speckle is isolated, objects are not.
    let kept = 0;
    let x0 = width, y0 = height, x1 = -1, y1 = -1;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const i = row + x;
        if (!changed[i]) continue;
        const nb = (x > 0 ? changed[i - 1] : 0) + (x < width - 1 ? changed[i + 1] : 0) +
          (y > 0 ? changed[i - width] : 0) + (y < height - 1 ? changed[i + width] : 0);
        if (nb < 2) continue;
        kept++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    const score = kept / unmasked;
    const box = kept === 0 ? undefined : {
      x: x0 / width,
      y: y0 / height,
      w: (x1 + 1 - x0) / width,
      h: (y1 + 1 - y0) / height,
    };
    return { at, motion: kept > 0 && score >= settings.minArea, score, box, reseeded: false };
  }

  #seed(image: LumaImage, at: number): MotionSample {
    const n = image.width * image.height;
    if (this.#bg === undefined || this.#bg.length !== n) {
      this.#bg = new Float32Array(n);
      this.#changed = new Uint8Array(n);
    }
    this.#bg.set(image.luma);
    this.#width = image.width;
    this.#height = image.height;
    this.#lastAt = at;
    return { at, motion: false, score: 0, box: undefined, reseeded: true };
  }

  /** Rasterizes the mask at this size once per change: a pixel is masked if its centre is. */
  #prepareMask(width: number, height: number, mask: readonly MotionRect[]): void {
    const key = `${width}x${height}:${JSON.stringify(mask)}`;
    if (key === this.#maskKey) return;
    this.#maskKey = key;
    const masked = new Uint8Array(width * height);
    for (const r of mask) {
      const xa = Math.max(0, Math.ceil(r.x * width - 0.5));
      const xb = Math.min(width, Math.ceil((r.x + r.w) * width - 0.5));
      const ya = Math.max(0, Math.ceil(r.y * height - 0.5));
      const yb = Math.min(height, Math.ceil((r.y + r.h) * height - 0.5));
      for (let y = ya; y < yb; y++) masked.fill(1, y * width + xa, y * width + xb);
    }
    let unmasked = 0;
    for (let i = 0; i < masked.length; i++) unmasked += masked[i] ^ 1;
    this.#masked = masked;
    this.#unmasked = unmasked;
  }
}
