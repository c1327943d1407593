import assert from "node:assert/strict";
import { checkFrame, frameProblemCode } from "./frame_check.ts";
import { fakeJpeg } from "../harness/fake_jpeg.ts";
import { withComment, withRecordedAt } from "./jpeg_com.ts";

const LIMITS = { maxBytes: 1024, maxDimension: 4096 };
const problem = (data: Uint8Array, limits = LIMITS) => checkFrame(data, limits)?.problem ?? null;

Deno.test("checkFrame() accepts a well-formed JPEG within the limits", () => {
  assert.equal(checkFrame(fakeJpeg(100), LIMITS), null);
  assert.equal(checkFrame(fakeJpeg(1020), LIMITS), null);
});

Deno.test("checkFrame() names each defect", () => {
  assert.equal(problem(new Uint8Array(0)), "empty");
  assert.equal(problem(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0xd9])), "no_soi");
  assert.equal(problem(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10])), "no_eoi");
  assert.equal(problem(new Uint8Array([0xff, 0xd8, 0xff])), "no_soi");
  assert.equal(problem(fakeJpeg(1021)), "too_large");
  assert.deepEqual(checkFrame(fakeJpeg(1021), LIMITS), {
    problem: "too_large",
    text: "Frame too large: 1025 bytes > 1024",
  });
  // The 4-byte "frame" that used to be relayed.
  assert.deepEqual(checkFrame(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), LIMITS), {
    problem: "no_sof",
    text: "No frame header (SOF)",
  });
  assert.equal(problem(fakeJpeg(100), { maxBytes: 1024, maxDimension: 100 }), "bad_dimensions");
});

Deno.test("checkFrame() checks the exact end, not an EOI in the middle", () => {
  const cut = fakeJpeg(100).slice(0, -1);
  assert.equal(problem(new Uint8Array([...cut, 0xd9, 0x00])), "no_eoi");
});

Deno.test("frameProblemCode() closes only for a frame too large", () => {
  assert.equal(frameProblemCode("too_large"), "TC_ERR_FRAME_TOO_LARGE");
  for (const p of ["empty", "no_soi", "no_eoi", "no_sof", "bad_marker"] as const) {
    assert.equal(frameProblemCode(p), "TC_ERR_BAD_FRAME");
  }
});

Deno.test("checkFrame() refuses a frame that claims a recorded capture time", () => {
  const stamped = withRecordedAt(fakeJpeg(200, 1), 1_700_000_000_000);
  assert.equal(checkFrame(stamped, LIMITS)?.problem, "reserved_comment");
  assert.equal(frameProblemCode("reserved_comment"), "TC_ERR_BAD_FRAME");
  // Any other comment, first or not, is the device's own business.
  assert.equal(checkFrame(withComment(fakeJpeg(200, 1), "trustcam-at?"), LIMITS), null);
});
