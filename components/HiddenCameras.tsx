/**
 * The settings page's hidden cameras: name, serial, state and last seen of each camera an
 * admin hid from the wall, with "Show on wall" and "Remove…" (a confirmation saying that
 * recordings and motion events are kept; disabled, with the reason, while it is online).
 */
import { useState } from "preact/hooks";
import type { CameraInfo } from "../lib/client/messages.ts";
import { removeBlocker } from "../lib/client/admin_api.ts";
import { agoSince } from "../lib/client/format.ts";
import { StateBadge } from "./StateBadge.tsx";
import { BUTTON, Panel } from "./Panel.tsx";

export const DANGER =
  "inline-flex items-center gap-2 rounded-md bg-red-800 px-3 py-1.5 text-sm text-white ring-1 ring-red-600 hover:bg-red-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400";

export interface HiddenCamerasProps {
  cameras: readonly CameraInfo[];
  now: number;
  canManage: boolean;
  /** The page's link is down: states are the last heard, actions wait. */
  stale: boolean;
  busy: ReadonlySet<string>;
  onShow(serial: string): void;
  onRemove(serial: string): void;
}

export function HiddenCameras(p: HiddenCamerasProps) {
  const [confirming, setConfirming] = useState<string>();
  return (
    <Panel title="Hidden cameras">
      {p.cameras.length === 0
        ? (
          <p class="text-sm text-neutral-400" data-hidden-empty="">
            No hidden cameras. Hide one below to keep it off the wall.
          </p>
        )
        : (
          <ul class="divide-y divide-neutral-800" data-hidden-list="">
            {p.cameras.map((c) => {
              const blocker = removeBlocker(c);
              const busy = p.busy.has(c.serial);
              return (
                <li key={c.serial} class="space-y-2 py-3" data-hidden-camera={c.serial}>
                  <div class="flex flex-wrap items-center gap-x-4 gap-y-1">
                    <span class="font-medium text-neutral-100">{c.name}</span>
                    <span class="font-mono text-xs text-neutral-400">{c.serial}</span>
                    <StateBadge state={c.state} unknown={p.stale} />
                    <span class="text-xs text-neutral-400">
                      Last seen {agoSince(c.lastSeen, p.now)}
                    </span>
                  </div>
                  {p.canManage && (
                    <div class="flex flex-wrap items-center gap-2">
                      <button
                        type="button"
                        class={BUTTON}
                        disabled={busy || p.stale}
                        onClick={() => p.onShow(c.serial)}
                        data-show={c.serial}
                      >
                        Show on wall
                      </button>
                      <button
                        type="button"
                        class={BUTTON}
                        disabled={busy || p.stale || blocker !== null}
                        aria-describedby={blocker ? `remove-why-${c.serial}` : undefined}
                        onClick={() => setConfirming(c.serial)}
                        data-remove={c.serial}
                      >
                        Remove…
                      </button>
                      {blocker && (
                        <span id={`remove-why-${c.serial}`} class="text-xs text-amber-300">
                          {blocker}
                        </span>
                      )}
                    </div>
                  )}
                  {confirming === c.serial && blocker === null && (
                    <div
                      role="alertdialog"
                      aria-labelledby={`confirm-${c.serial}`}
                      class="space-y-2 rounded-md bg-neutral-950 p-3 ring-1 ring-red-700"
                      data-confirm-remove={c.serial}
                    >
                      <p id={`confirm-${c.serial}`} class="text-sm text-neutral-200">
                        Remove <strong>{c.name}</strong>{" "}
                        from the hub? Its recordings and motion events are kept. If it connects
                        again it comes back as a new camera, named after its serial.
                      </p>
                      <div class="flex gap-2">
                        <button
                          type="button"
                          class={DANGER}
                          disabled={busy}
                          onClick={() => {
                            setConfirming(undefined);
                            p.onRemove(c.serial);
                          }}
                          data-confirm=""
                        >
                          Remove camera
                        </button>
                        <button
                          type="button"
                          class={BUTTON}
                          onClick={() => setConfirming(undefined)}
                        >
                          Cancel
                        </button>
                      </div>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        )}
    </Panel>
  );
}
