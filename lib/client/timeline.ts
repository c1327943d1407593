/**
 * The camera page's timeline as numbers: a window of time (the last 24 h by default) that zooms
 * around a point and pans, the recorded ranges inside it as spans in percent, positions
 * (fractions of the bar's width) to times and back, tick marks with labels, the playhead.
 * Pure: the component measures the bar and draws what these functions return.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** The window never gets narrower than this (a few frames per pixel at most)... */
export const MIN_SPAN_MS = 2 * MINUTE_MS;
/** ...nor wider: the default retention is 7 days. */
export const MAX_SPAN_MS = 7 * DAY_MS;
/** A window whose end is this close to now keeps following now. */
const FOLLOW_SLACK_MS = 2 * MINUTE_MS;

/** The stretch of time the bar shows, epoch ms, `from < to`. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** A recorded stretch, as `GET /api/cameras/:serial/recordings` lists it (times parsed). */
export interface RecordedSpan {
  from: number;
  to: number;
  frames: number;
}

/** Something drawn on the bar: a span (recording, selection) in percent of its width. */
export interface BarSpan {
  from: number;
  to: number;
  /** Percent of the bar's width from its left edge, 0-100. */
  left: number;
  /** Percent of the bar's width, > 0. */
  width: number;
}

/** A point event on the bar (motion, once it exists): where and what. */
export interface TimelineMark {
  at: number;
  label: string;
}

export interface Tick {
  at: number;
  /** Percent of the bar's width. */
  left: number;
  label: string;
  /** A tick on a local midnight: the label is the date. */
  major: boolean;
}

/** The last `span` ms up to `now`. */
export function defaultWindow(now: number, span = DAY_MS): TimeWindow {
  return { from: now - span, to: now };
}

export function spanOf(w: TimeWindow): number {
  return w.to - w.from;
}

/** Whether the window ends at (about) now, so it should slide along with time. */
export function followsNow(w: TimeWindow, now: number): boolean {
  return Math.abs(w.to - now) <= FOLLOW_SLACK_MS;
}

/** A window that follows now, moved to end at `now`; any other unchanged. */
export function follow(w: TimeWindow, now: number): TimeWindow {
  return followsNow(w, now) && w.to !== now ? { from: now - spanOf(w), to: now } : w;
}

/**
 * Zooms by `factor` (< 1 in, > 1 out) keeping `center` where it is on the bar, the span kept
 * within [{@link MIN_SPAN_MS}, {@link MAX_SPAN_MS}] and the end not past `now`.
 */
export function zoom(w: TimeWindow, factor: number, center: number, now: number): TimeWindow {
  const span = clamp(spanOf(w) * factor, MIN_SPAN_MS, MAX_SPAN_MS);
  const f = clamp((center - w.from) / spanOf(w), 0, 1);
  return limitEnd({ from: center - f * span, to: center - f * span + span }, now);
}

/** Moves the window by `deltaMs` (negative: back in time), never past `now`. */
export function pan(w: TimeWindow, deltaMs: number, now: number): TimeWindow {
  return limitEnd({ from: w.from + deltaMs, to: w.to + deltaMs }, now);
}

/** The window moved as little as needed to show `t` (the playhead running off an edge). */
export function reveal(w: TimeWindow, t: number, now: number): TimeWindow {
  if (t >= w.from && t <= w.to) return w;
  const span = spanOf(w);
  // Put it a tenth in from the edge it left by, so it does not leave again at once.
  const from = t < w.from ? t - span / 10 : t - span * 0.9;
  return limitEnd({ from, to: from + span }, now);
}

function limitEnd(w: TimeWindow, now: number): TimeWindow {
  return w.to <= now ? w : { from: now - spanOf(w), to: now };
}

/** Where `t` is on the bar, as a fraction 0-1 (clamped). */
export function timeToFraction(w: TimeWindow, t: number): number {
  return clamp((t - w.from) / spanOf(w), 0, 1);
}

/** The time at a fraction 0-1 of the bar (clamped), rounded to the millisecond. */
export function fractionToTime(w: TimeWindow, f: number): number {
  return Math.round(w.from + clamp(f, 0, 1) * spanOf(w));
}

/** The time under a pointer at `x` on a bar whose box starts at `left` and is `width` wide. */
export function pointerTime(w: TimeWindow, x: number, left: number, width: number): number {
  return fractionToTime(w, width > 0 ? (x - left) / width : 0);
}

/**
 * The spans of `ranges` inside the window, cut to it, in percent; each at least `minWidth`
 * percent wide so a short recording still shows (a 1 s range in a 24 h bar is 0.001 %).
 */
export function barSpans(
  w: TimeWindow,
  ranges: readonly { from: number; to: number }[],
  minWidth = 0.25,
): BarSpan[] {
  const out: BarSpan[] = [];
  for (const r of ranges) {
    if (r.to < w.from || r.from > w.to) continue;
    const from = Math.max(r.from, w.from);
    const to = Math.min(r.to, w.to);
    let left = timeToFraction(w, from) * 100;
    const width = Math.max((to - from) / spanOf(w) * 100, minWidth);
    // Widened at the right edge: grow leftwards instead of spilling out of the bar.
    if (left + width > 100) left = Math.max(0, 100 - width);
    out.push({ from, to, left, width });
  }
  return out;
}

/** Marks inside the window with their position in percent. */
export function barMarks(
  w: TimeWindow,
  marks: readonly TimelineMark[],
): (TimelineMark & { left: number })[] {
  return marks.filter((m) => m.at >= w.from && m.at <= w.to)
    .map((m) => ({ ...m, left: timeToFraction(w, m.at) * 100 }));
}

/** The `ranges` of a recordings answer, times parsed; what cannot be read is left out. */
export function parseRanges(x: unknown): RecordedSpan[] {
  if (!Array.isArray(x)) return [];
  const out: RecordedSpan[] = [];
  for (const r of x) {
    const from = Date.parse(r?.from);
    const to = Date.parse(r?.to);
    if (Number.isNaN(from) || Number.isNaN(to) || to < from) continue;
    out.push({ from, to, frames: typeof r.frames === "number" ? r.frames : 0 });
  }
  return out;
}

/** Whether `t` falls inside a recorded range. */
export function isRecorded(ranges: readonly { from: number; to: number }[], t: number): boolean {
  return ranges.some((r) => t >= r.from && t <= r.to);
}

/**
 * Where a seek to `t` lands: `t` itself inside a recording, else the start of the next one
 * (a click in a gap plays what follows), else undefined (nothing after `t`).
 */
export function seekTarget(
  ranges: readonly { from: number; to: number }[],
  t: number,
): number | undefined {
  if (isRecorded(ranges, t)) return t;
  let next: number | undefined;
  for (const r of ranges) if (r.from > t && (next === undefined || r.from < next)) next = r.from;
  return next;
}

/** Tick steps, smallest first: each divides a day, so ticks fall on round local times. */
const STEPS = [
  MINUTE_MS,
  2 * MINUTE_MS,
  5 * MINUTE_MS,
  10 * MINUTE_MS,
  15 * MINUTE_MS,
  30 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  DAY_MS,
];

/** Local time offset at an instant, ms to add to UTC (the browser's zone by default). */
export type ZoneOffset = (t: number) => number;

export const localOffset: ZoneOffset = (t) => -new Date(t).getTimezoneOffset() * MINUTE_MS;

/**
 * Ticks on round local times, the smallest step that gives at most `maxTicks` (the bar's width
 * / ~80 px). Labels are "HH:MM", or the date ("27 Nov") on a midnight.
 */
export function ticks(w: TimeWindow, maxTicks: number, offset: ZoneOffset = localOffset): Tick[] {
  const span = spanOf(w);
  const step = STEPS.find((s) => span / s <= Math.max(1, maxTicks)) ?? DAY_MS;
  const out: Tick[] = [];
  const off = offset(w.from);
  // First local multiple of the step at or after the window's start.
  let local = Math.ceil((w.from + off) / step) * step;
  for (; local - off <= w.to; local += step) {
    const at = local - off;
    const d = new Date(local);
    const major = local % DAY_MS === 0;
    out.push({
      at,
      left: timeToFraction(w, at) * 100,
      label: major
        ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`
        : `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`,
      major,
    });
  }
  return out;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The playing time, large: "14:03:27" (local), with the date when not today. */
export function formatPlayhead(t: number, now: number, offset: ZoneOffset = localOffset): string {
  const d = new Date(t + offset(t));
  const today = new Date(now + offset(now));
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const sameDay = d.getUTCFullYear() === today.getUTCFullYear() &&
    d.getUTCMonth() === today.getUTCMonth() && d.getUTCDate() === today.getUTCDate();
  return sameDay ? time : `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${time}`;
}

/** A window's span for people: "24 h", "3 h", "30 min". */
export function formatSpan(ms: number): string {
  if (ms > DAY_MS && ms % DAY_MS === 0) return `${ms / DAY_MS} d`;
  if (ms >= HOUR_MS) return `${+(ms / HOUR_MS).toFixed(1)} h`;
  return `${Math.round(ms / MINUTE_MS)} min`;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
