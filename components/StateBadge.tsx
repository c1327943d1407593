/** A camera's state as a word and a glyph, never as a colour alone. */
import type { CameraState } from "../lib/registry.ts";
import { STATE_STYLE } from "../lib/web/twind.ts";

/**
 * `unknown`: the page has lost its link to the hub, so the last state it heard is not shown
 * as if it were current (the title keeps it, for whoever wonders).
 */
export function StateBadge({ state, unknown }: { state: CameraState; unknown?: boolean }) {
  const s = STATE_STYLE[unknown ? "unknown" : state];
  return (
    <span
      class={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${s.badge}`}
      data-badge={unknown ? "unknown" : state}
      title={unknown ? `Last known: ${STATE_STYLE[state].label}` : undefined}
    >
      <span aria-hidden="true">{s.glyph}</span>
      {s.label}
    </span>
  );
}
