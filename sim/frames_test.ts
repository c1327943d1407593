import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { drawText, GLYPH_HEIGHT } from "./font5x7.ts";
import {
  clockText,
  FRAME_DIMENSIONS,
  type FrameSize,
  renderFrame,
  renderFrames,
  serialTextBox,
} from "./frames.ts";

const SERIAL_A = "0123CAFE0000000001";
const SERIAL_B = "0123CAFE00000000A7";
const CLOCK = new Date("2026-11-23T09:05:42Z");

function decode(frame: Uint8Array): { width: number; height: number; data: Uint8Array } {
  return jpeg.decode(frame, { useTArray: true, formatAsRGBA: true });
}

/** Runs ffprobe and a full ffmpeg decode; both must be silent at -v error. */
async function probe(frames: Uint8Array[]): Promise<{ codec_name: string; width: number }[]> {
  const dir = await Deno.makeTempDir({ prefix: "sim_frames_" });
  try {
    const results = [];
    for (const [i, frame] of frames.entries()) {
      const path = `${dir}/${i}.jpg`;
      await Deno.writeFile(path, frame);
      const out = await new Deno.Command("ffprobe", {
        args: [
          "-v",
          "error",
          "-show_entries",
          "stream=codec_name,width,height",
          "-of",
          "json",
          path,
        ],
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, `ffprobe failed on frame ${i}: ${stderr}`);
      assert.equal(stderr, "", `ffprobe complained about frame ${i}`);
      const streams = JSON.parse(new TextDecoder().decode(out.stdout)).streams;
      assert.equal(streams.length, 1);
      results.push(streams[0]);
      const full = await new Deno.Command("ffmpeg", {
        args: ["-v", "error", "-i", path, "-f", "null", "-"],
      }).output();
      assert.equal(full.code, 0);
      assert.equal(new TextDecoder().decode(full.stderr), "", `ffmpeg decode of frame ${i}`);
    }
    return results;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Pixels in the serial box where the decoded picture disagrees with the text's glyphs. */
function textMismatch(
  decoded: { width: number; data: Uint8Array },
  text: string,
  size: FrameSize,
): number {
  const { x, y, w, h } = serialTextBox(size);
  const expected = textPicture(text, size).data;
  let wrong = 0;
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const i = ((y + py) * decoded.width + x + px) * 4;
      const bright = decoded.data[i] > 128 && decoded.data[i + 1] > 128 &&
        decoded.data[i + 2] > 128;
      const want = expected[(py * w + px) * 4] === 255;
      if (bright !== want) wrong++;
    }
  }
  return wrong;
}

/** An undistorted picture of the serial box, as a decoded frame would ideally show it. */
function textPicture(text: string, size: FrameSize): { width: number; data: Uint8Array } {
  const { w, h } = serialTextBox(size);
  const scale = size === "vga" ? 3 : 2;
  const data = new Uint8Array(w * h * 4);
  drawText(data, w, h, 2 * scale, 2 * scale, text, scale, [255, 255, 255]);
  return { width: w, data };
}

function pixelDiff(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (
      Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 60
    ) {
      n++;
    }
  }
  return n;
}

for (const size of ["qvga", "vga"] as const) {
  Deno.test(`renderFrames() makes valid ${size} JPEGs that ffprobe and ffmpeg accept`, async () => {
    const frames = renderFrames({ serial: SERIAL_A, size, count: 4, clock: CLOCK });
    assert.equal(frames.length, 4);
    const { width, height } = FRAME_DIMENSIONS[size];
    for (const frame of frames) {
      assert.deepEqual([frame[0], frame[1]], [0xff, 0xd8]);
      assert.deepEqual([frame[frame.length - 2], frame[frame.length - 1]], [0xff, 0xd9]);
      // Baseline: an SOF0 marker, and no progressive SOF2.
      const hex = Array.from(frame.subarray(0, 1000), (b) => b.toString(16).padStart(2, "0"))
        .join("");
      assert.ok(hex.includes("ffc0"), "no SOF0 marker");
      assert.ok(!hex.includes("ffc2"), "progressive SOF2 marker");
      const decoded = decode(frame);
      assert.equal(decoded.width, width);
      assert.equal(decoded.height, height);
    }
    const probed = await probe(frames);
    assert.deepEqual(probed, frames.map(() => ({ codec_name: "mjpeg", width, height })));
  });
}

Deno.test("renderFrames() makes every frame differ from the next, around the loop", () => {
  const count = 6;
  const frames = renderFrames({ serial: SERIAL_A, size: "qvga", count, clock: CLOCK });
  const pixels = frames.map((f) => decode(f).data);
  for (let i = 0; i < count; i++) {
    const j = (i + 1) % count;
    assert.notDeepEqual(frames[i], frames[j], `frames ${i} and ${j} have the same bytes`);
    // The moving square alone changes hundreds of pixels between frames.
    const changed = pixelDiff(pixels[i], pixels[j]);
    assert.ok(changed > 500, `frames ${i} and ${j} differ in only ${changed} pixels`);
  }
});

Deno.test("renderFrames() draws the serial legibly and differently per serial", () => {
  for (const size of ["qvga", "vga"] as const) {
    const [a] = renderFrames({ serial: SERIAL_A, size, count: 1, clock: CLOCK });
    const [b] = renderFrames({ serial: SERIAL_B, size, count: 1, clock: CLOCK });
    const da = decode(a);
    const db = decode(b);
    // Each picture matches its own serial's glyphs and not the other's; the serials differ
    // in their last two characters, which is `apart` pixels of glyph.
    const apart = textMismatch(textPicture(SERIAL_A, size), SERIAL_B, size);
    assert.ok(apart > 50, `${size}: test serials too alike (${apart} pixels)`);
    const own = [textMismatch(da, SERIAL_A, size), textMismatch(db, SERIAL_B, size)];
    const other = [textMismatch(da, SERIAL_B, size), textMismatch(db, SERIAL_A, size)];
    for (const n of own) assert.ok(n < apart / 10, `${size}: ${n} pixels off its own serial`);
    for (const n of other) assert.ok(n > apart * 0.9, `${size}: ${n} of ${apart} pixels off`);
  }
});

Deno.test("renderFrames() shows the clock, so a new minute changes the picture", () => {
  const opts = { serial: SERIAL_A, size: "vga" as const, count: 1 };
  const [before] = renderFrames({ ...opts, clock: CLOCK });
  const [same] = renderFrames({ ...opts, clock: new Date("2026-11-23T09:05:01Z") });
  const [after] = renderFrames({ ...opts, clock: new Date("2026-11-23T09:06:00Z") });
  assert.deepEqual(before, same);
  const da = decode(before).data;
  const db = decode(after).data;
  // Only the top right corner (the clock box) may differ.
  const { width } = FRAME_DIMENSIONS.vga;
  const boxH = GLYPH_HEIGHT * 3 + 12;
  let inside = 0;
  let outside = 0;
  for (let p = 0; p < da.length / 4; p++) {
    const x = p % width;
    const y = Math.floor(p / width);
    const d = Math.abs(da[p * 4] - db[p * 4]) + Math.abs(da[p * 4 + 1] - db[p * 4 + 1]);
    if (d > 60) {
      if (y < boxH && x > width - 200) inside++;
      else outside++;
    }
  }
  assert.ok(inside > 20, `clock region changed in only ${inside} pixels`);
  assert.equal(outside, 0);
});

Deno.test("clockText() shows UTC hours and minutes", () => {
  assert.equal(clockText(CLOCK), "09:05 UTC");
  assert.equal(clockText(new Date("2026-01-01T23:59:59.999Z")), "23:59 UTC");
  assert.equal(clockText(new Date("2026-01-01T00:00:00Z")), "00:00 UTC");
});

Deno.test("renderFrame() is deterministic and matches renderFrames()", () => {
  const opts = { serial: SERIAL_B, size: "qvga" as const, count: 3, clock: CLOCK };
  const all = renderFrames(opts);
  assert.deepEqual(renderFrame(opts, 2), all[2]);
  assert.deepEqual(renderFrame(opts, 0), all[0]);
});

Deno.test("renderFrames() sizes are in a real camera's range, and grow with quality", () => {
  const avg = (frames: Uint8Array[]) => frames.reduce((n, f) => n + f.length, 0) / frames.length;
  const vga = avg(renderFrames({ serial: SERIAL_A, size: "vga", count: 2, clock: CLOCK }));
  const qvga = avg(renderFrames({ serial: SERIAL_A, size: "qvga", count: 2, clock: CLOCK }));
  assert.ok(vga > 40_000 && vga < 80_000, `VGA frame ${vga} bytes`);
  assert.ok(qvga > 10_000 && qvga < 25_000, `QVGA frame ${qvga} bytes`);
  const low = avg(renderFrames({ serial: SERIAL_A, size: "qvga", count: 2, quality: 30 }));
  assert.ok(low < qvga, `quality 30 (${low} bytes) not smaller than default (${qvga})`);
});

Deno.test("renderFrames() rejects bad options", () => {
  const serial = SERIAL_A;
  assert.throws(() => renderFrames({ serial, size: "hd" as FrameSize, count: 1 }), /"hd"/);
  assert.throws(() => renderFrames({ serial, size: "qvga", count: 0 }), /positive integer: "0"/);
  assert.throws(() => renderFrames({ serial, size: "qvga", count: 1, quality: 101 }), /"101"/);
  assert.throws(() => renderFrame({ serial, size: "qvga", count: 2 }, 2), /"2" not in 0..1/);
});
