/**
 * The wall's keyboard shortcuts as a pure function from a key press and what the wall shows
 * to what it should do, so the rules are tested without a browser. The island calls it for
 * key presses outside text fields and performs the action.
 */
import { focusStep } from "./wall_layout.ts";

export type WallKeyAction =
  | { type: "focus"; index: number }
  | { type: "move"; serial: string; to: number }
  | { type: "enlarge"; serial: string }
  | { type: "restore" }
  | { type: "favourite"; serial: string }
  | { type: "kiosk" }
  | { type: "leave-kiosk" }
  | { type: "help" };

export interface WallKeyState {
  /** The tiles shown, in order. */
  tiles: readonly string[];
  /** The serial of the focused tile, if a tile has focus. */
  focused: string | undefined;
  /** Columns the grid has now. */
  columns: number;
  enlarged: string | null;
  kiosk: boolean;
  /** The shortcut list is open: only Esc and ? close it. */
  help: boolean;
}

export interface KeyPress {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

const ARROWS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"] as const;
type Arrow = typeof ARROWS[number];

/** What a key press does on the wall; null leaves it to the browser. */
export function wallKeyAction(k: KeyPress, s: WallKeyState): WallKeyAction | null {
  if (s.help) return k.key === "Escape" || k.key === "?" ? { type: "help" } : null;
  // The browser's and the system's own shortcuts stay theirs.
  if (k.ctrlKey || k.metaKey) return null;
  if (ARROWS.includes(k.key as Arrow)) {
    if (s.tiles.length === 0) return null;
    const at = s.focused === undefined ? -1 : s.tiles.indexOf(s.focused);
    if (at < 0) return k.altKey ? null : { type: "focus", index: 0 };
    const to = focusStep(at, s.tiles.length, s.columns, k.key as Arrow);
    if (k.altKey) return to === at ? null : { type: "move", serial: s.focused!, to };
    return { type: "focus", index: to };
  }
  if (k.altKey) return null;
  if (/^[1-9]$/.test(k.key)) {
    const serial = s.tiles[Number(k.key) - 1];
    return serial === undefined ? null : { type: "enlarge", serial };
  }
  switch (k.key) {
    case " ":
      return s.focused === undefined ? null : { type: "enlarge", serial: s.focused };
    case "s":
      return s.focused === undefined ? null : { type: "favourite", serial: s.focused };
    case "f":
      return { type: "kiosk" };
    case "?":
      return { type: "help" };
    case "Escape":
      return s.enlarged !== null ? { type: "restore" } : s.kiosk ? { type: "leave-kiosk" } : null;
  }
  return null;
}

/** Whether a key press lands in something the user types into: shortcuts stay out of it. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== "string") return false;
  const tag = el.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
}
