/**
 * The export UI's view of an export job (`POST /api/exports`, `GET /api/exports/:id`,
 * docs/protocol.md): the EXPORT object read defensively, and the local date-time text of the
 * range inputs. Pure; runs in the browser and in tests.
 */

import type { ExportJson, ExportState } from "../exports.ts";

/** The EXPORT object (lib/exports.ts builds it on the hub; only its type comes here). */
export type ExportJob = ExportJson;

const STATES = new Set<string>(
  ["queued", "running", "done", "failed", "cancelled"] satisfies ExportState[],
);

/** An EXPORT object from the hub, or undefined when it is not one. */
export function parseExport(x: unknown): ExportJob | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  const o = x as Record<string, unknown>;
  if (
    typeof o.id !== "string" || typeof o.state !== "string" || !STATES.has(o.state) ||
    typeof o.camera !== "string"
  ) return undefined;
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v) ? v : 0;
  const job: ExportJob = {
    id: o.id,
    camera: o.camera,
    from: typeof o.from === "string" ? o.from : "",
    to: typeof o.to === "string" ? o.to : "",
    state: o.state as ExportState,
    percent: Math.min(100, Math.max(0, num(o.percent))),
    frames: num(o.frames),
    bytes: num(o.bytes),
  };
  if (typeof o.error === "string") job.error = o.error;
  // Only a path on this hub: the link is followed with the viewer's certificate.
  if (typeof o.file === "string" && o.file.startsWith("/api/exports/")) job.file = o.file;
  return job;
}

/** Whether the job will change no more (no more polling). */
export function isFinished(job: ExportJob): boolean {
  return job.state === "done" || job.state === "failed" || job.state === "cancelled";
}

/** Why a request failed, from the hub's `{"error":{"message"}}` body or the status. */
export function errorText(status: number, body: unknown): string {
  const msg = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof msg === "string" && msg ? msg : `HTTP ${status}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `<input type="datetime-local" step="1">` text for an instant, in the browser's zone. */
export function toLocalInput(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${
    pad2(d.getMinutes())
  }:${pad2(d.getSeconds())}`;
}

/** The instant of a datetime-local text (local time), or undefined when it is not one. */
export function fromLocalInput(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  const t = new Date(y, mo - 1, d, h, mi, s).getTime();
  return Number.isNaN(t) ? undefined : t;
}

/** A checked export range, or the reason it is not one (shown beside the inputs). */
export function exportRange(
  fromText: string,
  toText: string,
  now: number,
): { from: number; to: number } | { problem: string } {
  const from = fromLocalInput(fromText);
  const to = fromLocalInput(toText);
  if (from === undefined) return { problem: `Invalid start: "${fromText}"` };
  if (to === undefined) return { problem: `Invalid end: "${toText}"` };
  if (to <= from) return { problem: "The end must be after the start" };
  if (from > now) return { problem: "The start is in the future" };
  return { from, to: Math.min(to, now) };
}
