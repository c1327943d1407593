/** The settings page's list of every camera this viewer may see, with "Hide" for admins. */
import type { CameraInfo } from "../lib/client/messages.ts";
import { agoSince } from "../lib/client/format.ts";
import { StateBadge } from "./StateBadge.tsx";
import { BUTTON, Panel } from "./Panel.tsx";

export interface AllCamerasProps {
  cameras: readonly CameraInfo[];
  now: number;
  canManage: boolean;
  stale: boolean;
  busy: ReadonlySet<string>;
  onHide(serial: string): void;
}

export function AllCameras(p: AllCamerasProps) {
  return (
    <Panel title="All cameras">
      {p.cameras.length === 0
        ? <p class="text-sm text-neutral-400">No cameras yet.</p>
        : (
          <table class="w-full text-left text-sm" data-all-cameras="">
            <thead class="text-xs uppercase tracking-wide text-neutral-500">
              <tr>
                <th class="py-1 pr-3 font-medium">Name</th>
                <th class="hidden py-1 pr-3 font-medium sm:table-cell">Serial</th>
                <th class="py-1 pr-3 font-medium">State</th>
                <th class="hidden py-1 pr-3 font-medium md:table-cell">Last seen</th>
                <th class="py-1 font-medium">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody class="divide-y divide-neutral-800">
              {p.cameras.map((c) => (
                <tr key={c.serial} data-camera-row={c.serial}>
                  <td class="py-2 pr-3 text-neutral-100">{c.name}</td>
                  <td class="hidden py-2 pr-3 font-mono text-xs text-neutral-400 sm:table-cell">
                    {c.serial}
                  </td>
                  <td class="py-2 pr-3">
                    <StateBadge state={c.state} unknown={p.stale} />
                  </td>
                  <td class="hidden py-2 pr-3 text-neutral-400 md:table-cell">
                    {agoSince(c.lastSeen, p.now)}
                  </td>
                  <td class="py-2 text-right">
                    {c.hidden
                      ? <span class="text-xs text-neutral-400" data-is-hidden="">Hidden</span>
                      : p.canManage && (
                        <button
                          type="button"
                          class={BUTTON}
                          disabled={p.busy.has(c.serial) || p.stale}
                          onClick={() => p.onHide(c.serial)}
                          data-hide={c.serial}
                        >
                          Hide
                        </button>
                      )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </Panel>
  );
}
