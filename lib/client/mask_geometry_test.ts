import assert from "node:assert/strict";
import {
  containedBox,
  dragRect,
  MIN_RECT,
  rectStyle,
  setPercent,
  toPercent,
  toUnit,
} from "./mask_geometry.ts";

Deno.test("containedBox() letterboxes the picture as object-contain draws it", () => {
  const box = { left: 10, top: 20, width: 800, height: 450 };
  // 4:3 in 16:9: bars left and right.
  assert.deepEqual(containedBox(box, 640, 480), { left: 110, top: 20, width: 600, height: 450 });
  // 16:9 in 4:3: bars top and bottom.
  assert.deepEqual(
    containedBox({ left: 0, top: 0, width: 640, height: 480 }, 1280, 720),
    { left: 0, top: 60, width: 640, height: 360 },
  );
  // Size unknown (no frame yet): the whole box.
  assert.deepEqual(containedBox(box, 0, 0), box);
});

Deno.test("toUnit() maps a pointer to picture coordinates, clamped to the picture", () => {
  const pic = { left: 100, top: 50, width: 400, height: 300 };
  assert.deepEqual(toUnit(pic, 300, 125), { x: 0.5, y: 0.25 });
  assert.deepEqual(toUnit(pic, 20, 900), { x: 0, y: 1 });
  assert.deepEqual(toUnit({ ...pic, width: 0, height: 0 }, 300, 125), { x: 0, y: 0 });
});

Deno.test("dragRect() spans a drag either way, rounded, inside, and ignores a click", () => {
  assert.deepEqual(dragRect({ x: 0.1, y: 0.2 }, { x: 0.4, y: 0.6 }), {
    x: 0.1,
    y: 0.2,
    w: 0.3,
    h: 0.4,
  });
  // Up and to the left: the same rectangle.
  assert.deepEqual(dragRect({ x: 0.4, y: 0.6 }, { x: 0.1, y: 0.2 }), {
    x: 0.1,
    y: 0.2,
    w: 0.3,
    h: 0.4,
  });
  // Rounded to four places, so the JSON stays short and x + w never passes 1.
  const r = dragRect({ x: 1 / 3, y: 0 }, { x: 1, y: 2 / 3 })!;
  assert.deepEqual(r, { x: 0.3333, y: 0, w: 0.6667, h: 0.6667 });
  assert.ok(r.x + r.w <= 1 && r.y + r.h <= 1);
  // Past the picture's edge: clamped.
  assert.deepEqual(dragRect({ x: -0.5, y: 0.5 }, { x: 0.5, y: 1.5 }), {
    x: 0,
    y: 0.5,
    w: 0.5,
    h: 0.5,
  });
  assert.equal(dragRect({ x: 0.5, y: 0.5 }, { x: 0.5 + MIN_RECT / 2, y: 0.9 }), undefined);
  assert.equal(dragRect({ x: 0.5, y: 0.5 }, { x: 0.5, y: 0.5 }), undefined);
});

Deno.test("setPercent() moves and sizes a rectangle from typed percentages, kept inside", () => {
  const r = { x: 0.25, y: 0.25, w: 0.5, h: 0.5 };
  assert.deepEqual(setPercent(r, "x", 10), { ...r, x: 0.1 });
  // Moved past the edge: it stops at the edge, its size kept.
  assert.deepEqual(setPercent(r, "x", 80), { ...r, x: 0.5 });
  assert.deepEqual(setPercent(r, "h", 90), { ...r, h: 0.75 });
  assert.deepEqual(setPercent(r, "w", 0), { ...r, w: MIN_RECT });
  assert.deepEqual(setPercent(r, "y", -5), { ...r, y: 0 });
  assert.equal(setPercent(r, "y", NaN), r);
  assert.equal(toPercent(0.33333), 33.3);
  assert.deepEqual(rectStyle({ x: 0.1, y: 0.2, w: 0.3, h: 0.4 }), {
    left: "10%",
    top: "20%",
    width: "30%",
    height: "40%",
  });
});
