/** The camera page's side panels: a titled box, and label/value rows for its figures. */
import type { ComponentChildren } from "preact";

export const BUTTON =
  "inline-flex items-center gap-2 rounded-md bg-neutral-800 px-3 py-1.5 text-sm text-neutral-100 ring-1 ring-neutral-700 hover:bg-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400";

export const DL = "grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm";

export function Panel(
  { title, children, ...rest }: {
    title: string;
    children: ComponentChildren;
    "data-motion-settings"?: string;
  },
) {
  return (
    <section class="rounded-lg bg-neutral-900 p-4 ring-1 ring-neutral-800" {...rest}>
      <h2 class="mb-3 text-sm font-semibold uppercase tracking-wide text-neutral-400">{title}</h2>
      {children}
    </section>
  );
}

export function Row({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt class="text-neutral-400">{label}</dt>
      <dd class="font-mono text-neutral-200">{value}</dd>
    </>
  );
}
