import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import {
  readComment,
  readStamp,
  recordedAt,
  stampFrame,
  withComment,
  withRecordedAt,
} from "./jpeg_com.ts";
import { renderFrames } from "../sim/frames.ts";

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

// SOI, APP0 with a 4-byte payload, COM "hi", SOS, 2 bytes of scan, EOI.
const SAMPLE = new Uint8Array([
  0xff,
  0xd8,
  0xff,
  0xe0,
  0x00,
  0x06,
  0x4a,
  0x46,
  0x49,
  0x46,
  0xff,
  0xfe,
  0x00,
  0x04,
  ...ascii("hi"),
  0xff,
  0xda,
  0x00,
  0x02,
  0x12,
  0x34,
  0xff,
  0xd9,
]); // deno-fmt-ignore

Deno.test("readComment() finds a COM segment after other header segments", () => {
  assert.equal(readComment(SAMPLE), "hi");
});

Deno.test("readComment() returns the first of two COM segments", () => {
  const bytes = new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xfe,
    0x00,
    0x03,
    ...ascii("a"),
    0xff,
    0xfe,
    0x00,
    0x03,
    ...ascii("b"),
    0xff,
    0xd9,
  ]); // deno-fmt-ignore
  assert.equal(readComment(bytes), "a");
});

Deno.test("readComment() reads an empty comment", () => {
  assert.equal(readComment(new Uint8Array([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x02, 0xff, 0xd9])), "");
});

Deno.test("readComment() skips fill bytes and standalone markers", () => {
  const bytes = new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xff,
    0xff,
    0xd0,
    0xff,
    0x01,
    0xff,
    0xff,
    0xfe,
    0x00,
    0x04,
    ...ascii("ok"),
  ]); // deno-fmt-ignore
  assert.equal(readComment(bytes), "ok");
});

Deno.test("readComment() stops at SOS: a COM inside scan data is not a header comment", () => {
  const bytes = new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xda,
    0x00,
    0x02,
    0xff,
    0xfe,
    0x00,
    0x04,
    ...ascii("no"),
    0xff,
    0xd9,
  ]); // deno-fmt-ignore
  assert.equal(readComment(bytes), undefined);
});

Deno.test("readComment() returns undefined without SOI, on EOI, or with no COM", () => {
  assert.equal(readComment(new Uint8Array([])), undefined);
  assert.equal(readComment(new Uint8Array([0xff])), undefined);
  assert.equal(readComment(new Uint8Array([0x00, 0xd8, 0xff, 0xfe, 0x00, 0x02])), undefined);
  assert.equal(readComment(new Uint8Array([0xff, 0xd8])), undefined);
  assert.equal(readComment(new Uint8Array([0xff, 0xd8, 0xff, 0xd9])), undefined);
  assert.equal(readComment(new Uint8Array([0xff, 0xd8, 0xff, 0xd8])), undefined);
  assert.equal(readComment(SAMPLE.subarray(0, 10)), undefined);
});

Deno.test("readComment() returns undefined for truncated segments", () => {
  // Cut at every position: no prefix may throw, and only the complete COM is readable.
  for (let end = 0; end <= SAMPLE.byteLength; end++) {
    const got = readComment(SAMPLE.subarray(0, end));
    assert.equal(got, end >= 16 ? "hi" : undefined, `prefix of ${end} bytes`);
  }
  assert.equal(readComment(new Uint8Array([0xff, 0xd8, 0xff, 0xfe, 0x00])), undefined);
  assert.equal(readComment(new Uint8Array([0xff, 0xd8, 0xff, 0xff, 0xff])), undefined);
});

Deno.test("readComment() returns undefined for a length running past the end", () => {
  const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xfe, 0xff, 0xff, ...ascii("short")]);
  assert.equal(readComment(bytes), undefined);
  const skipped = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x01, 0x00, 0x00, 0x00]);
  assert.equal(readComment(skipped), undefined);
});

Deno.test("readComment() returns undefined for a length below 2 or garbage between segments", () => {
  assert.equal(readComment(new Uint8Array([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x01, 0x41])), undefined);
  assert.equal(readComment(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00])), undefined);
  assert.equal(readComment(new Uint8Array([0xff, 0xd8, 0x12, 0xff, 0xfe, 0x00, 0x02])), undefined);
});

Deno.test("withComment() inserts a COM segment right after SOI", () => {
  const tiny = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
  assert.deepEqual(
    withComment(tiny, "ab"),
    new Uint8Array([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x04, 0x61, 0x62, 0xff, 0xd9]),
  );
  const long = "x".repeat(300);
  const out = withComment(tiny, long);
  assert.deepEqual([...out.subarray(2, 6)], [0xff, 0xfe, 0x01, 0x2e]); // 302 = 0x012e
  assert.equal(readComment(out), long);
});

Deno.test("withComment() makes the new comment the first one", () => {
  assert.equal(readComment(withComment(SAMPLE, "new")), "new");
});

Deno.test("withComment() rejects a non-JPEG, non-ASCII text and an oversized text", () => {
  assert.throws(() => withComment(new Uint8Array([1, 2, 3]), "x"), /Not a JPEG: no SOI marker/);
  assert.throws(() => withComment(new Uint8Array([0xff, 0xd8]), "é"), /printable ASCII/);
  assert.throws(
    () => withComment(new Uint8Array([0xff, 0xd8]), "x".repeat(65534)),
    /Comment too long: 65534 bytes > 65533/,
  );
});

Deno.test("stampFrame() and readStamp() round-trip time and sequence", () => {
  const stamped = stampFrame(SAMPLE, 42, 1_763_900_000_123);
  assert.equal(readComment(stamped), "tc:t=1763900000123;seq=42");
  assert.deepEqual(readStamp(stamped), { t: 1_763_900_000_123, seq: 42 });
  assert.equal(readStamp(SAMPLE), undefined);
  assert.equal(readStamp(withComment(SAMPLE, "tc:t=1;seq=x")), undefined);
  assert.equal(readStamp(withComment(SAMPLE, "tc:t=1;seq=2;extra")), undefined);
  assert.throws(() => stampFrame(SAMPLE, -1, 0), /Frame sequence must be a non-negative/);
  assert.throws(() => stampFrame(SAMPLE, 0, 1.5), /Stamp time must be a non-negative/);
});

Deno.test("readStamp() reads the stamp of a viewer frame with its serial trailer", () => {
  const stamped = stampFrame(SAMPLE, 7, 1000);
  const withTrailer = new Uint8Array(stamped.byteLength + 18);
  withTrailer.set(stamped);
  withTrailer.set(ascii("0123CAFE0000000001"), stamped.byteLength);
  assert.deepEqual(readStamp(withTrailer), { t: 1000, seq: 7 });
});

Deno.test("withComment() keeps a real JPEG valid for jpeg-js and ffprobe", async () => {
  const [frame] = renderFrames({ serial: "0123CAFE0000000001", size: "qvga", count: 1 });
  const stamped = stampFrame(frame, 1, Date.now());
  assert.equal(stamped[stamped.byteLength - 2], 0xff);
  assert.equal(stamped[stamped.byteLength - 1], 0xd9);
  const decoded = jpeg.decode(stamped, { useTArray: true });
  assert.equal(decoded.width, 320);
  assert.equal(decoded.height, 240);
  assert.deepEqual(decoded.data, jpeg.decode(frame, { useTArray: true }).data);

  const path = await Deno.makeTempFile({ suffix: ".jpg" });
  try {
    await Deno.writeFile(path, stamped);
    const out = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "json", path],
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stderr), "");
    const probe = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.deepEqual(probe.streams, [{ codec_name: "mjpeg", width: 320, height: 240 }]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("withRecordedAt() inserts trustcam-at=<ms> right after SOI and recordedAt() reads it", () => {
  const out = withRecordedAt(SAMPLE, 1_764_252_000_123);
  assert.deepEqual([...out.subarray(0, 6)], [0xff, 0xd8, 0xff, 0xfe, 0x00, 0x1b]); // 2 + 25
  assert.equal(readComment(out), "trustcam-at=1764252000123");
  assert.deepEqual(out.subarray(6 + 25), SAMPLE.subarray(2));
  assert.equal(recordedAt(out), 1_764_252_000_123);
  assert.equal(recordedAt(withRecordedAt(SAMPLE, 0)), 0);
  // A live frame stamped by a simulated camera is not a recorded one.
  const stamped = stampFrame(SAMPLE, 3, 1000);
  assert.equal(recordedAt(stamped), undefined);
  assert.equal(recordedAt(withRecordedAt(stamped, 5)), 5);
});

Deno.test("recordedAt() reads a viewer frame with its serial trailer", () => {
  const out = withRecordedAt(SAMPLE, 42);
  const withTrailer = new Uint8Array(out.byteLength + 18);
  withTrailer.set(out);
  withTrailer.set(ascii("0123CAFE0000000001"), out.byteLength);
  assert.equal(recordedAt(withTrailer), 42);
});

Deno.test("recordedAt() is undefined without the COM right after SOI or with a malformed one", () => {
  assert.equal(recordedAt(SAMPLE), undefined);
  assert.equal(recordedAt(new Uint8Array([])), undefined);
  assert.equal(recordedAt(new Uint8Array([0xff, 0xd8])), undefined);
  // The comment after another segment is the frame's own, not the hub's.
  const app0 = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, ...SAMPLE.subarray(2)]);
  assert.equal(recordedAt(app0), undefined);
  for (const text of ["trustcam-at=", "trustcam-at=12x", "trustcam-at=-1", "trustcam-at=1.5"]) {
    assert.equal(recordedAt(withComment(SAMPLE, text)), undefined, text);
  }
  assert.equal(recordedAt(withComment(SAMPLE, "trustcam-at=99999999999999999")), undefined);
  assert.equal(recordedAt(withRecordedAt(SAMPLE, 7).subarray(0, 10)), undefined);
});

Deno.test("withRecordedAt() rejects a time that is not a non-negative integer", () => {
  assert.throws(() => withRecordedAt(SAMPLE, -1), /Capture time must be a non-negative integer/);
  assert.throws(() => withRecordedAt(SAMPLE, 1.5), /Capture time must be a non-negative integer/);
  assert.throws(() => withRecordedAt(SAMPLE, NaN), /Capture time must be a non-negative integer/);
});
