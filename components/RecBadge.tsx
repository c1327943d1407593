/** "REC" on a camera whose frames the hub is writing now: a word and a dot, not a colour alone. */
export function RecBadge({ class: extra = "" }: { class?: string }) {
  return (
    <span
      class={`inline-flex items-center gap-1 rounded bg-black/70 px-1.5 py-0.5 text-xs font-semibold tracking-wide text-red-300 ring-1 ring-red-500/60${
        extra ? ` ${extra}` : ""
      }`}
      title="The hub is recording this camera"
      data-rec=""
    >
      <span aria-hidden="true" class="h-2 w-2 rounded-full bg-red-500" />
      REC
    </span>
  );
}
