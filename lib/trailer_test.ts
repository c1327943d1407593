import assert from "node:assert/strict";
import { buildViewerFrame, parseViewerFrame, TRAILER_LENGTH } from "./trailer.ts";

const SERIAL = "0123A1B2C3D4E5F6A7";

Deno.test("buildViewerFrame() appends the 18 ASCII bytes of the serial", () => {
  const out = buildViewerFrame(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), SERIAL);
  assert.deepEqual(
    [...out],
    [0xff, 0xd8, 0xff, 0xd9, ...[...SERIAL].map((c) => c.charCodeAt(0))],
  );
  assert.equal(out.byteLength, 4 + TRAILER_LENGTH);
});

Deno.test("buildViewerFrame() rejects a serial that is not 18 printable characters", () => {
  assert.throws(
    () => buildViewerFrame(new Uint8Array(4), "0123"),
    /Serial must be 18 characters: "0123"/,
  );
  assert.throws(() => buildViewerFrame(new Uint8Array(4), "0123A1B2C3D4E5F6\n7"), RangeError);
});

Deno.test("parseViewerFrame() splits literal bytes the way the seed's page does", () => {
  const bytes = new Uint8Array([0xff, 0xd8, 0x00, 0xff, 0xd9, ...new TextEncoder().encode(SERIAL)]);
  const { serial, jpeg } = parseViewerFrame(bytes.buffer);
  assert.equal(serial, SERIAL);
  assert.deepEqual([...jpeg], [0xff, 0xd8, 0x00, 0xff, 0xd9]);
  assert.equal(jpeg.buffer, bytes.buffer, "jpeg is a view, not a copy");
});

Deno.test("parseViewerFrame() round-trips buildViewerFrame() on a subarray input", () => {
  const backing = new Uint8Array(64);
  const jpeg = backing.subarray(10, 30);
  jpeg.set([0xff, 0xd8], 0);
  jpeg.set([0xff, 0xd9], 18);
  const parsed = parseViewerFrame(buildViewerFrame(jpeg, SERIAL));
  assert.equal(parsed.serial, SERIAL);
  assert.deepEqual([...parsed.jpeg], [...jpeg]);
});

Deno.test("parseViewerFrame() rejects a message of 18 bytes or fewer", () => {
  assert.throws(() => parseViewerFrame(new Uint8Array(18)), /Viewer frame too short: 18 bytes/);
  assert.throws(() => parseViewerFrame(new ArrayBuffer(0)), RangeError);
});
