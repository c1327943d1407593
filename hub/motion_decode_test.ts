import assert from "node:assert/strict";
import sharp from "sharp";
import { decodeLuma, motionThumbnail } from "./motion_decode.ts";
import { MOTION_WIDTH } from "../lib/motion_model.ts";
import { renderFrame } from "../sim/frames.ts";

const SERIAL = "0123A1B2C3D4E5F6A7";

function greyJpeg(width: number, height: number, luma: Uint8Array): Promise<Uint8Array> {
  return sharp(luma, { raw: { width, height, channels: 1 } }).jpeg({ quality: 100 }).toBuffer();
}

Deno.test("decodeLuma() gives a 64 px wide greyscale picture of a camera's VGA frame", async () => {
  const jpeg = renderFrame({ serial: SERIAL, size: "vga", count: 4 }, 0);
  const img = await decodeLuma(jpeg);
  assert.deepEqual([img.width, img.height, img.luma.length], [MOTION_WIDTH, 48, MOTION_WIDTH * 48]);
  const full = await sharp(jpeg).greyscale().raw().toBuffer();
  const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(img.luma) - mean(full)) < 2, "same brightness as the full picture");
});

Deno.test("decodeLuma() decodes VGA and 720p at 1/8 in libjpeg (shrink-on-load)", async () => {
  // Every 8x8 block of the JPEG averages 128 but is split in halves of 0 and 255 along an
  // orientation that varies from block to block. A 1/8 DCT decode keeps only each block's
  // average, so its picture is flat; any decode that sees inside the blocks is not.
  for (const [width, height] of [[640, 480], [1280, 720]]) {
    const luma = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const block = (x >> 3) * 7 + (y >> 3) * 13;
        const half = block % 3 === 0 ? x & 4 : y & 4;
        luma[y * width + x] = half ? 255 : 0;
      }
    }
    const jpeg = await greyJpeg(width, height, luma);
    const img = await decodeLuma(jpeg);
    const spread = Math.max(...img.luma) - Math.min(...img.luma);
    assert.ok(spread <= 4, `${width}x${height}: flat picture expected, spread ${spread}`);
    // Control: the same resize of the fully decoded picture does see the blocks.
    const full = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    const resized = await sharp(full.data, { raw: { width, height, channels: 1 } })
      .resize(MOTION_WIDTH).raw().toBuffer();
    const fullSpread = Math.max(...resized) - Math.min(...resized);
    assert.ok(fullSpread > 40, `${width}x${height}: control spread ${fullSpread}`);
  }
});

Deno.test("decodeLuma() reads a JPEG that is a view into a relayed frame", async () => {
  const jpeg = renderFrame({ serial: SERIAL, size: "qvga", count: 4 }, 1);
  const frame = new Uint8Array(7 + jpeg.length + 18).fill(0x5a);
  frame.set(jpeg, 7);
  const view = frame.subarray(7, 7 + jpeg.length);
  assert.deepEqual(await decodeLuma(view), await decodeLuma(jpeg));
});

Deno.test("decodeLuma() refuses a truncated JPEG and does not enlarge a small one", async () => {
  const jpeg = renderFrame({ serial: SERIAL, size: "qvga", count: 4 }, 1);
  await assert.rejects(decodeLuma(jpeg.subarray(0, jpeg.length >> 1)));
  const small = await greyJpeg(32, 24, new Uint8Array(32 * 24).fill(90));
  const img = await decodeLuma(small);
  assert.deepEqual([img.width, img.height], [32, 24]);
});

Deno.test("motionThumbnail() is a 320 px wide JPEG", async () => {
  const thumb = await motionThumbnail(renderFrame({ serial: SERIAL, size: "vga", count: 4 }, 2));
  const meta = await sharp(thumb).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ["jpeg", 320, 240]);
});
