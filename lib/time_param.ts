/**
 * Instants and ranges in playback query strings: ISO 8601 with a date and a time (a zone
 * offset or `Z`; without one it is UTC) or epoch milliseconds. A bad value is 400
 * `TC_ERR_BAD_TIME` with the parameter and the value quoted; a range whose start is after its
 * end is 400 `TC_ERR_BAD_RANGE`.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;
/** Epoch ms up to year 9999: past that no archive exists and Date cannot say it. */
const MAX_MS = 253_402_300_799_999;

/** Epoch ms of a query parameter's value. */
export function parseInstant(name: string, raw: string): number {
  let ms = NaN;
  if (/^\d{1,15}$/.test(raw)) ms = Number(raw);
  else if (ISO.test(raw)) ms = Date.parse(/Z|[+-]\d{2}:\d{2}$/.test(raw) ? raw : `${raw}Z`);
  if (!Number.isFinite(ms) || ms > MAX_MS) {
    throw new TrustcamError(
      "TC_ERR_BAD_TIME",
      `Invalid ${name}: ${quote(raw)}: expected ISO 8601 (2026-11-27T14:00:00Z) or epoch ms`,
    );
  }
  return ms;
}

/** A parameter that must be present. */
export function requireInstant(params: URLSearchParams, name: string): number {
  const raw = params.get(name);
  if (raw === null) throw new TrustcamError("TC_ERR_BAD_TIME", `Missing ${name}`);
  return parseInstant(name, raw);
}

/**
 * `from` and `to` of a query; `to` defaults to `now`, `from` to `defaultSpanMs` before `to`.
 */
export function parseRange(
  params: URLSearchParams,
  now: number,
  defaultSpanMs: number,
): { from: number; to: number } {
  const rawTo = params.get("to");
  const rawFrom = params.get("from");
  const to = rawTo === null ? now : parseInstant("to", rawTo);
  const from = rawFrom === null ? to - defaultSpanMs : parseInstant("from", rawFrom);
  if (from > to) {
    throw new TrustcamError(
      "TC_ERR_BAD_RANGE",
      `Invalid range: from ${quote(rawFrom)} is after to ${quote(rawTo ?? "now")}`,
    );
  }
  return { from, to };
}
