/**
 * The wall's kiosk: the wall section in fullscreen (the Fullscreen API), every tile on the
 * screen at once. Kiosk stands without the API too (refused, or an embedded browser): the
 * section then covers the page by its own classes.
 */
import { type RefObject } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { WallPrefs } from "../wall_prefs.ts";
import { kioskGrid } from "./wall_layout.ts";

export interface Kiosk {
  kiosk: boolean;
  /** The screen kiosk fills, followed while in kiosk. */
  screen: { width: number; height: number };
  enterKiosk(): void;
  leaveKiosk(): void;
}

export function useKiosk(section: RefObject<HTMLElement>, onEnter: () => void): Kiosk {
  const [kiosk, setKiosk] = useState(false);
  const [screen, setScreen] = useState({ width: 1280, height: 800 });

  // Kiosk follows the real fullscreen: leaving it by the browser's own means (Esc held, F11)
  // leaves kiosk too.
  useEffect(() => {
    const follow = () => {
      if (!document.fullscreenElement) setKiosk(false);
    };
    document.addEventListener("fullscreenchange", follow);
    return () => document.removeEventListener("fullscreenchange", follow);
  }, []);

  useEffect(() => {
    if (!kiosk) return;
    const follow = () => setScreen({ width: innerWidth, height: innerHeight });
    follow();
    addEventListener("resize", follow);
    return () => removeEventListener("resize", follow);
  }, [kiosk]);

  const enterKiosk = () => {
    setKiosk(true);
    onEnter();
    section.current?.requestFullscreen?.().then(() => {
      // Esc then reaches the page (restore a tile first); holding it leaves fullscreen.
      (navigator as { keyboard?: { lock?(keys: string[]): Promise<void> } }).keyboard
        ?.lock?.(["Escape"]).catch(() => {});
    }).catch(() => {});
  };
  const leaveKiosk = () => {
    setKiosk(false);
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
  };
  return { kiosk, screen, enterKiosk, leaveKiosk };
}

/** Kiosk's grid: every tile on the screen at once, as large as the screen allows. */
export function kioskStyle(
  count: number,
  screen: { width: number; height: number },
  prefs: WallPrefs,
): Record<string, string> {
  // Less the header line and the padding.
  const g = kioskGrid(count, screen.width - 16, screen.height - 48, prefs.columns);
  return {
    gridTemplateColumns: `repeat(${g.columns}, minmax(0, 1fr))`,
    gridTemplateRows: `repeat(${g.rows}, minmax(0, 1fr))`,
  };
}
