import assert from "node:assert/strict";
import {
  formatMinArea,
  MAX_MASK_RECTS,
  parseMotionValues,
  settingsChanges,
  toForm,
} from "./motion_form.ts";
import {
  DEFAULT_MOTION_SETTINGS,
  MAX_MASK_RECTS as HUB_MAX_MASK_RECTS,
} from "../motion_settings.ts";

const saved = {
  enabled: true,
  fps: 5,
  sensitivity: 50,
  minArea: 0.005,
  mask: [{ x: 0.1, y: 0.2, w: 0.3, h: 0.4 }],
};

Deno.test("parseMotionValues() reads the hub's settings, undefined for anything else", () => {
  assert.deepEqual(parseMotionValues(saved), saved);
  assert.deepEqual(parseMotionValues({ ...DEFAULT_MOTION_SETTINGS }), {
    ...DEFAULT_MOTION_SETTINGS,
  });
  // A rectangle it cannot draw is left out.
  assert.deepEqual(parseMotionValues({ ...saved, mask: [saved.mask[0], { x: 2 }] }), saved);
  for (const bad of [null, "x", { ...saved, enabled: "yes" }, { ...saved, fps: "5" }]) {
    assert.equal(parseMotionValues(bad), undefined, JSON.stringify(bad));
  }
  assert.equal(MAX_MASK_RECTS, HUB_MAX_MASK_RECTS);
});

Deno.test("settingsChanges() sends only the fields changed, the area as a fraction", () => {
  const form = toForm(saved);
  assert.deepEqual(form, {
    enabled: true,
    sensitivity: "50",
    minAreaPercent: "0.5",
    fps: "5",
  });
  assert.deepEqual(settingsChanges(saved, form), {});
  assert.deepEqual(settingsChanges(saved, { ...form, enabled: false, minAreaPercent: "1.25" }), {
    enabled: false,
    minArea: 0.0125,
  });
  assert.deepEqual(settingsChanges(saved, { ...form, sensitivity: "80", fps: "2.5" }), {
    sensitivity: 80,
    fps: 2.5,
  });
  // Not a number: sent as typed, for the hub to refuse in its words.
  assert.deepEqual(settingsChanges(saved, { ...form, fps: "fast" }), { fps: "fast" });
  assert.equal(toForm({ ...saved, minArea: 0.0001 }).minAreaPercent, "0.01");
  assert.equal(formatMinArea(0.005), "0.5 % of the picture");
});
