/**
 * Frames for the simulated cameras: a background distinct per serial, a shape that moves
 * around a closed path (so a loop of frames cycles without a jump), the serial and a UTC
 * clock drawn with sim/font5x7.ts, encoded as baseline JPEG by jpeg-js. Sensor-like noise
 * brings the sizes near a real OV2640 at the same resolution (VGA about 60 KB), so the
 * simulators load the hub like real cameras do.
 */

import jpeg from "jpeg-js";
import { drawText, fillRect, GLYPH_HEIGHT, textWidth } from "./font5x7.ts";

export type FrameSize = "qvga" | "vga";

export const FRAME_DIMENSIONS: Readonly<Record<FrameSize, { width: number; height: number }>> = {
  qvga: { width: 320, height: 240 },
  vga: { width: 640, height: 480 },
};

/** jpeg-js quality (1-100) used when none is given. */
export const DEFAULT_QUALITY = 75;

export interface RenderOptions {
  serial: string;
  size: FrameSize;
  /** Frames in the loop; frame i shows the shape at phase i / count. */
  count: number;
  /** The time shown as HH:MM, in UTC; default now. */
  clock?: Date;
  /** jpeg-js quality, 1-100; default {@link DEFAULT_QUALITY}. */
  quality?: number;
}

/** Renders and encodes a whole loop; see {@link renderFrame} for one frame at a time. */
export function renderFrames(opts: RenderOptions): Uint8Array[] {
  checkOptions(opts);
  const clock = opts.clock ?? new Date();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < opts.count; i++) frames.push(renderFrame({ ...opts, clock }, i));
  return frames;
}

/**
 * Renders and encodes frame `index` of a loop of `count` frames. Callers that must stay
 * responsive (a camera that keeps sending while the next minute's loop is drawn) call this
 * once per macrotask instead of {@link renderFrames}.
 */
export function renderFrame(opts: RenderOptions, index: number): Uint8Array {
  checkOptions(opts);
  if (!Number.isInteger(index) || index < 0 || index >= opts.count) {
    throw new RangeError(`Frame index out of range: "${index}" not in 0..${opts.count - 1}`);
  }
  const { width, height } = FRAME_DIMENSIONS[opts.size];
  const rgba = drawFrame(opts.serial, width, height, index, opts.count, opts.clock ?? new Date());
  const quality = opts.quality ?? DEFAULT_QUALITY;
  // jpeg-js writes a baseline (SOF0) JFIF; it returns a Node Buffer, a Uint8Array subclass.
  const encoded = jpeg.encode({ data: rgba, width, height }, quality).data;
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

/** The clock text drawn on a frame: UTC hours and minutes. */
export function clockText(clock: Date): string {
  const hh = String(clock.getUTCHours()).padStart(2, "0");
  const mm = String(clock.getUTCMinutes()).padStart(2, "0");
  return `${hh}:${mm} UTC`;
}

/** Where the serial text is drawn, so tests can compare that region between serials. */
export function serialTextBox(size: FrameSize): { x: number; y: number; w: number; h: number } {
  const scale = textScale(size);
  const pad = 2 * scale;
  return {
    x: 0,
    y: 0,
    w: textWidth("0".repeat(18), scale) + 2 * pad,
    h: GLYPH_HEIGHT * scale + 2 * pad,
  };
}

function checkOptions(opts: RenderOptions): void {
  if (!(opts.size in FRAME_DIMENSIONS)) {
    throw new RangeError(`Unknown frame size: "${opts.size}" (expected qvga or vga)`);
  }
  if (!Number.isInteger(opts.count) || opts.count < 1) {
    throw new RangeError(`Frame count must be a positive integer: "${opts.count}"`);
  }
  const q = opts.quality;
  if (q !== undefined && (!Number.isInteger(q) || q < 1 || q > 100)) {
    throw new RangeError(`JPEG quality must be an integer from 1 to 100: "${q}"`);
  }
}

function textScale(size: FrameSize): number {
  return size === "vga" ? 3 : 2;
}

/** FNV-1a, so every serial gets its own stable colours and texture. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function hueToRgb(hue: number, sat: number, light: number): [number, number, number] {
  // HSL to RGB with hue in [0, 1).
  const q = light < 0.5 ? light * (1 + sat) : light + sat - light * sat;
  const p = 2 * light - q;
  const channel = (t: number) => {
    t = ((t % 1) + 1) % 1;
    if (t < 1 / 6) return p + (q - p) * 6 * t;
    if (t < 1 / 2) return q;
    if (t < 2 / 3) return p + (q - p) * (2 / 3 - t) * 6;
    return p;
  };
  return [
    Math.round(channel(hue + 1 / 3) * 255),
    Math.round(channel(hue) * 255),
    Math.round(channel(hue - 1 / 3) * 255),
  ];
}

function drawFrame(
  serial: string,
  width: number,
  height: number,
  index: number,
  count: number,
  clock: Date,
): Uint8Array {
  const seed = hash32(serial);
  const hue = (seed % 360) / 360;
  const top = hueToRgb(hue, 0.55, 0.62);
  const bottom = hueToRgb((hue + 0.12) % 1, 0.5, 0.28);
  const rgba = new Uint8Array(width * height * 4);

  // Background: vertical gradient plus a fixed texture (the "scene") and per-frame noise
  // (the "sensor"). Both come from an integer hash, so a loop is reproducible.
  let noise = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  for (let y = 0; y < height; y++) {
    const t = y / (height - 1);
    const r0 = top[0] + (bottom[0] - top[0]) * t;
    const g0 = top[1] + (bottom[1] - top[1]) * t;
    const b0 = top[2] + (bottom[2] - top[2]) * t;
    let i = y * width * 4;
    for (let x = 0; x < width; x++) {
      let s = (Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ seed) >>> 0;
      s = Math.imul(s ^ (s >>> 15), 0x85ebca6b) >>> 0;
      const texture = ((s >>> 24) & 31) - 16;
      noise ^= noise << 13;
      noise ^= noise >>> 17;
      noise ^= noise << 5;
      const grain = ((noise >>> 0) & 15) - 8;
      const d = texture + grain;
      rgba[i] = clamp(r0 + d);
      rgba[i + 1] = clamp(g0 + d);
      rgba[i + 2] = clamp(b0 + d);
      rgba[i + 3] = 255;
      i += 4;
    }
  }

  // A few fixed blocks per serial, so two cameras' scenes differ in shape as well as colour.
  let layout = seed;
  const nextLayout = () => {
    layout = (Math.imul(layout, 1664525) + 1013904223) >>> 0;
    return layout / 0x100000000;
  };
  for (let k = 0; k < 5; k++) {
    const w = Math.round(width * (0.08 + 0.15 * nextLayout()));
    const h = Math.round(height * (0.15 + 0.35 * nextLayout()));
    const x = Math.round((width - w) * nextLayout());
    const shade = hueToRgb((hue + 0.2 * nextLayout()) % 1, 0.3, 0.2 + 0.3 * nextLayout());
    fillRect(rgba, width, height, x, height - h - 6, w, h, shade);
  }

  // The moving shape: a square on a Lissajous path whose phase is index / count, so frame
  // count-1 leads smoothly into frame 0.
  const phase = (2 * Math.PI * index) / count;
  const side = Math.round(Math.min(width, height) / 6);
  const cx = width / 2 + (width / 2 - side) * 0.8 * Math.cos(phase);
  const cy = height / 2 + (height / 2 - side) * 0.6 * Math.sin(2 * phase);
  const accent = hueToRgb((hue + 0.5) % 1, 0.9, 0.55);
  fillRect(rgba, width, height, cx - side / 2, cy - side / 2, side, side, [20, 20, 20]);
  fillRect(rgba, width, height, cx - side / 2 + 3, cy - side / 2 + 3, side - 6, side - 6, accent);

  // A sweeping bar along the bottom edge, a second cue that the picture is live.
  const barW = Math.round(width / 8);
  const barX = Math.round(((index / count) * (width + barW)) - barW);
  fillRect(rgba, width, height, barX, height - 6, barW, 6, [255, 255, 255]);

  const scale = width >= 640 ? 3 : 2;
  const pad = 2 * scale;
  const lineH = GLYPH_HEIGHT * scale + 2 * pad;
  const sw = textWidth(serial, scale) + 2 * pad;
  fillRect(rgba, width, height, 0, 0, sw, lineH, [0, 0, 0]);
  drawText(rgba, width, height, pad, pad, serial, scale, [255, 255, 255]);

  // The clock goes top right, or under the serial when both do not fit on one line (QVGA).
  const time = clockText(clock);
  const tw = textWidth(time, scale) + 2 * pad;
  const [tx, ty] = sw + tw <= width ? [width - tw, 0] : [0, lineH];
  fillRect(rgba, width, height, tx, ty, tw, lineH, [0, 0, 0]);
  drawText(rgba, width, height, tx + pad, ty + pad, time, scale, [255, 255, 0]);
  return rgba;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v | 0;
}
