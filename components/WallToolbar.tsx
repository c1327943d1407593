/**
 * The wall's controls: grid size, order, group filter, data saver, fullscreen (kiosk) and the
 * shortcut help. Every change goes up as new preferences; the wall saves them on the hub.
 */
import type { ComponentChildren } from "preact";
import { WALL_COLUMNS, type WallPrefs } from "../lib/wall_prefs.ts";
import type { WallGroup } from "../lib/client/wall_layout.ts";
import type { SaveStatus } from "../lib/client/prefs_saver.ts";

export interface WallToolbarProps {
  prefs: WallPrefs;
  groups: readonly WallGroup[];
  onChange(prefs: WallPrefs): void;
  onKiosk(): void;
  onHelp(): void;
  /** The last save's outcome; a failure is shown until the next save. */
  save: SaveStatus;
}

const SEGMENT =
  "px-2 py-1 text-xs focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 first:rounded-l-md last:rounded-r-md";
const PRESSED = "bg-neutral-700 text-neutral-50";
const UNPRESSED = "bg-neutral-900 text-neutral-400 hover:bg-neutral-800 hover:text-neutral-200";
const SMALL_BUTTON =
  "inline-flex items-center gap-1 rounded-md bg-neutral-900 px-2 py-1 text-xs text-neutral-300 ring-1 ring-neutral-800 hover:bg-neutral-800 hover:text-neutral-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400";

export function WallToolbar({ prefs, groups, onChange, onKiosk, onHelp, save }: WallToolbarProps) {
  const set = (more: Partial<WallPrefs>) => onChange({ ...prefs, ...more });
  return (
    <div
      class="flex flex-wrap items-center gap-x-4 gap-y-2 text-xs text-neutral-400"
      role="toolbar"
      aria-label="Wall layout"
      data-wall-toolbar=""
      onKeyDown={roveWithArrows}
      onFocusCapture={(e) => takeTabStop(e.currentTarget as HTMLElement, e.target as HTMLElement)}
    >
      <Segments label="Grid">
        {WALL_COLUMNS.map((c) => (
          <Segment
            key={String(c)}
            pressed={prefs.columns === c}
            onClick={() => set({ columns: c })}
            title={c === "auto" ? "Columns follow the screen width" : `${c} columns`}
            data={{ "data-columns": String(c) }}
          >
            {c === "auto" ? "Auto" : String(c)}
          </Segment>
        ))}
      </Segments>
      <Segments label="Order">
        <Segment
          pressed={prefs.sort === "name"}
          onClick={() => set({ sort: "name" })}
          title="By camera name"
          data={{ "data-sort": "name" }}
        >
          Name
        </Segment>
        <Segment
          pressed={prefs.sort === "custom"}
          onClick={() => set({ sort: "custom" })}
          title="As you dragged the tiles"
          data={{ "data-sort": "custom" }}
        >
          Custom
        </Segment>
      </Segments>
      {groups.length > 0 && (
        <label class="flex items-center gap-2">
          <span>Group</span>
          <select
            class="rounded-md bg-neutral-900 px-2 py-1 text-xs text-neutral-200 ring-1 ring-neutral-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            value={prefs.group ?? ""}
            onChange={(e) => set({ group: (e.target as HTMLSelectElement).value || null })}
            tabIndex={-1}
            data-roving=""
            data-group-filter=""
          >
            <option value="">All cameras</option>
            {groups.map((g) => (
              <option key={g.name} value={g.name}>{g.name} ({g.cameras.length})</option>
            ))}
          </select>
        </label>
      )}
      <label
        class="flex cursor-pointer items-center gap-2"
        title="Lower frame rates on a slow link"
      >
        <input
          type="checkbox"
          class="accent-sky-500"
          checked={prefs.dataSaver}
          onChange={(e) => set({ dataSaver: (e.target as HTMLInputElement).checked })}
          tabIndex={-1}
          data-roving=""
          data-data-saver=""
        />
        <span>Data saver</span>
      </label>
      <div class="ml-auto flex items-center gap-2">
        <SaveState save={save} />
        <button
          type="button"
          class={SMALL_BUTTON}
          onClick={onKiosk}
          tabIndex={-1}
          data-roving=""
          title="Whole wall fullscreen (f)"
          data-action="kiosk"
        >
          <svg
            aria-hidden="true"
            viewBox="0 0 16 16"
            class="h-3 w-3"
            fill="none"
            stroke="currentColor"
            stroke-width="1.5"
          >
            <path d="M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4" />
          </svg>
          Fullscreen
        </button>
        <button
          type="button"
          class={SMALL_BUTTON}
          onClick={onHelp}
          tabIndex={-1}
          data-roving=""
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          data-action="help"
        >
          ?
        </button>
      </div>
    </div>
  );
}

/**
 * One Tab stop for the whole toolbar (the ARIA toolbar pattern), so Tab reaches the tiles
 * soon: left and right arrows (Home, End) move between its controls.
 */
function roveWithArrows(e: KeyboardEvent): void {
  if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) return;
  const bar = e.currentTarget as HTMLElement;
  const items = [...bar.querySelectorAll<HTMLElement>("[data-roving]")];
  const at = items.indexOf(e.target as HTMLElement);
  if (at < 0) return;
  const to = e.key === "Home"
    ? 0
    : e.key === "End"
    ? items.length - 1
    : (at + (e.key === "ArrowLeft" ? -1 : 1) + items.length) % items.length;
  // Handled here: the wall's own arrow shortcuts see defaultPrevented and stay out.
  e.preventDefault();
  items[to].focus();
}

/** The control that has focus becomes the toolbar's Tab stop. */
function takeTabStop(bar: HTMLElement, target: HTMLElement): void {
  if (!target.hasAttribute("data-roving")) return;
  for (const el of bar.querySelectorAll<HTMLElement>("[data-roving]")) {
    el.tabIndex = el === target ? 0 : -1;
  }
}

function Segments({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="flex items-center gap-2" role="group" aria-label={label}>
      <span>{label}</span>
      <div class="inline-flex divide-x divide-neutral-800 rounded-md ring-1 ring-neutral-800">
        {children}
      </div>
    </div>
  );
}

function Segment(
  { pressed, onClick, title, data, children }: {
    pressed: boolean;
    onClick(): void;
    title: string;
    data: Record<string, string>;
    children: ComponentChildren;
  },
) {
  return (
    <button
      type="button"
      class={`${SEGMENT} ${pressed ? PRESSED : UNPRESSED}`}
      aria-pressed={pressed}
      title={title}
      onClick={onClick}
      tabIndex={data["data-columns"] === "auto" ? 0 : -1}
      data-roving=""
      {...data}
    >
      {children}
    </button>
  );
}

function SaveState({ save }: { save: SaveStatus }) {
  if (save.state === "failed") {
    return (
      <span role="status" class="text-amber-300" data-save="failed" title={save.message}>
        Layout not saved: {save.message}
      </span>
    );
  }
  return (
    <span role="status" class="text-neutral-500" data-save={save.state}>
      {save.state === "saving" ? "Saving…" : ""}
    </span>
  );
}
