/**
 * The timeline bar: recorded ranges shaded, tick labels, the playhead, the export selection;
 * click or drag to seek (the seek happens on release), wheel or buttons to zoom, buttons to
 * pan. Keyboard: it is a slider (arrows ±10 s, with Shift ±1 min, Page Up/Down a tenth of
 * the window, Home its start, End live); key seeks wait until the keys rest. The numbers come
 * from lib/client/timeline.ts.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  barMarks,
  barSpans,
  defaultWindow,
  formatPlayhead,
  formatSpan,
  MINUTE_MS,
  pan,
  pointerTime,
  spanOf,
  ticks,
  type TimelineMark,
  timeToFraction,
  type TimeWindow,
  zoom,
} from "../lib/client/timeline.ts";

export interface TimelineProps {
  win: TimeWindow;
  now: number;
  ranges: readonly { from: number; to: number }[];
  /** Motion events, once the hub reports them; none yet. */
  marks?: readonly TimelineMark[];
  /** The time shown on the canvas (now while live). */
  playhead: number;
  live: boolean;
  selection?: { from: number; to: number };
  onSeek(t: number): void;
  onLive(): void;
  onWindow(w: TimeWindow): void;
}

/** Keys seek once they rest this long, so holding an arrow sends one command, not dozens. */
const KEY_SEEK_DELAY_MS = 400;

export function Timeline(props: TimelineProps) {
  const { win, now } = props;
  const bar = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(960);
  /** The time under a drag, or a key seek waiting to be sent. */
  const [preview, setPreview] = useState<number>();
  const dragging = useRef(false);
  const keyTimer = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => {
    const el = bar.current;
    if (!el || typeof ResizeObserver !== "function") return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || 960));
    ro.observe(el);
    return () => {
      ro.disconnect();
      clearTimeout(keyTimer.current);
    };
  }, []);

  const timeAt = (clientX: number) => {
    const box = bar.current!.getBoundingClientRect();
    return Math.min(pointerTime(win, clientX, box.left, box.width), now);
  };

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    dragging.current = true;
    bar.current?.setPointerCapture?.(e.pointerId);
    bar.current?.focus();
    setPreview(timeAt(e.clientX));
  };
  const onPointerMove = (e: PointerEvent) => {
    if (dragging.current) setPreview(timeAt(e.clientX));
  };
  const onPointerUp = (e: PointerEvent) => {
    if (!dragging.current) return;
    dragging.current = false;
    setPreview(undefined);
    props.onSeek(timeAt(e.clientX));
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    props.onWindow(zoom(win, e.deltaY < 0 ? 0.8 : 1.25, timeAt(e.clientX), now));
  };

  const keySeek = (t: number) => {
    const to = Math.max(win.from, Math.min(t, now));
    setPreview(to);
    clearTimeout(keyTimer.current);
    keyTimer.current = setTimeout(() => {
      setPreview(undefined);
      props.onSeek(to);
    }, KEY_SEEK_DELAY_MS);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const from = preview ?? props.playhead;
    const step = e.shiftKey ? MINUTE_MS : 10_000;
    const page = spanOf(win) / 10;
    const moves: Record<string, () => void> = {
      ArrowLeft: () => keySeek(from - step),
      ArrowRight: () => keySeek(from + step),
      PageDown: () => keySeek(from - page),
      PageUp: () => keySeek(from + page),
      Home: () => keySeek(win.from),
      End: () => {
        clearTimeout(keyTimer.current);
        setPreview(undefined);
        props.onLive();
      },
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    move();
  };

  const head = preview ?? props.playhead;
  const headLeft = timeToFraction(win, head) * 100;
  const headInside = head >= win.from && head <= win.to;
  const spans = barSpans(win, props.ranges);
  const sel = props.selection ? barSpans(win, [props.selection], 0.4)[0] : undefined;
  const tickList = ticks(win, Math.max(2, Math.floor(width / 90)));
  const headText = props.live && preview === undefined ? "Live" : formatPlayhead(head, now);

  return (
    <div class="space-y-1" data-timeline="">
      <div class="flex flex-wrap items-center justify-between gap-2 text-xs text-neutral-400">
        <span data-window="">
          {formatSpan(spanOf(win))} · {formatPlayhead(win.from, now)} to{" "}
          {formatPlayhead(win.to, now)}
        </span>
        <div class="flex gap-1" role="group" aria-label="Timeline window">
          <SmallButton
            label="Earlier"
            onClick={() => props.onWindow(pan(win, -spanOf(win) / 2, now))}
          >
            ◀
          </SmallButton>
          <SmallButton
            label="Zoom out"
            onClick={() => props.onWindow(zoom(win, 2, head, now))}
            data-action="zoom-out"
          >
            −
          </SmallButton>
          <SmallButton
            label="Zoom in"
            onClick={() => props.onWindow(zoom(win, 0.5, head, now))}
            data-action="zoom-in"
          >
            +
          </SmallButton>
          <SmallButton label="Later" onClick={() => props.onWindow(pan(win, spanOf(win) / 2, now))}>
            ▶
          </SmallButton>
          <SmallButton label="Last 24 hours" onClick={() => props.onWindow(defaultWindow(now))}>
            24 h
          </SmallButton>
        </div>
      </div>
      <div
        ref={bar}
        role="slider"
        tabIndex={0}
        aria-label="Recording timeline"
        aria-valuemin={win.from}
        aria-valuemax={win.to}
        aria-valuenow={Math.round(head)}
        aria-valuetext={headText}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          dragging.current = false;
          setPreview(undefined);
        }}
        onWheel={onWheel}
        onKeyDown={onKeyDown}
        class="relative h-12 cursor-pointer touch-none select-none overflow-hidden rounded-md bg-neutral-900 ring-1 ring-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
        data-bar=""
      >
        {tickList.map((t) => (
          <div
            key={t.at}
            aria-hidden="true"
            class={`absolute inset-y-0 w-px ${t.major ? "bg-neutral-600" : "bg-neutral-800"}`}
            style={{ left: `${t.left}%` }}
          />
        ))}
        {spans.map((s) => (
          <div
            key={s.from}
            class="absolute inset-y-2 rounded-sm bg-sky-600/80"
            style={{ left: `${s.left}%`, width: `${s.width}%` }}
            title={`Recorded ${formatPlayhead(s.from, now)} to ${formatPlayhead(s.to, now)}`}
            data-range=""
          />
        ))}
        {sel && (
          <div
            aria-hidden="true"
            class="absolute inset-y-0 bg-amber-400/20 ring-1 ring-inset ring-amber-400"
            style={{ left: `${sel.left}%`, width: `${sel.width}%` }}
            data-selection=""
          />
        )}
        {barMarks(win, props.marks ?? []).map((m) => (
          <div
            key={m.at}
            class="absolute bottom-0 h-4 w-1.5 -translate-x-1/2 rounded-t-sm bg-amber-300"
            style={{ left: `${m.left}%` }}
            title={m.label}
            data-mark=""
          />
        ))}
        {headInside && (
          <div
            aria-hidden="true"
            class="pointer-events-none absolute inset-y-0 w-0.5 -translate-x-1/2 bg-red-500"
            style={{ left: `${headLeft}%` }}
            data-playhead=""
          />
        )}
        {preview !== undefined && (
          <span
            aria-hidden="true"
            class="pointer-events-none absolute top-0 -translate-x-1/2 rounded bg-black/80 px-1 font-mono text-xs text-neutral-100"
            style={{ left: `${Math.min(Math.max(headLeft, 5), 95)}%` }}
          >
            {formatPlayhead(preview, now)}
          </span>
        )}
      </div>
      <div aria-hidden="true" class="relative h-4 font-mono text-xs text-neutral-500">
        {tickList.filter((t) => t.left > 2 && t.left < 98).map((t) => (
          <span
            key={t.at}
            class={`absolute -translate-x-1/2 ${t.major ? "text-neutral-300" : ""}`}
            style={{ left: `${t.left}%` }}
          >
            {t.label}
          </span>
        ))}
      </div>
    </div>
  );
}

function SmallButton(
  { label, onClick, children, ...rest }: {
    label: string;
    onClick: () => void;
    children: string;
    "data-action"?: string;
  },
) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      onClick={onClick}
      class="min-w-[1.75rem] rounded bg-neutral-800 px-1.5 py-0.5 text-neutral-200 ring-1 ring-neutral-700 hover:bg-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
      {...rest}
    >
      {children}
    </button>
  );
}
