import assert from "node:assert/strict";
import { checkJpegStructure } from "./jpeg_structure.ts";
import { renderFrame } from "../sim/frames.ts";
import { hexBytes, JPEG_EOI, JPEG_SOF0, JPEG_SOI, JPEG_SOS } from "../harness/fake_jpeg.ts";

const SOI = JPEG_SOI;
const EOI = JPEG_EOI;
const SOF0 = JPEG_SOF0;
const SOS = JPEG_SOS;
const APP0 = hexBytes("ff e0 00 06 4a 46 49 46"); // "JFIF", length 6
const SCAN = hexBytes("12 34 ff 00 56");

const bytes = (...parts: number[][]) => new Uint8Array(parts.flat());
const sof = (width: number, height: number) => {
  const s = [...SOF0];
  s[5] = height >> 8;
  s[6] = height & 0xff;
  s[7] = width >> 8;
  s[8] = width & 0xff;
  return s;
};

Deno.test("checkJpegStructure() reads SOI, segments, SOF, SOS and EOI", () => {
  const r = checkJpegStructure(bytes(SOI, APP0, SOF0, SOS, SCAN, EOI), 4096);
  assert.deepEqual(r, { ok: true, info: { width: 320, height: 240 } });
  // Fill bytes before a marker are allowed.
  const filled = checkJpegStructure(bytes(SOI, [0xff, 0xff], SOF0, SOS, SCAN, EOI), 4096);
  assert.equal(filled.ok, true);
});

Deno.test("checkJpegStructure() refuses the 4-byte FFD8FFD9 'frame' and other shells", () => {
  const cases: [Uint8Array, string, string][] = [
    [bytes(SOI, EOI), "no_sof", "No frame header (SOF)"],
    [bytes(SOI, [1, 2, 3], EOI), "bad_marker", "Expected a marker at byte 2, found 01"],
    [bytes(SOI, APP0, EOI), "no_sof", "No frame header (SOF)"],
    [bytes(SOI, SOF0, EOI), "no_sos", "No scan (SOS) before EOI"],
    [bytes(SOI, SOS, SCAN, EOI), "no_sof", "Scan (SOS) before any frame header (SOF)"],
    [bytes([0x89, 0x50], SOF0, EOI), "no_soi", "Frame does not start with SOI (FF D8)"],
    [bytes(SOI, SOF0, SOS, SCAN), "no_eoi", "Frame does not end with EOI (FF D9): truncated"],
    [new Uint8Array(0), "no_soi", "Frame does not start with SOI (FF D8)"],
  ];
  for (const [data, problem, detail] of cases) {
    assert.deepEqual(checkJpegStructure(data, 4096), { ok: false, problem, detail });
  }
});

Deno.test("checkJpegStructure() refuses segments that overrun or lie about their length", () => {
  const long = [0xff, 0xe1, 0x10, 0x00, 0x01]; // claims 4096 bytes
  assert.deepEqual(checkJpegStructure(bytes(SOI, long, EOI), 4096), {
    ok: false,
    problem: "truncated",
    detail: "Segment FF E1 at byte 2 claims 4096 bytes",
  });
  const tiny = [0xff, 0xe1, 0x00, 0x01];
  assert.equal(
    (checkJpegStructure(bytes(SOI, tiny, SOF0, SOS, EOI), 4096) as { problem: string }).problem,
    "truncated",
  );
  const shortSof = [0xff, 0xc0, 0x00, 0x04, 0x08, 0x00];
  assert.deepEqual(checkJpegStructure(bytes(SOI, shortSof, SOS, EOI), 4096), {
    ok: false,
    problem: "truncated",
    detail: "Frame header at byte 2 is 4 bytes",
  });
  const restart = [0xff, 0xd0];
  assert.equal(
    (checkJpegStructure(bytes(SOI, restart, SOF0, SOS, EOI), 4096) as { problem: string }).problem,
    "bad_marker",
  );
  assert.equal(
    (checkJpegStructure(bytes(SOI, SOF0, SOF0, SOS, EOI), 4096) as { problem: string }).problem,
    "bad_marker",
  );
});

Deno.test("checkJpegStructure() bounds width and height by maxDimension", () => {
  const at = (w: number, h: number, max: number) =>
    checkJpegStructure(bytes(SOI, sof(w, h), SOS, SCAN, EOI), max);
  assert.equal(at(4096, 4096, 4096).ok, true);
  assert.deepEqual(at(4097, 10, 4096), {
    ok: false,
    problem: "bad_dimensions",
    detail: "Frame size 4097x10 outside 1..4096",
  });
  assert.equal((at(0, 10, 4096) as { problem: string }).problem, "bad_dimensions");
  assert.equal((at(65535, 65535, 4096) as { problem: string }).problem, "bad_dimensions");
  assert.equal((at(640, 480, 320) as { problem: string }).problem, "bad_dimensions");
});

Deno.test("checkJpegStructure() accepts what a real encoder writes", () => {
  for (const size of ["qvga", "vga"] as const) {
    const jpeg = renderFrame({ serial: "0123A1B2C3D4E5F6A7", size, count: 1 }, 0);
    const r = checkJpegStructure(jpeg, 4096);
    assert.deepEqual(r, {
      ok: true,
      info: size === "qvga" ? { width: 320, height: 240 } : { width: 640, height: 480 },
    });
  }
  const ffmpeg = new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=160x120",
      "-frames:v",
      "1",
      "-f",
      "mjpeg",
      "-",
    ],
    stdout: "piped",
  }).outputSync();
  assert.ok(ffmpeg.success);
  assert.deepEqual(checkJpegStructure(ffmpeg.stdout, 4096), {
    ok: true,
    info: { width: 160, height: 120 },
  });
});
