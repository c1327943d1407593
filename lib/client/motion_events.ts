/**
 * The events page as numbers: the stored events the hub lists (`GET /api/events`), the query
 * for a camera and a time range, live `motion` messages folded into the list, and the words
 * for a duration and a score. Pure, browser-safe: the island fetches and draws.
 */
import type { MotionMessage } from "../protocol.ts";
import { formatDuration } from "./format.ts";
import { DAY_MS, formatPlayhead, HOUR_MS, type TimelineMark } from "./timeline.ts";

/** A box in picture coordinates, each 0-1. */
export interface EventBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One event as the page holds it; times epoch ms. */
export interface EventItem {
  id: string;
  camera: string;
  startedAt: number;
  /** Null while the event is open. */
  endedAt: number | null;
  score: number;
  box: EventBox;
  thumbnail: string;
}

/** What the list shows: one camera or all, events overlapping [from, to] (to open: now on). */
export interface EventFilter {
  camera?: string;
  from: number;
  to?: number;
  limit: number;
}

export type RangePreset = "hour" | "day" | "week" | "custom";

export const PRESETS: readonly { value: Exclude<RangePreset, "custom">; label: string }[] = [
  { value: "hour", label: "Last hour" },
  { value: "day", label: "Last 24 h" },
  { value: "week", label: "Last 7 days" },
];

const PRESET_MS: Record<Exclude<RangePreset, "custom">, number> = {
  hour: HOUR_MS,
  day: DAY_MS,
  week: 7 * DAY_MS,
};

export const EVENT_PAGE_LIMIT = 100;

/** The range of a preset: from so long ago, open-ended, so new events belong in it. */
export function presetFilter(
  preset: Exclude<RangePreset, "custom">,
  now: number,
  camera?: string,
): EventFilter {
  return { camera, from: now - PRESET_MS[preset], limit: EVENT_PAGE_LIMIT };
}

/** `GET /api/events` for a filter: times as epoch ms. */
export function eventsUrl(f: EventFilter): string {
  const q = new URLSearchParams();
  if (f.camera) q.set("camera", f.camera);
  q.set("from", String(Math.floor(f.from)));
  if (f.to !== undefined) q.set("to", String(Math.ceil(f.to)));
  q.set("limit", String(f.limit));
  return `/api/events?${q}`;
}

function isUnit(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;
}

function readBox(b: unknown): EventBox | undefined {
  if (typeof b !== "object" || b === null) return undefined;
  const { x, y, w, h } = b as Record<string, unknown>;
  return isUnit(x) && isUnit(y) && isUnit(w) && isUnit(h) ? { x, y, w, h } : undefined;
}

function thumbnailOf(id: string): string {
  return `/api/events/${encodeURIComponent(id)}/thumbnail.jpg`;
}

/** The `events` of an answer; what cannot be read is left out, never thrown at the page. */
export function parseEvents(body: unknown): EventItem[] {
  const raw = (body as { events?: unknown } | null)?.events;
  if (!Array.isArray(raw)) return [];
  const out: EventItem[] = [];
  for (const e of raw) {
    if (typeof e !== "object" || e === null) continue;
    const { id, camera, score, thumbnail } = e as Record<string, unknown>;
    const startedAt = Date.parse((e as { startedAt?: string }).startedAt ?? "");
    const rawEnd = (e as { endedAt?: unknown }).endedAt;
    const endedAt = rawEnd === null || rawEnd === undefined ? null : Date.parse(String(rawEnd));
    const box = readBox((e as { box?: unknown }).box);
    if (typeof id !== "string" || typeof camera !== "string" || Number.isNaN(startedAt)) continue;
    if (Number.isNaN(endedAt) || !isUnit(score) || !box) continue;
    out.push({
      id,
      camera,
      startedAt,
      endedAt,
      score,
      box,
      thumbnail: typeof thumbnail === "string" ? thumbnail : thumbnailOf(id),
    });
  }
  return out;
}

/** Whether an event belongs in the filtered list. */
export function matches(f: EventFilter, e: { camera: string; startedAt: number }): boolean {
  if (f.camera && f.camera !== e.camera) return false;
  return e.startedAt <= (f.to ?? Infinity) && e.startedAt >= f.from;
}

/**
 * The list after a live `motion` message: a start is added on top, an end updates its event
 * (or adds it, when it started before the page listened); newest first, at most `f.limit`.
 * The same list when the message changes nothing shown.
 */
export function applyMotion(
  list: readonly EventItem[],
  msg: MotionMessage,
  f: EventFilter,
): readonly EventItem[] {
  const startedAt = Date.parse(msg.startedAt);
  const endedAt = msg.endedAt === undefined ? null : Date.parse(msg.endedAt);
  const i = list.findIndex((e) => e.id === msg.id);
  if (i < 0 && !matches(f, { camera: msg.camera, startedAt })) return list;
  const item: EventItem = {
    id: msg.id,
    camera: msg.camera,
    startedAt,
    endedAt,
    score: msg.score,
    box: msg.box,
    // The end may bring a better peak frame: a new query string fetches it again.
    thumbnail: `${thumbnailOf(msg.id)}${msg.state === "end" ? "?end" : ""}`,
  };
  const next = list.filter((e) => e.id !== msg.id);
  next.push(item);
  next.sort((a, b) => b.startedAt - a.startedAt);
  return next.slice(0, f.limit);
}

/** How long it lasted, or "ongoing" while open. */
export function formatEventDuration(e: EventItem): string {
  if (e.endedAt === null) return "ongoing";
  const ms = Math.max(0, e.endedAt - e.startedAt);
  return ms < 1000 ? "< 1 s" : formatDuration(ms / 1000);
}

/** The score (the changed part of the picture at the peak) as a percentage. */
export function formatScore(score: number): string {
  const pct = score * 100;
  return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)} %`;
}

/** The camera page at the event's moment, a little before it so its start is seen. */
export function eventLink(e: { camera: string; startedAt: number }, leadMs = 2000): string {
  return `/cameras/${encodeURIComponent(e.camera)}?at=${e.startedAt - leadMs}`;
}

/**
 * The `at` of a camera page's URL (epoch ms, what {@link eventLink} writes); undefined for
 * none or nonsense, and for the future (there is nothing to play there).
 */
export function parseAt(raw: string | null, now: number): number | undefined {
  if (raw === null || !/^\d{1,15}$/.test(raw)) return undefined;
  const t = Number(raw);
  return t > 0 && t <= now ? t : undefined;
}

/** The timeline's marks for events: at each start, saying when, how long and how much. */
export function eventMarks(events: readonly EventItem[], now: number): TimelineMark[] {
  return events.map((e) => ({
    at: e.startedAt,
    label: `Motion at ${formatPlayhead(e.startedAt, now)}, ${formatEventDuration(e)}, score ${
      formatScore(e.score)
    }`,
  }));
}

/**
 * A custom range from two `datetime-local` inputs (local time, "2026-11-27T14:00"); the
 * words of the problem when they do not make one. An empty end is open (now on).
 */
export function customFilter(
  fromText: string,
  toText: string,
  camera?: string,
): EventFilter | string {
  const local = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/;
  if (!local.test(fromText)) return "Choose when the range starts";
  // No zone: the browser reads it as local time, as the input shows it.
  const from = new Date(fromText).getTime();
  if (toText === "") return { camera, from, limit: EVENT_PAGE_LIMIT };
  if (!local.test(toText)) return `Invalid end: "${toText}"`;
  const to = new Date(toText).getTime();
  if (to <= from) return "The range must end after it starts";
  return { camera, from, to, limit: EVENT_PAGE_LIMIT };
}

/** A time for a `datetime-local` input: local, to the minute. */
export function toLocalInput(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${
    p(d.getMinutes())
  }`;
}
