/**
 * The events page: recent motion events of the cameras this viewer may see, newest first,
 * each with its thumbnail, camera, start, duration and score, linking to the camera page at
 * that moment. Filters for a camera and a time range; new events arrive live from the hub's
 * `motion` messages (the socket subscribes to no frames).
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { LiveView } from "../lib/client/live_view.ts";
import {
  followStatus,
  INITIAL_LINK_STATUS,
  isStale,
  type LinkStatus,
} from "../lib/client/link_status.ts";
import type { AccessProblem } from "../lib/client/access_probe.ts";
import {
  applyMotion,
  customFilter,
  type EventFilter,
  type EventItem,
  eventsUrl,
  parseEvents,
  presetFilter,
  PRESETS,
  type RangePreset,
  toLocalInput,
} from "../lib/client/motion_events.ts";
import { HOUR_MS } from "../lib/client/timeline.ts";
import { ConnectionStatus } from "../components/ConnectionStatus.tsx";
import { CertificateRefused } from "../components/CertificateRefused.tsx";
import { EventCard } from "../components/EventCard.tsx";

export interface EventsProps {
  /** The cameras this viewer may see, for the filter and the names. */
  cameras: { serial: string; name: string }[];
  /** `?camera=`: the camera shown first; all when undefined. */
  camera?: string;
  renderedAt: number;
}

const CONTROL =
  "rounded-md bg-black px-2 py-1 text-sm text-neutral-100 ring-1 ring-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400";

export default function Events(props: EventsProps) {
  const [names, setNames] = useState(() => new Map(props.cameras.map((c) => [c.serial, c.name])));
  const [camera, setCamera] = useState(props.camera ?? "");
  const [preset, setPreset] = useState<RangePreset>("day");
  const [custom, setCustom] = useState({
    from: toLocalInput(props.renderedAt - HOUR_MS),
    to: "",
  });
  /** The filter of the list shown; a custom range applies on its button. */
  const [filter, setFilter] = useState<EventFilter | string>(() =>
    presetFilter("day", props.renderedAt, props.camera)
  );
  const [events, setEvents] = useState<readonly EventItem[]>();
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(props.renderedAt);
  const [conn, setConn] = useState<LinkStatus>(INITIAL_LINK_STATUS);
  /** Bumped when the link comes back: events that started or ended meanwhile were missed. */
  const [reload, setReload] = useState(0);
  const [refused, setRefused] = useState<{ problem: AccessProblem; viewer?: string }>();
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const live = useMemo(
    () =>
      typeof document === "undefined" ? undefined : new LiveView({
        observeTiles: false,
        onMessage: (msg) => {
          if (msg.type === "motion") {
            const f = filterRef.current;
            if (typeof f !== "string") setEvents((list) => list && applyMotion(list, msg, f));
          } else if (msg.type === "hello" || msg.type === "camera") {
            const cams = msg.type === "hello" ? msg.cameras : [msg.camera];
            setNames((m) => {
              const next = new Map(m);
              for (const c of cams) next.set(c.serial, c.name);
              return next;
            });
          }
        },
        onStatus: (status, retryAt) => setConn((c) => followStatus(c, status, retryAt, Date.now())),
        onEnded: (problem, viewer) => setRefused({ problem, viewer }),
      }),
    [],
  );

  useEffect(() => {
    if (!live) return;
    live.start();
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(timer);
      live.close();
    };
  }, [live]);

  const wasStale = useRef(false);
  useEffect(() => {
    if (isStale(conn)) wasStale.current = true;
    else if (conn.status === "open" && wasStale.current) {
      wasStale.current = false;
      setReload((n) => n + 1);
    }
  }, [conn]);

  useEffect(() => {
    if (typeof filter === "string" || !live) return;
    const ac = new AbortController();
    setError(undefined);
    fetch(eventsUrl(filter), { cache: "no-store", signal: ac.signal }).then(async (res) => {
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        setError(body?.error?.message ?? `Events could not be loaded: ${res.status}`);
        setEvents([]);
      } else setEvents(parseEvents(body));
    }).catch(() => {
      if (!ac.signal.aborted) setError("Events could not be loaded: the hub is not answering");
    });
    return () => ac.abort();
  }, [filter, live, reload]);

  if (refused) return <CertificateRefused problem={refused.problem} viewer={refused.viewer} />;

  const choose = (cam: string, p: RangePreset) => {
    setCamera(cam);
    setPreset(p);
    setFilter(
      p === "custom"
        ? customFilter(custom.from, custom.to, cam || undefined)
        : presetFilter(p, Date.now(), cam || undefined),
    );
  };
  const problem = typeof filter === "string" ? filter : error;

  return (
    <section class="space-y-4" aria-labelledby="events-title" data-events="">
      <div class="flex flex-wrap items-baseline justify-between gap-3">
        <h1 id="events-title" class="text-lg font-semibold text-neutral-100">
          Motion events
          {events && (
            <span class="ml-3 text-sm font-normal text-neutral-400" data-count="">
              {events.length} shown
            </span>
          )}
        </h1>
        <ConnectionStatus
          status={conn.status}
          retryAt={conn.retryAt}
          lostAt={conn.lostAt}
          now={now}
          onRetry={() => live?.retryNow()}
        />
      </div>
      <form
        class="flex flex-wrap items-end gap-3"
        aria-label="Filter events"
        onSubmit={(e) => {
          e.preventDefault();
          choose(camera, "custom");
        }}
      >
        <label class="block text-sm text-neutral-400">
          Camera
          <select
            name="camera"
            value={camera}
            onChange={(e) => choose((e.target as HTMLSelectElement).value, preset)}
            class={`${CONTROL} block`}
            data-filter-camera=""
          >
            <option value="">All cameras</option>
            {props.cameras.map((c) => (
              <option key={c.serial} value={c.serial}>{names.get(c.serial) ?? c.name}</option>
            ))}
          </select>
        </label>
        <div class="flex" role="group" aria-label="Time range">
          {[...PRESETS, { value: "custom" as const, label: "Custom" }].map((p) => (
            <button
              key={p.value}
              type="button"
              aria-pressed={preset === p.value}
              onClick={() => choose(camera, p.value)}
              class={`px-2.5 py-1 text-sm ring-1 ring-neutral-700 first:rounded-l-md last:rounded-r-md focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 ${
                preset === p.value
                  ? "bg-sky-700 text-white"
                  : "bg-neutral-800 text-neutral-200 hover:bg-neutral-700"
              }`}
              data-range={p.value}
            >
              {p.label}
            </button>
          ))}
        </div>
        {preset === "custom" && (
          <>
            <label class="block text-sm text-neutral-400">
              From
              <input
                type="datetime-local"
                value={custom.from}
                onInput={(e) =>
                  setCustom({ ...custom, from: (e.target as HTMLInputElement).value })}
                class={`${CONTROL} block`}
              />
            </label>
            <label class="block text-sm text-neutral-400">
              To (empty: now)
              <input
                type="datetime-local"
                value={custom.to}
                onInput={(e) => setCustom({ ...custom, to: (e.target as HTMLInputElement).value })}
                class={`${CONTROL} block`}
              />
            </label>
            <button
              type="submit"
              class="rounded-md bg-neutral-800 px-3 py-1 text-sm text-neutral-100 ring-1 ring-neutral-700 hover:bg-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            >
              Show
            </button>
          </>
        )}
      </form>
      {problem && <p role="alert" class="text-sm text-amber-300">{problem}</p>}
      {events === undefined
        ? <p class="text-sm text-neutral-400">Loading events…</p>
        : events.length === 0
        ? (
          <p class="text-sm text-neutral-400" data-no-events="">
            No motion events in this range. New ones appear here as they happen.
          </p>
        )
        : (
          <ul
            class="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4"
            aria-label="Motion events, newest first"
          >
            {events.map((e) => (
              <EventCard key={e.id} event={e} name={names.get(e.camera) ?? e.camera} now={now} />
            ))}
          </ul>
        )}
    </section>
  );
}
