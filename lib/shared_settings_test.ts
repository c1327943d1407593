import assert from "node:assert/strict";
import {
  decodeSettings,
  encodeSettings,
  sameSettings,
  SettingsBook,
  type SharedSettings,
} from "./shared_settings.ts";
import { DEFAULT_MOTION_SETTINGS } from "./motion_settings.ts";
import { Registry } from "./registry.ts";
import { TrustcamError } from "./errors.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

const GATE: SharedSettings = {
  name: "Gate",
  recordMode: "motion",
  motion: { ...DEFAULT_MOTION_SETTINGS, fps: 2, mask: [{ x: 0, y: 0, w: 0.5, h: 0.5 }] },
};

Deno.test("decodeSettings() round-trips encodeSettings() and drops the writer", () => {
  const back = decodeSettings(encodeSettings(GATE, "hub-a"));
  assert.deepEqual(back, GATE);
  assert.ok(sameSettings(back, GATE));
  assert.deepEqual(decodeSettings(enc({ name: "x", recordMode: null, motion: null })), {
    name: "x",
    recordMode: null,
    motion: null,
  });
});

Deno.test("decodeSettings() rejects what the API would reject", () => {
  assert.throws(() => decodeSettings(enc(null)), TypeError);
  assert.throws(() => decodeSettings(enc({ name: "x", recordMode: "always" })), TypeError);
  assert.throws(
    () => decodeSettings(enc({ name: "", recordMode: null })),
    (e) => e instanceof TrustcamError && e.code === "TC_ERR_BAD_NAME",
  );
  assert.throws(
    () => decodeSettings(enc({ name: "x", recordMode: null, motion: { fps: 99 } })),
    (e) => e instanceof TrustcamError && e.code === "TC_ERR_BAD_REQUEST",
  );
  assert.throws(() => decodeSettings(new TextEncoder().encode("{")), SyntaxError);
});

Deno.test("sameSettings() compares names, modes and motion settings", () => {
  assert.ok(!sameSettings(GATE, { ...GATE, name: "Door" }));
  assert.ok(!sameSettings(GATE, { ...GATE, recordMode: null }));
  assert.ok(!sameSettings(GATE, { ...GATE, motion: null }));
});

Deno.test("SettingsBook.seen() applies newer revisions only", () => {
  const book = new SettingsBook();
  assert.equal(book.seen(CAM, 3), true);
  assert.equal(book.seen(CAM, 3), false);
  assert.equal(book.seen(CAM, 2), false);
  book.writing(CAM);
  book.written(CAM, 7);
  assert.equal(book.seen(CAM, 7), false, "our own write comes back");
  assert.equal(book.seen(CAM, 8), true, "a later writer wins");
});

Deno.test("SettingsBook keeps a local change pending until written, and over older values", () => {
  const book = new SettingsBook();
  book.changed(CAM);
  assert.deepEqual(book.pending(), [CAM]);
  // NATS back: the watch reads what another hub wrote before; ours is still to be written.
  assert.equal(book.seen(CAM, 5), false);
  book.writing(CAM);
  assert.deepEqual(book.pending(), []);
  book.changed(CAM); // a failed write
  assert.deepEqual(book.pending(), [CAM]);
  book.writing(CAM);
  book.written(CAM, 6);
  assert.equal(book.seen(CAM, 5), false);
  assert.equal(book.seen(CAM, 9), true);
});

Deno.test("Registry.applySettings() creates an unknown camera and reports what changed", () => {
  const r = new Registry({ now: () => 0 });
  assert.deepEqual(r.applySettings(CAM, GATE), ["recording", "motion"]);
  assert.equal(r.get(CAM)?.name, "Gate");
  assert.equal(r.get(CAM)?.state, "offline");
  assert.deepEqual(r.settingsOf(CAM), GATE);
  assert.deepEqual(r.applySettings(CAM, GATE), []);
  assert.deepEqual(r.applySettings(CAM, { ...GATE, name: "Door" }), ["renamed"]);
  assert.equal(r.recordModeOf(CAM), "motion");
  assert.equal(r.motionSettingsOf(CAM).fps, 2);
  assert.equal(r.settingsOf("0123000000000000B0"), undefined);
});
