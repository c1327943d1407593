/**
 * Which tiles the wall shows and in what order, from the camera list, the viewer's
 * preferences (lib/wall_prefs.ts) and the groups it may filter by. Pure, so the wall's rules
 * are tested without a browser:
 *
 * - hidden cameras are never shown, and a group filter keeps its members only (a group that
 *   no longer exists filters nothing);
 * - favourites come first, in the order the rest of the rules give them;
 * - "name" keeps the list's own order (lib/client/camera_list.ts: by name, and a rename moves
 *   no tile until the next load); "custom" puts the dragged `order` first, then the cameras
 *   it does not name, in that list order. Serials of cameras that are gone are ignored.
 */
import type { CameraInfo } from "../registry.ts";
import { MAX_PREF_CAMERAS, type WallColumns, type WallPrefs } from "../wall_prefs.ts";

/** A group as a page gets it: only the members this viewer may see. */
export interface WallGroup {
  name: string;
  cameras: string[];
}

/** The group `prefs` filters by, if it still exists. */
export function activeGroup(
  prefs: WallPrefs,
  groups: readonly WallGroup[],
): WallGroup | undefined {
  return prefs.group === null ? undefined : groups.find((g) => g.name === prefs.group);
}

/** Every camera, hidden ones too, in the order `prefs.sort` gives (no favourites, no filter). */
function ordered<T extends { serial: string }>(cameras: readonly T[], prefs: WallPrefs): T[] {
  if (prefs.sort === "name") return [...cameras];
  const rank = new Map(prefs.order.map((s, i) => [s, i]));
  const placed = cameras.filter((c) => rank.has(c.serial))
    .sort((a, b) => rank.get(a.serial)! - rank.get(b.serial)!);
  return [...placed, ...cameras.filter((c) => !rank.has(c.serial))];
}

/** The tiles to show, in order. */
export function arrange(
  cameras: readonly CameraInfo[],
  prefs: WallPrefs,
  groups: readonly WallGroup[] = [],
): CameraInfo[] {
  const group = activeGroup(prefs, groups);
  const members = group && new Set(group.cameras);
  const shown = ordered(cameras, prefs)
    .filter((c) => !c.hidden && (!members || members.has(c.serial)));
  const favourite = new Set(prefs.favourites);
  return [
    ...shown.filter((c) => favourite.has(c.serial)),
    ...shown.filter((c) => !favourite.has(c.serial)),
  ];
}

/**
 * The preferences after moving the tile `serial` to position `to` of the tiles shown (clamped
 * to the ends); the sort becomes "custom". Cameras not shown (another group's, hidden) keep
 * their places in the order; serials of cameras this page does not know are kept at its end.
 * The same object when nothing moves.
 */
export function moveTile(
  cameras: readonly CameraInfo[],
  prefs: WallPrefs,
  groups: readonly WallGroup[],
  serial: string,
  to: number,
): WallPrefs {
  const shown = arrange(cameras, prefs, groups).map((c) => c.serial);
  const from = shown.indexOf(serial);
  const target = Math.max(0, Math.min(shown.length - 1, to));
  if (from < 0 || from === target) return prefs;
  const moved = shown.filter((s) => s !== serial);
  moved.splice(target, 0, serial);
  // The shown tiles take the places they held among all cameras, in their new order.
  const isShown = new Set(shown);
  let next = 0;
  const all = ordered(cameras, prefs).map((c) => isShown.has(c.serial) ? moved[next++] : c.serial);
  const known = new Set(all);
  const order = [...all, ...prefs.order.filter((s) => !known.has(s))].slice(0, MAX_PREF_CAMERAS);
  return { ...prefs, sort: "custom", order };
}

/** The preferences with `serial` a favourite, or no longer one. */
export function toggleFavourite(prefs: WallPrefs, serial: string): WallPrefs {
  const favourites = prefs.favourites.includes(serial)
    ? prefs.favourites.filter((s) => s !== serial)
    : [...prefs.favourites, serial].slice(-MAX_PREF_CAMERAS);
  return { ...prefs, favourites };
}

/**
 * The grid's classes: "auto" follows the screen (one column on a phone, six on a wall
 * monitor); a number is the viewer's choice on every screen. Whole class names, so twind
 * finds them in the markup.
 */
export function gridClass(columns: WallColumns): string {
  return GRID[columns];
}

const GRID: Record<WallColumns, string> = {
  auto: "grid-cols-1 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4 2xl:grid-cols-5 3xl:grid-cols-6",
  1: "grid-cols-1",
  2: "grid-cols-2",
  3: "grid-cols-3",
  4: "grid-cols-4",
  5: "grid-cols-5",
  6: "grid-cols-6",
};

/**
 * Where focus goes from tile `index` of `count` on an arrow key, in a grid of `columns`
 * columns: left and right step one, up and down a row; it stays put at the edges.
 */
export function focusStep(
  index: number,
  count: number,
  columns: number,
  key: "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown",
): number {
  const step = key === "ArrowLeft"
    ? -1
    : key === "ArrowRight"
    ? 1
    : key === "ArrowUp"
    ? -Math.max(1, columns)
    : Math.max(1, columns);
  const next = index + step;
  return next < 0 || next >= count ? index : next;
}

/**
 * Kiosk fills the screen: rows and columns for `count` tiles in `width` x `height` px. A
 * chosen column count is kept; "auto" takes the count that gives 4:3 pictures the most room.
 */
export function kioskGrid(
  count: number,
  width: number,
  height: number,
  columns: WallColumns,
): { columns: number; rows: number } {
  const n = Math.max(1, count);
  if (columns !== "auto") return { columns, rows: Math.ceil(n / columns) };
  let best = { columns: 1, rows: n, scale: 0 };
  for (let c = 1; c <= n; c++) {
    const rows = Math.ceil(n / c);
    const scale = Math.min(width / c / 4, height / rows / 3);
    if (scale > best.scale) best = { columns: c, rows, scale };
  }
  return { columns: best.columns, rows: best.rows };
}
