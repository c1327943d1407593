/**
 * Watching the recording on the camera page: the playing time shown large ("LIVE" while
 * live), play/pause, speeds, a Live button, the timeline and the export panel. Recorded frames
 * come through the page's one socket and painter (lib/client/live_view.ts); this component
 * only sends commands and reads, four times a second, what the canvas shows.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { HubMessage } from "../lib/client/messages.ts";
import { type ReplayState, SPEEDS } from "../lib/client/replay.ts";
import {
  DAY_MS,
  defaultWindow,
  follow,
  formatPlayhead,
  HOUR_MS,
  parseRanges,
  type RecordedSpan,
  reveal,
  seekTarget,
  type TimelineMark,
  type TimeWindow,
  zoom,
} from "../lib/client/timeline.ts";
import { Timeline } from "./Timeline.tsx";
import { ExportPanel } from "./ExportPanel.tsx";
import { RecBadge } from "./RecBadge.tsx";
import { MotionBadge } from "./MotionBadge.tsx";
import { eventMarks, parseEvents } from "../lib/client/motion_events.ts";

/** What the playback controls need of the page's live view (LiveView implements it). */
export interface ReplayHost {
  listen(listener: (msg: HubMessage) => void): () => void;
  play(serial: string, from: number, speed: number): void;
  pause(serial: string): void;
  goLive(serial: string): void;
  replayState(serial: string): ReplayState | undefined;
  shownAt(serial: string): number | undefined;
  paintRecorded(serial: string, at: number): Promise<number | undefined>;
}

export interface PlaybackProps {
  serial: string;
  host: ReplayHost | undefined;
  /** The hub is writing this camera's frames now. */
  recording: boolean;
  /** A motion event of this camera is open now. */
  motion?: boolean;
  /** Epoch ms to play from once the page is live (an event's link); live otherwise. */
  startAt?: number;
  renderedAt: number;
}

type Mode = "live" | ReplayState["mode"];

const POLL_MS = 250;
const RANGES_MS = 5000;

export function Playback(
  { serial, host, recording, motion, startAt, renderedAt }: PlaybackProps,
) {
  const [now, setNow] = useState(renderedAt);
  const [win, setWin] = useState<TimeWindow>(() => defaultWindow(renderedAt));
  const [ranges, setRanges] = useState<RecordedSpan[]>([]);
  const [marks, setMarks] = useState<TimelineMark[]>([]);
  /** Bumped by each motion message of this camera: the marks are loaded again. */
  const [motionSeen, setMotionSeen] = useState(0);
  const [replay, setReplay] = useState<ReplayState>();
  const [shown, setShown] = useState<number>();
  /** A seek while paused: where it went, until the still's own time is known. */
  const [stillAt, setStillAt] = useState<number>();
  const [speed, setSpeed] = useState(1);
  const [error, setError] = useState<string>();
  const [selection, setSelection] = useState<{ from: number; to: number }>();
  const winRef = useRef(win);
  winRef.current = win;
  const modeRef = useRef<Mode>("live");

  const mode: Mode = replay?.mode ?? "live";
  modeRef.current = mode;

  const poll = () => {
    if (!host) return;
    const r = host.replayState(serial);
    setReplay((old) => sameReplay(old, r) ? old : r);
    setShown(host.shownAt(serial));
    // The end of the archive: back to live, as the hub's own live picture continues it.
    if (r?.mode === "ended") host.goLive(serial);
  };

  useEffect(() => {
    if (!host) return;
    const timer = setInterval(poll, POLL_MS);
    const clock = setInterval(() => {
      const t = Date.now();
      setNow(t);
      setWin((w) => follow(w, t));
    }, 1000);
    const unlisten = host.listen((msg) => {
      if (msg.type === "replay" && msg.camera === serial) poll();
      if (msg.type === "motion" && msg.camera === serial) setMotionSeen((n) => n + 1);
      // A refused play (policy, the per-connection limit): the camera went back to live.
      if (msg.type === "error" && modeRef.current !== "live") {
        setError(msg.message || msg.code);
        poll();
      }
    });
    setNow(Date.now());
    setWin(defaultWindow(Date.now()));
    if (startAt !== undefined) {
      // An hour around the moment: its events' marks stand apart, not a 24 h blur.
      const t = Date.now();
      setWin(reveal(zoom(defaultWindow(t), HOUR_MS / DAY_MS, startAt, t), startAt, t));
      host.play(serial, startAt, 1);
      poll();
    }
    return () => {
      clearInterval(timer);
      clearInterval(clock);
      unlisten();
    };
  }, [host]);

  // The recorded ranges of the window, again every few seconds while the page is visible.
  const windowKey = `${Math.round(win.from / 60_000)}:${Math.round(win.to / 60_000)}`;
  useEffect(() => {
    if (!host) return;
    let ac: AbortController | undefined;
    const load = async () => {
      if (document.visibilityState === "hidden") return;
      ac?.abort();
      const mine = ac = new AbortController();
      const w = winRef.current;
      const base = `/api/cameras/${encodeURIComponent(serial)}`;
      const range = `from=${Math.floor(w.from)}&to=${Math.ceil(Math.min(w.to, Date.now()))}`;
      const get = (path: string) => fetch(path, { cache: "no-store", signal: mine.signal });
      try {
        const [res, events] = await Promise.all([
          get(`${base}/recordings?${range}`),
          // The most a bar can show apart; an old hub without events answers 404: no marks.
          get(`${base}/events?${range}&limit=500`).catch(() => undefined),
        ]);
        if (events?.ok) setMarks(eventMarks(parseEvents(await events.json()), Date.now()));
        if (!res.ok) return;
        const body = await res.json();
        setRanges(parseRanges(body?.ranges));
      } catch {
        // Aborted by a newer load, or the hub is away: the shading stays as it was.
      }
    };
    void load();
    const timer = setInterval(load, RANGES_MS);
    return () => {
      clearInterval(timer);
      ac?.abort();
    };
  }, [host, windowKey, motionSeen]);

  const live = mode === "live" || mode === "leaving";
  const playhead = live
    ? now
    : mode === "starting"
    ? replay!.from
    : mode === "paused"
    ? stillAt ?? shown ?? replay!.lastAt ?? replay!.from
    : shown ?? replay!.lastAt ?? replay!.from;

  // A playhead running off the window drags the window along.
  useEffect(() => {
    if (!live) setWin((w) => reveal(w, playhead, Date.now()));
  }, [live, Math.floor(playhead / 1000)]);

  // Called from the controls only, which act once hydrated, with the page's live view.
  const h = host!;
  const play = (from: number, at = speed) => {
    setError(undefined);
    setStillAt(undefined);
    h.play(serial, from, at);
    poll();
  };
  const goLive = () => {
    setStillAt(undefined);
    h.goLive(serial);
    poll();
  };
  const showStill = (t: number) => {
    setStillAt(t);
    void h.paintRecorded(serial, t).then((at) => at !== undefined && setStillAt(at));
  };
  const seek = (t: number) => {
    const target = seekTarget(ranges, t);
    // Nothing recorded after it: what follows is live.
    if (target === undefined) return goLive();
    if (mode === "paused") showStill(target);
    else play(target);
  };
  const toggle = () => {
    if (live) {
      // Freeze on the newest recorded frame: a replay from now, paused at once.
      if (ranges.length === 0) return;
      const t = Date.now();
      h.play(serial, t, speed);
      h.pause(serial);
      showStill(t);
      poll();
    } else if (mode === "paused") {
      play(stillAt ?? shown ?? replay!.lastAt ?? replay!.from);
    } else {
      setStillAt(shown);
      h.pause(serial);
      poll();
    }
  };
  const changeSpeed = (x: number) => {
    setSpeed(x);
    if (mode === "playing" || mode === "starting") play(playhead, x);
  };

  // Space toggles play anywhere on the page but where it means something else.
  const toggleRef = useRef(toggle);
  toggleRef.current = toggle;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== " " || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement | null;
      if (el?.closest?.("button, a, input, select, textarea, [contenteditable]")) return;
      e.preventDefault();
      toggleRef.current();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const playing = mode === "playing" || mode === "starting";
  const canFreeze = !live || ranges.length > 0;
  return (
    <section
      class="space-y-3 rounded-lg bg-neutral-900 p-4 ring-1 ring-neutral-800"
      aria-label="Recording"
      data-playback={mode}
    >
      <div class="flex flex-wrap items-center justify-between gap-3">
        <div class="flex items-baseline gap-3">
          <p
            class={`font-mono text-3xl font-semibold tabular-nums ${
              live ? "text-red-400" : "text-neutral-100"
            }`}
            aria-live="off"
            data-playtime={live ? "live" : String(Math.round(playhead))}
          >
            {live ? "● LIVE" : formatPlayhead(playhead, now)}
          </p>
          <span class="text-sm text-neutral-400" data-mode="">
            {modeText(mode, speed)}
          </span>
          {motion && <MotionBadge />}
          {recording && <RecBadge />}
        </div>
        <div class="flex flex-wrap items-center gap-2">
          <button
            type="button"
            class={BUTTON}
            onClick={toggle}
            disabled={!canFreeze}
            aria-keyshortcuts="Space"
            data-action="play-pause"
          >
            <span aria-hidden="true">{playing || live ? "❚❚" : "▶"}</span>
            {playing || live ? "Pause" : "Play"}
          </button>
          <div class="flex" role="group" aria-label="Playback speed">
            {SPEEDS.map((x) => (
              <button
                key={x}
                type="button"
                aria-pressed={speed === x}
                onClick={() => changeSpeed(x)}
                class={`px-2.5 py-1.5 text-sm ring-1 ring-neutral-700 first:rounded-l-md last:rounded-r-md focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 ${
                  speed === x
                    ? "bg-sky-700 text-white"
                    : "bg-neutral-800 text-neutral-200 hover:bg-neutral-700"
                }`}
                data-speed={x}
              >
                {x}×
              </button>
            ))}
          </div>
          <button
            type="button"
            class={BUTTON}
            onClick={goLive}
            aria-pressed={live}
            data-action="live"
          >
            <span aria-hidden="true" class="h-2 w-2 rounded-full bg-red-500" />
            Live
          </button>
        </div>
      </div>
      {error && <p role="alert" class="text-sm text-amber-300">{error}</p>}
      <Timeline
        win={win}
        now={now}
        ranges={ranges}
        marks={marks}
        playhead={playhead}
        live={live}
        selection={selection}
        onSeek={seek}
        onLive={goLive}
        onWindow={setWin}
      />
      {ranges.length === 0 && (
        <p class="text-sm text-neutral-400" data-no-recording="">
          Nothing recorded in this window{recording ? " yet" : ""}.
        </p>
      )}
      <ExportPanel
        serial={serial}
        playhead={live ? undefined : playhead}
        now={now}
        onSelection={setSelection}
      />
    </section>
  );
}

export const BUTTON =
  "inline-flex items-center gap-2 rounded-md bg-neutral-800 px-3 py-1.5 text-sm text-neutral-100 ring-1 ring-neutral-700 hover:bg-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 disabled:opacity-50";

function modeText(mode: Mode, speed: number): string {
  switch (mode) {
    case "starting":
      return "Seeking…";
    case "playing":
      return `Playing ${speed}×`;
    case "paused":
      return "Paused";
    case "ended":
      return "End of recording";
    default:
      return "";
  }
}

function sameReplay(a: ReplayState | undefined, b: ReplayState | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.mode === b.mode &&
    a.from === b.from && a.speed === b.speed && a.lastAt === b.lastAt);
}
