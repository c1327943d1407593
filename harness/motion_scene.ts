/**
 * Synthetic greyscale scenes for the motion tests: a textured still background (a gradient
 * plus a fixed pattern, like a room), optional per-frame sensor noise, a global brightness
 * change (exposure, lights on) and a bright square. Reproducible: every random value comes from
 * an integer hash of the seed, the pixel and the frame.
 */
import type { LumaImage } from "../lib/motion_model.ts";

export interface SceneFrame {
  width: number;
  height: number;
  /** Frame number, for the noise. */
  index: number;
  /** Noise amplitude: each pixel moves by a uniform integer in [-noise, noise]. */
  noise?: number;
  /** Brightness applied to the whole scene: `luma * gain + offset`, clamped to 0-255. */
  gain?: number;
  offset?: number;
  /** A filled square, in pixels of this frame, drawn after the brightness change. */
  square?: { x: number; y: number; size: number; luma?: number };
}

export function sceneLuma(f: SceneFrame): LumaImage {
  const { width, height } = f;
  const luma = new Uint8Array(width * height);
  const gain = f.gain ?? 1;
  const offset = f.offset ?? 0;
  const noise = f.noise ?? 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Texture on a coarse grid so it survives the analyzer's downscaling.
      const cell = hash(Math.floor((x * 16) / width), Math.floor((y * 12) / height), 7);
      let v = 50 + (90 * y) / height + ((cell & 31) - 16);
      v = v * gain + offset;
      if (noise > 0) v += (hash(x, y, f.index + 1000) % (2 * noise + 1)) - noise;
      luma[y * width + x] = clamp(v);
    }
  }
  const sq = f.square;
  if (sq !== undefined) {
    for (let y = Math.max(0, sq.y); y < Math.min(height, sq.y + sq.size); y++) {
      for (let x = Math.max(0, sq.x); x < Math.min(width, sq.x + sq.size); x++) {
        luma[y * width + x] = sq.luma ?? 235;
      }
    }
  }
  return { width, height, luma };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x27d4eb2d) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
