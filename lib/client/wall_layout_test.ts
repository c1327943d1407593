import assert from "node:assert/strict";
import type { CameraInfo } from "../registry.ts";
import { DEFAULT_WALL_PREFS, MAX_PREF_CAMERAS, type WallPrefs } from "../wall_prefs.ts";
import {
  activeGroup,
  arrange,
  focusStep,
  gridClass,
  kioskGrid,
  moveTile,
  toggleFavourite,
  type WallGroup,
} from "./wall_layout.ts";

const A = "0123AAAAAAAAAAAAAA";
const B = "0123BBBBBBBBBBBBBB";
const C = "0123CCCCCCCCCCCCCC";
const D = "0123DDDDDDDDDDDDDD";
const GONE = "0123EEEEEEEEEEEEEE";

/** The list as lib/client/camera_list.ts keeps it: by name. */
const CAMERAS = [A, B, C, D].map((serial, i) => camera(serial, `Cam ${i + 1}`));

function camera(serial: string, name: string, extra: Partial<CameraInfo> = {}): CameraInfo {
  return { serial, name, state: "online", ...extra } as CameraInfo;
}

function prefs(more: Partial<WallPrefs> = {}): WallPrefs {
  return { ...DEFAULT_WALL_PREFS, order: [], favourites: [], ...more };
}

const serials = (list: CameraInfo[]) => list.map((c) => c.serial);

Deno.test("arrange() keeps the list's name order and drops hidden cameras", () => {
  assert.deepEqual(serials(arrange(CAMERAS, prefs())), [A, B, C, D]);
  const hidden = CAMERAS.map((c) => c.serial === B ? { ...c, hidden: true } : c);
  assert.deepEqual(serials(arrange(hidden, prefs())), [A, C, D]);
  // Hidden stays hidden whatever the order or favourites say.
  assert.deepEqual(
    serials(arrange(hidden, prefs({ sort: "custom", order: [B, A], favourites: [B] }))),
    [A, C, D],
  );
});

Deno.test("arrange() puts the custom order first, then new cameras by name, ignoring gone serials", () => {
  const p = prefs({ sort: "custom", order: [GONE, C, A] });
  assert.deepEqual(serials(arrange(CAMERAS, p)), [C, A, B, D]);
  // "name" ignores a stored order.
  assert.deepEqual(serials(arrange(CAMERAS, { ...p, sort: "name" })), [A, B, C, D]);
});

Deno.test("arrange() shows favourites first, in the order the sort gives them", () => {
  assert.deepEqual(serials(arrange(CAMERAS, prefs({ favourites: [D, B, GONE] }))), [B, D, A, C]);
  assert.deepEqual(
    serials(arrange(CAMERAS, prefs({ sort: "custom", order: [D, C, B, A], favourites: [B, D] }))),
    [D, B, C, A],
  );
});

Deno.test("arrange() filters by the chosen group, and by none once it is gone", () => {
  const groups: WallGroup[] = [{ name: "Outside", cameras: [C, A, GONE] }];
  assert.deepEqual(serials(arrange(CAMERAS, prefs({ group: "Outside" }), groups)), [A, C]);
  assert.equal(activeGroup(prefs({ group: "Outside" }), groups), groups[0]);
  assert.equal(activeGroup(prefs({ group: "Inside" }), groups), undefined);
  assert.deepEqual(serials(arrange(CAMERAS, prefs({ group: "Inside" }), groups)), [A, B, C, D]);
});

Deno.test("moveTile() makes a custom order with the tile where it was dropped", () => {
  const moved = moveTile(CAMERAS, prefs(), [], D, 0);
  assert.equal(moved.sort, "custom");
  assert.deepEqual(moved.order, [D, A, B, C]);
  assert.deepEqual(serials(arrange(CAMERAS, moved)), [D, A, B, C]);
  // Past the end is the end; the same place changes nothing.
  assert.deepEqual(moveTile(CAMERAS, moved, [], D, 99).order, [A, B, C, D]);
  assert.equal(moveTile(CAMERAS, moved, [], D, 0), moved);
  assert.equal(moveTile(CAMERAS, moved, [], GONE, 0), moved);
});

Deno.test("moveTile() within a group leaves the other cameras where they were", () => {
  const groups: WallGroup[] = [{ name: "Odd", cameras: [A, C] }];
  const p = prefs({ group: "Odd", sort: "custom", order: [A, B, C, D, GONE] });
  const moved = moveTile(CAMERAS, p, groups, C, 0);
  // C and A swap the places they held; B and D stay; an unknown serial is kept at the end.
  assert.deepEqual(moved.order, [C, B, A, D, GONE]);
  assert.deepEqual(serials(arrange(CAMERAS, moved, groups)), [C, A]);
});

Deno.test("moveTile() keeps favourites first and the order within MAX_PREF_CAMERAS", () => {
  const moved = moveTile(CAMERAS, prefs({ favourites: [A] }), [], D, 0);
  assert.deepEqual(serials(arrange(CAMERAS, moved)), [A, D, B, C]);
  const many = Array.from(
    { length: MAX_PREF_CAMERAS },
    (_, i) => `0123${String(i).padStart(14, "0")}`,
  );
  const long = moveTile(CAMERAS, prefs({ sort: "custom", order: many }), [], D, 0);
  assert.equal(long.order.length, MAX_PREF_CAMERAS);
  assert.deepEqual(long.order.slice(0, 4), [D, A, B, C]);
});

Deno.test("toggleFavourite() adds and removes a serial", () => {
  const on = toggleFavourite(prefs(), B);
  assert.deepEqual(on.favourites, [B]);
  assert.deepEqual(toggleFavourite(toggleFavourite(on, A), B).favourites, [A]);
});

Deno.test("gridClass() follows the screen for auto and fixes a chosen column count", () => {
  assert.match(gridClass("auto"), /^grid-cols-1 sm:grid-cols-2 .* 3xl:grid-cols-6$/);
  for (const n of [1, 2, 3, 4, 5, 6] as const) assert.equal(gridClass(n), `grid-cols-${n}`);
});

Deno.test("focusStep() moves along rows and columns and stops at the edges", () => {
  assert.equal(focusStep(0, 8, 4, "ArrowRight"), 1);
  assert.equal(focusStep(0, 8, 4, "ArrowLeft"), 0);
  assert.equal(focusStep(1, 8, 4, "ArrowDown"), 5);
  assert.equal(focusStep(5, 8, 4, "ArrowDown"), 5);
  assert.equal(focusStep(5, 8, 4, "ArrowUp"), 1);
  assert.equal(focusStep(7, 8, 4, "ArrowRight"), 7);
});

Deno.test("kioskGrid() gives 4:3 pictures the most room, or keeps the chosen columns", () => {
  assert.deepEqual(kioskGrid(4, 1280, 800, "auto"), { columns: 2, rows: 2 });
  assert.deepEqual(kioskGrid(16, 1920, 1080, "auto"), { columns: 4, rows: 4 });
  assert.deepEqual(kioskGrid(3, 1920, 600, "auto"), { columns: 3, rows: 1 });
  assert.deepEqual(kioskGrid(1, 1280, 800, "auto"), { columns: 1, rows: 1 });
  assert.deepEqual(kioskGrid(0, 1280, 800, "auto"), { columns: 1, rows: 1 });
  assert.deepEqual(kioskGrid(7, 1280, 800, 3), { columns: 3, rows: 3 });
});
