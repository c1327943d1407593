import assert from "node:assert/strict";
import { canonicalSerial, parseSerial, serialMatcher } from "./serial.ts";

const isSerial = serialMatcher();

Deno.test("serialMatcher() accepts the seed's ATECC608 form and nothing else", () => {
  assert.ok(isSerial("0123A1B2C3D4E5F6A7"));
  assert.ok(isSerial("0123a1b2c3d4e5f6a7"));
  for (
    const bad of [
      "0123A1B2C3D4E5F6A",
      "0123A1B2C3D4E5F6A7F",
      "0124A1B2C3D4E5F6A7",
      "../../etc/passwd",
    ]
  ) {
    assert.ok(!isSerial(bad), bad);
  }
  // A custom pattern still cannot make a serial that does not fit the 18-byte trailer.
  assert.ok(!serialMatcher("^cam")("cam-1"));
  assert.throws(() => serialMatcher("(["), /Invalid serial pattern: "\(\["/);
});

Deno.test("parseSerial() upper-cases a valid serial and quotes a bad one safely", () => {
  assert.equal(parseSerial("0123a1b2c3d4e5f6a7", isSerial), "0123A1B2C3D4E5F6A7");
  assert.equal(canonicalSerial("0123abc"), "0123ABC");
  assert.throws(() => parseSerial("0123\n<script>", isSerial), {
    code: "TC_ERR_BAD_SERIAL",
    message: 'Invalid camera serial: "0123\\n<script>"',
  });
  assert.throws(() => parseSerial("x".repeat(5000), isSerial), {
    message: `Invalid camera serial: "${"x".repeat(39)}…"`,
  });
});
