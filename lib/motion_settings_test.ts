import assert from "node:assert/strict";
import { TrustcamError } from "./errors.ts";
import {
  DEFAULT_MOTION_SETTINGS,
  MAX_MASK_RECTS,
  parseMotionSettings,
  pixelThreshold,
} from "./motion_settings.ts";

function rejects(input: unknown, message: RegExp): void {
  assert.throws(() => parseMotionSettings(input), (err: unknown) => {
    assert.ok(err instanceof TrustcamError);
    assert.equal(err.code, "TC_ERR_BAD_REQUEST");
    assert.match(err.message, message);
    return true;
  });
}

Deno.test("parseMotionSettings() fills the defaults: on, 5 fps, sensitivity 50, no mask", () => {
  assert.deepEqual(parseMotionSettings({}), {
    enabled: true,
    fps: 5,
    sensitivity: 50,
    minArea: 0.005,
    mask: [],
  });
  assert.deepEqual(parseMotionSettings({}), DEFAULT_MOTION_SETTINGS);
});

Deno.test("parseMotionSettings() changes only the fields given over the base", () => {
  const base = parseMotionSettings({ fps: 2, mask: [{ x: 0, y: 0, w: 0.5, h: 0.5 }] });
  const next = parseMotionSettings({ sensitivity: 80, enabled: false }, base);
  assert.deepEqual(next, {
    enabled: false,
    fps: 2,
    sensitivity: 80,
    minArea: 0.005,
    mask: [{ x: 0, y: 0, w: 0.5, h: 0.5 }],
  });
  assert.notEqual(next.mask[0], base.mask[0], "the mask is copied, not shared");
  assert.deepEqual(parseMotionSettings({ mask: [] }, base).mask, []);
});

Deno.test("parseMotionSettings() accepts a rectangle drawn to the picture's edge", () => {
  const mask = [{ x: 0.7, y: 0.1, w: 0.30000000000000004, h: 0.9 }];
  assert.deepEqual(parseMotionSettings({ mask }).mask, mask);
});

Deno.test("parseMotionSettings() refuses bad values with the field and the value quoted", () => {
  rejects(null, /^Invalid motion settings: "null": expected an object$/);
  rejects([], /^Invalid motion settings: "\[\]": expected an object$/);
  rejects({ fsp: 5 }, /^Unknown motion setting: "fsp"$/);
  rejects({ enabled: "yes" }, /^Invalid motion enabled: "yes": expected true or false$/);
  rejects({ fps: 0 }, /^Invalid motion fps: "0": expected 0.1 to 15$/);
  rejects({ fps: 16 }, /^Invalid motion fps: "16"/);
  rejects({ fps: "5" }, /^Invalid motion fps: "5"/);
  rejects({ sensitivity: 101 }, /^Invalid motion sensitivity: "101": expected an integer from 1/);
  rejects({ sensitivity: 50.5 }, /^Invalid motion sensitivity: "50.5": expected an integer$/);
  rejects({ minArea: 0 }, /^Invalid motion minArea: "0": expected a fraction from 0.0001 to 1$/);
  rejects({ minArea: NaN }, /^Invalid motion minArea: "null"/);
  rejects({ mask: {} }, /^Invalid motion mask: "{}": expected an array of rectangles$/);
  rejects(
    { mask: [{ x: 0, y: 0, w: 1 }] },
    /^Invalid motion mask\[0\]: .*: expected {x, y, w, h}$/,
  );
  rejects(
    { mask: [{ x: 0, y: 0, w: 1, h: 1, z: 1 }] },
    /^Invalid motion mask\[0\]: .*: expected {x, y, w, h}$/,
  );
  rejects(
    { mask: [{ x: -0.1, y: 0, w: 1, h: 1 }] },
    /^Invalid motion mask\[0\]\.x: "-0.1": expected/,
  );
  rejects({ mask: [{ x: 0, y: 0, w: 0, h: 1 }] }, /^Invalid motion mask\[0\]: .*must have a size/);
  rejects({ mask: [{ x: 0.5, y: 0, w: 0.6, h: 1 }] }, /inside the picture$/);
  const many = Array.from({ length: MAX_MASK_RECTS + 1 }, () => ({ x: 0, y: 0, w: 1, h: 1 }));
  rejects({ mask: many }, /^Invalid motion mask: 33 rectangles: at most 32$/);
});

Deno.test("pixelThreshold() falls from 55.5 to 6 levels as sensitivity rises", () => {
  assert.deepEqual([1, 50, 100].map(pixelThreshold), [55.5, 31, 6]);
});
