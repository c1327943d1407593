/**
 * What the hub's motion tests stream: the synthetic scene of harness/motion_scene.ts as small
 * colour JPEGs (sharp), a still background then a square crossing it, sent by a device at a
 * camera's pace so the analyzer sees the frames a real camera would send.
 */
import sharp from "sharp";
import { type SceneFrame, sceneLuma } from "./motion_scene.ts";

export const SCENE_WIDTH = 320;
export const SCENE_HEIGHT = 240;

export async function sceneJpeg(frame: Omit<SceneFrame, "width" | "height">): Promise<Uint8Array> {
  const { luma } = sceneLuma({ width: SCENE_WIDTH, height: SCENE_HEIGHT, ...frame });
  const out = await sharp(luma, { raw: { width: SCENE_WIDTH, height: SCENE_HEIGHT, channels: 1 } })
    .toColourspace("srgb").jpeg({ quality: 80 }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * `still` frames of the background, then `moving` frames of a square crossing it left to
 * right, then `after` still frames.
 */
export async function crossingScene(
  o: { still: number; moving: number; after: number },
): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  const total = o.still + o.moving + o.after;
  for (let i = 0; i < total; i++) {
    const m = i - o.still;
    const square = m >= 0 && m < o.moving
      ? { x: 10 + Math.round((m * (SCENE_WIDTH - 70)) / o.moving), y: 90, size: 50 }
      : undefined;
    frames.push(await sceneJpeg({ index: i, noise: 4, square }));
  }
  return frames;
}

/** Sends each frame `intervalMs` after the previous one, as a camera at that rate would. */
export async function streamAtPace(
  ws: { send(d: Uint8Array, cb: (err?: Error) => void): void },
  frames: Uint8Array[],
  intervalMs: number,
  onSent?: (i: number) => void,
): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < frames.length; i++) {
    const due = t0 + i * intervalMs - performance.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    await new Promise<void>((resolve, reject) =>
      ws.send(frames[i], (e) => e ? reject(e) : resolve())
    );
    onSent?.(i);
  }
}
