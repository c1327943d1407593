import assert from "node:assert/strict";
import { DEFAULT_WALL_PREFS, MAX_PREF_CAMERAS, parseWallPrefs } from "./wall_prefs.ts";
import { serialMatcher } from "./serial.ts";

const isSerial = serialMatcher();
const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

function refusal(value: unknown): string {
  try {
    parseWallPrefs(value, isSerial);
  } catch (err) {
    assert.equal((err as { code: string }).code, "TC_ERR_BAD_PREFS");
    return (err as Error).message;
  }
  assert.fail(`accepted ${JSON.stringify(value)}`);
}

Deno.test("parseWallPrefs() fills missing keys with the defaults", () => {
  assert.deepEqual(parseWallPrefs({}, isSerial), DEFAULT_WALL_PREFS);
  assert.deepEqual(parseWallPrefs({ columns: 3, dataSaver: true }, isSerial), {
    ...DEFAULT_WALL_PREFS,
    columns: 3,
    dataSaver: true,
  });
});

Deno.test("parseWallPrefs() makes serials canonical and drops duplicates", () => {
  const prefs = parseWallPrefs({
    sort: "custom",
    order: [B, A.toLowerCase(), B],
    favourites: [A],
    group: "entrance",
  }, isSerial);
  assert.deepEqual(prefs.order, [B, A]);
  assert.deepEqual(prefs.favourites, [A]);
  assert.equal(prefs.sort, "custom");
  assert.equal(prefs.group, "entrance");
});

Deno.test("parseWallPrefs() refuses bad values, each with its own message", () => {
  assert.equal(refusal([]), 'Invalid preferences: "[]" (expected an object)');
  assert.equal(refusal({ colour: 1 }), 'Unknown preference: "colour"');
  assert.equal(refusal({ columns: 7 }), 'Invalid columns: "7" (expected "auto" or 1 to 6)');
  assert.equal(refusal({ sort: "size" }), 'Invalid sort: "size" (expected "name" or "custom")');
  assert.equal(refusal({ order: "x" }), 'Invalid order: "x" (expected an array of serials)');
  assert.equal(refusal({ favourites: ["nope"] }), 'Invalid serial in favourites: "nope"');
  assert.equal(refusal({ group: "" }), 'Invalid group: "" (expected a group name or null)');
  assert.equal(refusal({ dataSaver: "yes" }), 'Invalid dataSaver: "yes" (expected true or false)');
  assert.equal(
    refusal({ order: Array(MAX_PREF_CAMERAS + 1).fill(A) }),
    `Too many cameras in order: ${MAX_PREF_CAMERAS + 1} (at most ${MAX_PREF_CAMERAS})`,
  );
});
