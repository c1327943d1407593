/** A camera's state as a word and a glyph, never as a colour alone. */
import type { CameraState } from "../lib/registry.ts";
import { STATE_STYLE } from "../lib/web/twind.ts";

export function StateBadge({ state }: { state: CameraState }) {
  const s = STATE_STYLE[state];
  return (
    <span
      class={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${s.badge}`}
      data-badge={state}
    >
      <span aria-hidden="true">{s.glyph}</span>
      {s.label}
    </span>
  );
}
