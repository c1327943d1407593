/**
 * One motion event on the events page: its thumbnail (lazy, a fixed 160 × 120 so the list
 * does not jump as pictures arrive), camera, start, duration and score, the whole card a link
 * to the camera page at that moment.
 */
import { useState } from "preact/hooks";
import {
  type EventItem,
  eventLink,
  formatEventDuration,
  formatScore,
} from "../lib/client/motion_events.ts";
import { formatPlayhead } from "../lib/client/timeline.ts";

export function EventCard({ event, name, now }: { event: EventItem; name: string; now: number }) {
  // A thumbnail not written yet (an event that just started) or gone: a placeholder.
  const [failed, setFailed] = useState<string>();
  const open = event.endedAt === null;
  const when = formatPlayhead(event.startedAt, now);
  return (
    <li>
      <a
        href={eventLink(event)}
        class="flex gap-3 rounded-lg bg-neutral-900 p-2 ring-1 ring-neutral-800 hover:ring-neutral-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
        data-event={event.id}
        data-camera={event.camera}
      >
        <div class="relative h-[120px] w-[160px] shrink-0 overflow-hidden rounded bg-black">
          {failed === event.thumbnail
            ? (
              <span class="flex h-full items-center justify-center text-xs text-neutral-500">
                No picture yet
              </span>
            )
            : (
              <img
                key={event.thumbnail}
                src={event.thumbnail}
                loading="lazy"
                width={160}
                height={120}
                alt={`Motion on ${name} at ${when}`}
                class="h-[120px] w-[160px] object-cover"
                onError={() => setFailed(event.thumbnail)}
                data-thumbnail=""
              />
            )}
        </div>
        <div class="min-w-0 space-y-0.5 text-sm">
          <p class="truncate font-medium text-neutral-100" title={name}>{name}</p>
          <p class="font-mono text-neutral-300" data-started={event.startedAt}>{when}</p>
          <p class="text-neutral-400">
            {open
              ? (
                <span class="font-semibold text-amber-300" data-ongoing="">
                  ● ongoing
                </span>
              )
              : <span data-duration="">{formatEventDuration(event)}</span>}
          </p>
          <p class="text-neutral-400">
            score{" "}
            <span class="font-mono text-neutral-200" data-score="">{formatScore(event.score)}</span>
          </p>
        </div>
      </a>
    </li>
  );
}
