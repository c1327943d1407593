/**
 * JPEG decoding for motion analysis, by libvips (sharp) on its own threads: nothing of the
 * picture is decoded in JavaScript.
 *
 * Shrink-on-load: libjpeg can decode straight to 1/2, 1/4 or 1/8 of the size by scaling the
 * DCT, so the 1/8 decode never builds the full picture (the entropy decoding still reads all
 * the coefficients, which is most of what is left). sharp asks for it when `fastShrinkOnLoad`
 * is on and the target is at least 8 times smaller, but drops to 1/4 when the ratio is exactly
 * 8 (libjpeg rounding), hence the default width of 64 rather than 80: from VGA, 720p or 1080p
 * it is a 1/8 decode plus a small resize (motion_decode_test.ts checks it on a picture whose
 * 8x8 blocks differ only inside). From VGA that costs about a third of a full decode.
 */
import sharp from "sharp";
import { type LumaImage, MOTION_WIDTH } from "../lib/motion_model.ts";
import { readComment, withComment } from "../lib/jpeg_com.ts";

// One libvips worker per operation: an analysis picture is far too small to split, and the
// analyzer's own cap then bounds the threads motion can keep busy. No operation cache: every
// frame is new, and the cache would keep up to 50 MB of decoded pictures alive for nothing.
sharp.concurrency(1);
sharp.cache(false);

/**
 * Decodes a JPEG to greyscale at `width` pixels wide (never enlarged), keeping the aspect
 * ratio. `jpeg` may be a view into a larger buffer (a relayed frame with its trailer). A
 * truncated JPEG is refused rather than decoded with a grey remainder that would look like
 * motion; libjpeg's lesser warnings (stray bytes some cameras write) are tolerated.
 */
export async function decodeLuma(jpeg: Uint8Array, width = MOTION_WIDTH): Promise<LumaImage> {
  const { data, info } = await sharp(jpeg, { failOn: "truncated" })
    .resize(width, null, { fastShrinkOnLoad: true, withoutEnlargement: true })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) {
    throw new Error(`Expected one channel from the greyscale decode, got ${info.channels}`);
  }
  return {
    width: info.width,
    height: info.height,
    luma: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** A small JPEG of a frame for an event's thumbnail (shrink-on-load too). */
export async function motionThumbnail(jpeg: Uint8Array, width = 320): Promise<Uint8Array> {
  const out = await sharp(jpeg, { failOn: "truncated" })
    .resize(width, null, { fastShrinkOnLoad: true, withoutEnlargement: true })
    .jpeg({ quality: 70 })
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * A thin link's frame (lib/thin_link.ts): `width` pixels wide (never enlarged) at `quality`,
 * shrink-on-load. The frame's COM segment (the sim cameras' send time, a recording's capture
 * time) is carried over: sharp drops it, and camera-to-screen latency is read from it.
 */
export async function reduceJpeg(
  jpeg: Uint8Array,
  width: number,
  quality: number,
): Promise<Uint8Array> {
  const out = await sharp(jpeg, { failOn: "truncated" })
    .resize(width, null, { fastShrinkOnLoad: true, withoutEnlargement: true })
    .jpeg({ quality })
    .toBuffer();
  const reduced = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const comment = readComment(jpeg);
  return comment === undefined ? reduced : withComment(reduced, comment);
}
