/**
 * "MOTION" on a camera with an open motion event: a word and a mark, not a colour alone, the
 * REC badge's shape in amber so the two read as a pair side by side.
 */
export function MotionBadge({ class: extra = "" }: { class?: string }) {
  return (
    <span
      class={`inline-flex items-center gap-1 rounded bg-black/70 px-1.5 py-0.5 text-xs font-semibold tracking-wide text-amber-200 ring-1 ring-amber-400/70${
        extra ? ` ${extra}` : ""
      }`}
      title="Motion is being detected on this camera now"
      data-motion-badge=""
    >
      <span aria-hidden="true" class="h-2 w-2 animate-pulse rounded-full bg-amber-400" />
      MOTION
    </span>
  );
}
