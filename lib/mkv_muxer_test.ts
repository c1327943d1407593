import assert from "node:assert/strict";
import { hexBytes } from "../harness/fake_jpeg.ts";
import { mkvFrame, mkvHeader, sizeBytes } from "./mkv_muxer.ts";

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0).toString(16)).join(" ");

Deno.test("sizeBytes() writes EBML sizes in the fewest bytes, never the all-ones value", () => {
  assert.deepEqual(sizeBytes(0), [0x80]);
  assert.deepEqual(sizeBytes(126), [0xfe]);
  // 127 in one byte would be 0xFF, "unknown size".
  assert.deepEqual(sizeBytes(127), [0x40, 0x7f]);
  assert.deepEqual(sizeBytes(0x3ffe), [0x7f, 0xfe]);
  assert.deepEqual(sizeBytes(0x3fff), [0x20, 0x3f, 0xff]);
  assert.deepEqual(sizeBytes(60_000), [0x20, 0xea, 0x60]);
  assert.throws(() => sizeBytes(-1), { message: 'Invalid EBML size: "-1"' });
  assert.throws(() => sizeBytes(1.5), { message: 'Invalid EBML size: "1.5"' });
});

Deno.test("mkvHeader() writes the EBML header, a streaming Segment, Info in ms and one MJPEG track", () => {
  const expected = hexBytes(
    // EBML: version 1, read version 1, max ID 4, max size 8, "matroska" v4 (readable by v2).
    "1a 45 df a3 a3 42 86 81 01 42 f7 81 01 42 f2 81 04 42 f3 81 08" +
      ` 42 82 88 ${ascii("matroska")} 42 87 81 04 42 85 81 02` +
      // Segment of unknown size.
      " 18 53 80 67 01 ff ff ff ff ff ff ff" +
      // Info: TimestampScale 1 000 000 ns, muxing and writing app.
      ` 15 49 a9 66 9d 2a d7 b1 83 0f 42 40 4d 80 88 ${ascii("trustcam")} 57 41 88 ${
        ascii("trustcam")
      }` +
      // Tracks: number 1, UID 1, video, no lacing, V_MJPEG, 640x480.
      ` 16 54 ae 6b a2 ae a0 d7 81 01 73 c5 81 01 83 81 01 9c 81 00 86 87 ${ascii("V_MJPEG")}` +
      " e0 88 b0 82 02 80 ba 82 01 e0",
  );
  assert.deepEqual([...mkvHeader({ width: 640, height: 480 })], expected);
});

Deno.test("mkvFrame() puts a JPEG in a Cluster at its time as a keyframe SimpleBlock", () => {
  const jpeg = new Uint8Array(hexBytes("ff d8 ff d9"));
  assert.deepEqual(
    [...mkvFrame(300, jpeg)],
    hexBytes("1f 43 b6 75 8e e7 82 01 2c a3 88 81 00 00 80 ff d8 ff d9"),
  );
  // Time 0 is one zero byte; a frame past 127 bytes takes a two-byte size.
  const big = new Uint8Array(200).fill(0x55);
  const frame = mkvFrame(0, big);
  assert.deepEqual(
    [...frame.subarray(0, 14)],
    hexBytes("1f 43 b6 75 40 d2 e7 81 00 a3 40 cc 81 00"),
  );
  assert.equal(frame.length, 4 + 2 + 3 + 3 + 4 + 200);
  assert.deepEqual(frame.subarray(frame.length - 200), big);
});
