/**
 * A viewer's wall preferences (grid, order, favourites, group filter, data saver), kept on the
 * hub keyed by the viewer certificate's CN so they follow the person to another browser. The
 * hub stores what {@link parseWallPrefs} returns and nothing else: a page cannot grow the store
 * beyond {@link MAX_PREF_CAMERAS} serials per list.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";
import { canonicalSerial } from "./serial.ts";

/** Tile columns: "auto" follows the screen width. */
export type WallColumns = "auto" | 1 | 2 | 3 | 4 | 5 | 6;
export const WALL_COLUMNS: readonly WallColumns[] = ["auto", 1, 2, 3, 4, 5, 6];

export interface WallPrefs {
  columns: WallColumns;
  /** "name": alphabetical; "custom": `order` first, as dragged, then the rest by name. */
  sort: "name" | "custom";
  /** Serials in the order the viewer dragged them (only read when `sort` is "custom"). */
  order: string[];
  /** Serials shown first, in the current order among themselves. */
  favourites: string[];
  /** The group filter: a group's name, or null for every camera. */
  group: string | null;
  /** Caps every live stream's frame rate (lib/thin_link.ts) to spare a slow link. */
  dataSaver: boolean;
}

export const DEFAULT_WALL_PREFS: Readonly<WallPrefs> = Object.freeze({
  columns: "auto",
  sort: "name",
  order: [],
  favourites: [],
  group: null,
  dataSaver: false,
});

/** The viewers' preferences, as routes see them (hub/ implements it). */
export interface WallPrefsStore {
  /** A viewer's preferences; the defaults for a CN that never saved any. */
  get(cn: string): WallPrefs;
  set(cn: string, prefs: WallPrefs): void;
}

/** Most serials in `order` or `favourites`. */
export const MAX_PREF_CAMERAS = 4096;
/** Longest group name. */
export const MAX_GROUP_NAME = 64;

const KEYS = ["columns", "sort", "order", "favourites", "group", "dataSaver"];

function fail(message: string): never {
  throw new TrustcamError("TC_ERR_BAD_PREFS", message);
}

function serials(v: unknown, key: string, isSerial: (s: string) => boolean): string[] {
  if (!Array.isArray(v)) fail(`Invalid ${key}: ${quote(v)} (expected an array of serials)`);
  if (v.length > MAX_PREF_CAMERAS) {
    fail(`Too many cameras in ${key}: ${v.length} (at most ${MAX_PREF_CAMERAS})`);
  }
  const out = new Set<string>();
  for (const s of v) {
    if (typeof s !== "string" || !isSerial(s)) fail(`Invalid serial in ${key}: ${quote(s)}`);
    out.add(canonicalSerial(s));
  }
  return [...out];
}

/**
 * Checks a stored or submitted value. Missing keys take their defaults (a page written before
 * a key existed still saves); unknown keys and bad values throw TC_ERR_BAD_PREFS naming them.
 */
export function parseWallPrefs(value: unknown, isSerial: (s: string) => boolean): WallPrefs {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`Invalid preferences: ${quote(value)} (expected an object)`);
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KEYS.includes(k)) fail(`Unknown preference: ${quote(k)}`);
  }
  const prefs: WallPrefs = { ...DEFAULT_WALL_PREFS, order: [], favourites: [] };
  if (o.columns !== undefined) {
    if (!WALL_COLUMNS.includes(o.columns as WallColumns)) {
      fail(`Invalid columns: ${quote(o.columns)} (expected "auto" or 1 to 6)`);
    }
    prefs.columns = o.columns as WallColumns;
  }
  if (o.sort !== undefined) {
    if (o.sort !== "name" && o.sort !== "custom") {
      fail(`Invalid sort: ${quote(o.sort)} (expected "name" or "custom")`);
    }
    prefs.sort = o.sort;
  }
  if (o.order !== undefined) prefs.order = serials(o.order, "order", isSerial);
  if (o.favourites !== undefined) prefs.favourites = serials(o.favourites, "favourites", isSerial);
  if (o.group !== undefined && o.group !== null) {
    if (typeof o.group !== "string" || o.group === "" || o.group.length > MAX_GROUP_NAME) {
      fail(`Invalid group: ${quote(o.group)} (expected a group name or null)`);
    }
    prefs.group = o.group;
  }
  if (o.dataSaver !== undefined) {
    if (typeof o.dataSaver !== "boolean") {
      fail(`Invalid dataSaver: ${quote(o.dataSaver)} (expected true or false)`);
    }
    prefs.dataSaver = o.dataSaver;
  }
  return prefs;
}
