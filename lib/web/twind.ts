/**
 * The one twind configuration, shared by the server (CSS extracted from rendered markup) and
 * the islands runtime (CSS for classes islands add later), so both produce the same rules.
 * A dark theme for a wall monitor: near-black surfaces, muted text, no pure white.
 */
import { defineConfig } from "@twind/core";
import presetTailwind from "@twind/preset-tailwind";

export const twindConfig = defineConfig({
  presets: [presetTailwind()],
  // Class names must read the same in the server's CSS and in the client's: no hashing.
  hash: false,
  theme: {
    extend: {
      // The page background: near-black, darker than neutral-900 panels (Tailwind 3.2's
      // palette, which twind ships, stops at 900).
      colors: { wall: "#0a0a0a" },
      // A 1080p wall monitor fits 16 tiles in three rows of six.
      screens: { "3xl": "1800px" },
      fontFamily: {
        sans: ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        mono: ["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
      },
    },
  },
  preflight: {
    html: { colorScheme: "dark" },
    body: { backgroundColor: "#0a0a0a", color: "#d4d4d4" },
  },
});

/** Tile and badge classes by camera state; the badge also carries a word and a glyph. */
export const STATE_STYLE = {
  online: {
    badge: "bg-emerald-900 text-emerald-100 ring-emerald-500",
    glyph: "●",
    label: "Online",
  },
  stalled: { badge: "bg-amber-900 text-amber-100 ring-amber-500", glyph: "◐", label: "Stalled" },
  offline: {
    badge: "bg-neutral-800 text-neutral-300 ring-neutral-500",
    glyph: "○",
    label: "Offline",
  },
  /** Not a camera state: the page has lost its link to the hub and cannot tell. */
  unknown: {
    badge: "bg-neutral-900 text-neutral-400 ring-neutral-600",
    glyph: "?",
    label: "Unknown",
  },
} as const;

/** How a picture is dimmed: a stalled or offline camera's, or any while the hub is away. */
export const DIMMED = {
  stalled: "grayscale-[60%] opacity-70",
  offline: "grayscale opacity-40",
  unknown: "grayscale opacity-50",
} as const;
