/** The wall's keyboard shortcuts, listed in an overlay that `?` opens and Esc closes. */
import { Fragment } from "preact";

export const WALL_SHORTCUTS: readonly [keys: string, what: string][] = [
  ["← → ↑ ↓", "Move between tiles"],
  ["Alt + ← → ↑ ↓", "Move the focused tile (custom order)"],
  ["Space", "Enlarge the focused tile, or restore it"],
  ["1 – 9", "Enlarge the 1st to 9th tile"],
  ["Enter", "Open the focused camera's page"],
  ["s", "Star the focused tile (favourites come first)"],
  ["f", "Whole-wall fullscreen (kiosk), or leave it"],
  ["Esc", "Restore the enlarged tile, then leave fullscreen"],
  ["?", "Show or hide this list"],
];

export function ShortcutHelp({ onClose }: { onClose(): void }) {
  return (
    <div
      class="fixed inset-0 z-50 flex items-center justify-center bg-black/70 p-4"
      onClick={onClose}
      data-shortcut-help=""
    >
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcut-title"
        class="w-full max-w-md rounded-lg bg-neutral-900 p-5 ring-1 ring-neutral-700"
        onClick={(e) => e.stopPropagation()}
      >
        <div class="mb-3 flex items-center justify-between">
          <h2 id="shortcut-title" class="text-base font-semibold text-neutral-100">
            Keyboard shortcuts
          </h2>
          <button
            type="button"
            class="rounded px-2 text-neutral-400 hover:text-neutral-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            aria-label="Close"
            onClick={onClose}
            autofocus
          >
            ✕
          </button>
        </div>
        <dl class="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          {WALL_SHORTCUTS.map(([keys, what]) => (
            <Fragment key={keys}>
              <dt>
                <kbd class="rounded bg-neutral-800 px-1.5 py-0.5 font-mono text-xs text-neutral-200 ring-1 ring-neutral-700">
                  {keys}
                </kbd>
              </dt>
              <dd class="text-neutral-300">{what}</dd>
            </Fragment>
          ))}
        </dl>
        <p class="mt-3 text-xs text-neutral-500">
          Click a tile to enlarge it; click its name to open the camera's page.
        </p>
      </div>
    </div>
  );
}
