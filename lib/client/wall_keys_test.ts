import assert from "node:assert/strict";
import { isTyping, type KeyPress, wallKeyAction, type WallKeyState } from "./wall_keys.ts";

const TILES = ["A", "B", "C", "D", "E"];
const BASE: WallKeyState = {
  tiles: TILES,
  focused: undefined,
  columns: 2,
  enlarged: null,
  kiosk: false,
  help: false,
};

function press(key: string, more: Partial<KeyPress> = {}): KeyPress {
  return { key, altKey: false, ctrlKey: false, metaKey: false, ...more };
}

Deno.test("wallKeyAction() moves focus with the arrows, along rows and columns", () => {
  assert.deepEqual(wallKeyAction(press("ArrowRight"), BASE), { type: "focus", index: 0 });
  const onB = { ...BASE, focused: "B" };
  assert.deepEqual(wallKeyAction(press("ArrowRight"), onB), { type: "focus", index: 2 });
  assert.deepEqual(wallKeyAction(press("ArrowDown"), onB), { type: "focus", index: 3 });
  assert.deepEqual(wallKeyAction(press("ArrowUp"), onB), { type: "focus", index: 1 });
  assert.equal(wallKeyAction(press("ArrowDown"), { ...BASE, tiles: [] }), null);
});

Deno.test("wallKeyAction() moves the focused tile with Alt and the arrows", () => {
  const onB = { ...BASE, focused: "B" };
  assert.deepEqual(wallKeyAction(press("ArrowLeft", { altKey: true }), onB), {
    type: "move",
    serial: "B",
    to: 0,
  });
  assert.deepEqual(wallKeyAction(press("ArrowDown", { altKey: true }), onB), {
    type: "move",
    serial: "B",
    to: 3,
  });
  assert.equal(wallKeyAction(press("ArrowUp", { altKey: true }), onB), null);
  assert.equal(wallKeyAction(press("ArrowLeft", { altKey: true }), BASE), null);
});

Deno.test("wallKeyAction() enlarges with 1-9 and Space, and Esc restores then leaves kiosk", () => {
  assert.deepEqual(wallKeyAction(press("3"), BASE), { type: "enlarge", serial: "C" });
  assert.equal(wallKeyAction(press("9"), BASE), null);
  assert.equal(wallKeyAction(press(" "), BASE), null);
  assert.deepEqual(wallKeyAction(press(" "), { ...BASE, focused: "E" }), {
    type: "enlarge",
    serial: "E",
  });
  const both = { ...BASE, enlarged: "C", kiosk: true };
  assert.deepEqual(wallKeyAction(press("Escape"), both), { type: "restore" });
  assert.deepEqual(wallKeyAction(press("Escape"), { ...both, enlarged: null }), {
    type: "leave-kiosk",
  });
  assert.equal(wallKeyAction(press("Escape"), BASE), null);
});

Deno.test("wallKeyAction() toggles kiosk, help and favourites; leaves Ctrl and Meta alone", () => {
  assert.deepEqual(wallKeyAction(press("f"), BASE), { type: "kiosk" });
  assert.deepEqual(wallKeyAction(press("?"), BASE), { type: "help" });
  assert.deepEqual(wallKeyAction(press("s"), { ...BASE, focused: "A" }), {
    type: "favourite",
    serial: "A",
  });
  assert.equal(wallKeyAction(press("f", { ctrlKey: true }), BASE), null);
  assert.equal(wallKeyAction(press("1", { metaKey: true }), BASE), null);
  // With the list open, only Esc and ? (closing it) count.
  const help = { ...BASE, help: true };
  assert.deepEqual(wallKeyAction(press("Escape"), help), { type: "help" });
  assert.equal(wallKeyAction(press("f"), help), null);
});

Deno.test("isTyping() is true for text fields and editable elements only", () => {
  const el = (tagName: string, isContentEditable = false) =>
    ({ tagName, isContentEditable }) as unknown as EventTarget;
  assert.equal(isTyping(el("INPUT")), true);
  assert.equal(isTyping(el("TEXTAREA")), true);
  assert.equal(isTyping(el("SELECT")), true);
  assert.equal(isTyping(el("DIV", true)), true);
  assert.equal(isTyping(el("A")), false);
  assert.equal(isTyping(null), false);
});
