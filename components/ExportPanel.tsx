/**
 * Export of a stretch of recording as MP4: from/to (local time, to the second; quick picks for
 * the last minutes and the playhead), then an export job on the hub (`POST /api/exports`)
 * polled for its progress, cancellable, and a download link once done. The chosen stretch is
 * drawn on the timeline.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  errorText,
  type ExportJob,
  exportRange,
  isFinished,
  parseExport,
  toLocalInput,
} from "../lib/client/export_job.ts";
import { formatBytes } from "../lib/client/format.ts";
import { MINUTE_MS } from "../lib/client/timeline.ts";

export interface ExportPanelProps {
  serial: string;
  /** The time on the canvas while replaying; undefined while live. */
  playhead: number | undefined;
  now: number;
  onSelection(sel: { from: number; to: number } | undefined): void;
}

const POLL_MS = 500;

export function ExportPanel({ serial, playhead, now, onSelection }: ExportPanelProps) {
  const [fromText, setFromText] = useState(() => toLocalInput(now - 5 * MINUTE_MS));
  const [toText, setToText] = useState(() => toLocalInput(now));
  const [job, setJob] = useState<ExportJob>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  /** The stretch is drawn on the timeline once the viewer has chosen one. */
  const [chosen, setChosen] = useState(false);
  const poller = useRef<ReturnType<typeof setTimeout>>();

  const range = exportRange(fromText, toText, now);
  const valid = !("problem" in range);
  useEffect(() => onSelection(valid && chosen ? range : undefined), [fromText, toText, chosen]);
  useEffect(() => () => clearTimeout(poller.current), []);

  const lastMinutes = (min: number) => {
    const t = Date.now();
    setChosen(true);
    setFromText(toLocalInput(t - min * MINUTE_MS));
    setToText(toLocalInput(t));
  };
  const choose = (set: (text: string) => void) => (text: string) => {
    setChosen(true);
    set(text);
  };
  const chooseFrom = choose(setFromText);
  const chooseTo = choose(setToText);

  const follow = (id: string) => {
    clearTimeout(poller.current);
    poller.current = setTimeout(async () => {
      try {
        const res = await fetch(`/api/exports/${encodeURIComponent(id)}`, { cache: "no-store" });
        const body = await res.json().catch(() => null);
        const next = res.ok ? parseExport(body) : undefined;
        if (!next) {
          setError(`Export lost: ${errorText(res.status, body)}`);
          setJob(undefined);
          return;
        }
        setJob(next);
        if (!isFinished(next)) follow(id);
      } catch (err) {
        setError(`Export status failed: ${(err as Error).message}`);
      }
    }, POLL_MS);
  };

  const start = async (e: Event) => {
    e.preventDefault();
    if ("problem" in range) return;
    setError(undefined);
    setBusy(true);
    try {
      const res = await fetch("/api/exports", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          camera: serial,
          from: new Date(range.from).toISOString(),
          to: new Date(range.to).toISOString(),
        }),
      });
      const body = await res.json().catch(() => null);
      const created = res.ok ? parseExport(body) : undefined;
      if (!created) {
        setError(`Export failed: ${errorText(res.status, body)}`);
        return;
      }
      setJob(created);
      if (!isFinished(created)) follow(created.id);
    } catch (err) {
      setError(`Export failed: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    if (!job) return;
    clearTimeout(poller.current);
    try {
      const res = await fetch(`/api/exports/${encodeURIComponent(job.id)}`, { method: "DELETE" });
      const body = await res.json().catch(() => null);
      const next = res.ok ? parseExport(body) : undefined;
      if (next) setJob(next);
      else setError(`Cancel failed: ${errorText(res.status, body)}`);
    } catch (err) {
      setError(`Cancel failed: ${(err as Error).message}`);
    }
  };

  const running = job !== undefined && !isFinished(job);
  return (
    <form
      onSubmit={start}
      class="space-y-2 border-t border-neutral-800 pt-3"
      aria-label="Export"
      data-export=""
    >
      <div class="flex flex-wrap items-end gap-3">
        <label class="text-sm text-neutral-400">
          <span class="block">Export from</span>
          <input
            type="datetime-local"
            step={1}
            value={fromText}
            onInput={(e) => chooseFrom((e.target as HTMLInputElement).value)}
            class={INPUT}
            data-export-from=""
          />
        </label>
        <label class="text-sm text-neutral-400">
          <span class="block">to</span>
          <input
            type="datetime-local"
            step={1}
            value={toText}
            onInput={(e) => chooseTo((e.target as HTMLInputElement).value)}
            class={INPUT}
            data-export-to=""
          />
        </label>
        <div class="flex flex-wrap gap-1" role="group" aria-label="Quick ranges">
          {[5, 30, 60].map((m) => (
            <button
              key={m}
              type="button"
              class={SMALL}
              onClick={() => lastMinutes(m)}
            >
              Last {m} min
            </button>
          ))}
          <button
            type="button"
            class={SMALL}
            disabled={playhead === undefined}
            onClick={() => playhead !== undefined && chooseFrom(toLocalInput(playhead))}
          >
            Start at playhead
          </button>
          <button
            type="button"
            class={SMALL}
            disabled={playhead === undefined}
            onClick={() => playhead !== undefined && chooseTo(toLocalInput(playhead))}
          >
            End at playhead
          </button>
        </div>
        <button
          type="submit"
          class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-300 disabled:opacity-50"
          disabled={!valid || busy || running}
          data-action="export"
        >
          Export MP4
        </button>
      </div>
      {"problem" in range && <p class="text-sm text-amber-300">{range.problem}</p>}
      {error && <p role="alert" class="text-sm text-amber-300">{error}</p>}
      {job && <JobStatus job={job} onCancel={cancel} />}
    </form>
  );
}

export function JobStatus({ job, onCancel }: { job: ExportJob; onCancel: () => void }) {
  const pct = Math.round(job.percent);
  return (
    <div class="flex flex-wrap items-center gap-3 text-sm" data-export-job={job.state}>
      {!isFinished(job) && (
        <>
          <div
            role="progressbar"
            aria-label="Export progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            class="h-2 w-48 overflow-hidden rounded-full bg-neutral-800"
          >
            <div class="h-full bg-sky-500" style={{ width: `${pct}%` }} />
          </div>
          <span class="font-mono tabular-nums text-neutral-300">
            {job.state === "queued" ? "Queued" : `${pct} %`}
          </span>
          <button type="button" class={SMALL} onClick={onCancel} data-action="cancel-export">
            Cancel
          </button>
        </>
      )}
      {job.state === "done" && job.file && (
        <a href={job.file} download class={SMALL} data-download="">
          Download MP4 · {formatBytes(job.bytes)}
        </a>
      )}
      {job.state === "failed" && (
        <span role="alert" class="text-amber-300">Export failed: {job.error ?? "unknown"}</span>
      )}
      {job.state === "cancelled" && <span class="text-neutral-400">Export cancelled</span>}
    </div>
  );
}

const INPUT =
  "mt-1 block rounded-md bg-black px-2 py-1 font-mono text-neutral-100 ring-1 ring-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400";
const SMALL =
  "inline-flex items-center rounded-md bg-neutral-800 px-2 py-1 text-sm text-neutral-200 ring-1 ring-neutral-700 hover:bg-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 disabled:opacity-50";
