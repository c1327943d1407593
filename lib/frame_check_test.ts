import assert from "node:assert/strict";
import { FRAME_PROBLEM_CODE, frameProblem } from "./frame_check.ts";
import { ERROR_CODES } from "./errors.ts";

const jpeg = (...mid: number[]) => new Uint8Array([0xff, 0xd8, ...mid, 0xff, 0xd9]);

Deno.test("frameProblem() accepts SOI ... EOI within the limit", () => {
  assert.equal(frameProblem(jpeg(1, 2, 3), 1024), null);
  assert.equal(frameProblem(jpeg(), 4), null);
});

Deno.test("frameProblem() names each defect", () => {
  assert.equal(frameProblem(new Uint8Array(0), 1024), "empty");
  assert.equal(frameProblem(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0xd9]), 1024), "no_soi");
  assert.equal(frameProblem(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), 1024), "no_eoi");
  assert.equal(frameProblem(new Uint8Array([0xff, 0xd8, 0xff]), 1024), "no_soi");
  assert.equal(frameProblem(jpeg(1, 2, 3), 6), "too_large");
});

Deno.test("frameProblem() checks the exact end, not an EOI in the middle", () => {
  assert.equal(frameProblem(new Uint8Array([0xff, 0xd8, 0xff, 0xd9, 0x00]), 1024), "no_eoi");
});

Deno.test("FRAME_PROBLEM_CODE drops a bad frame and closes on one too large with 1009", () => {
  for (const problem of ["empty", "no_soi", "no_eoi"] as const) {
    assert.equal(FRAME_PROBLEM_CODE[problem], "TC_ERR_BAD_FRAME");
    assert.equal(ERROR_CODES[FRAME_PROBLEM_CODE[problem]].close, undefined);
  }
  assert.equal(FRAME_PROBLEM_CODE.too_large, "TC_ERR_FRAME_TOO_LARGE");
  assert.equal(ERROR_CODES[FRAME_PROBLEM_CODE.too_large].close, 1009);
});
