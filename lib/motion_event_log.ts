/**
 * Stored motion events as routes see them: the EVENT object of docs/protocol.md, the query
 * of `GET /api/events` and `GET /api/cameras/:serial/events`, and the read side of the events
 * store (hub/event_store.ts) that HubState exposes. Pure: no database here.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";
import { parseInstant } from "./time_param.ts";
import type { MotionRect } from "./motion_settings.ts";

/** One stored event; times epoch ms. */
export interface MotionEventRow {
  id: string;
  camera: string;
  startedAt: number;
  /** Null while the event is open. */
  endedAt: number | null;
  /** Peak changed fraction of the unmasked picture, 0-1. */
  score: number;
  box: MotionRect;
}

/** The EVENT object: times ISO 8601, with where its thumbnail is. */
export type EventJson = {
  id: string;
  camera: string;
  startedAt: string;
  endedAt: string | null;
  score: number;
  box: MotionRect;
  thumbnail: string;
};

export interface EventQuery {
  /** Only events of these cameras (the ones the viewer may see). */
  cameras: readonly string[];
  /** Events overlapping [from, to], epoch ms. */
  from: number;
  to: number;
  limit: number;
}

/** What routes read of the events store. */
export interface EventLog {
  /** Newest first (by start). */
  list(query: EventQuery): MotionEventRow[];
  /** An event's thumbnail and camera; undefined for no such event or no thumbnail yet. */
  thumbnail(id: string): { camera: string; jpeg: Uint8Array } | undefined;
}

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 1000;

export function eventJson(row: MotionEventRow): EventJson {
  return {
    id: row.id,
    camera: row.camera,
    startedAt: new Date(row.startedAt).toISOString(),
    endedAt: row.endedAt === null ? null : new Date(row.endedAt).toISOString(),
    score: row.score,
    box: row.box,
    thumbnail: `/api/events/${encodeURIComponent(row.id)}/thumbnail.jpg`,
  };
}

/**
 * `from`, `to` (lib/time_param.ts: ISO 8601 or epoch ms; both open-ended by default) and
 * `limit` (1 to {@link MAX_EVENT_LIMIT}, default {@link DEFAULT_EVENT_LIMIT}) of a query.
 */
export function parseEventRange(
  params: URLSearchParams,
): { from: number; to: number; limit: number } {
  const rawFrom = params.get("from");
  const rawTo = params.get("to");
  const from = rawFrom === null ? 0 : parseInstant("from", rawFrom);
  const to = rawTo === null ? Number.MAX_SAFE_INTEGER : parseInstant("to", rawTo);
  if (from > to) {
    throw new TrustcamError(
      "TC_ERR_BAD_RANGE",
      `Invalid range: from ${quote(rawFrom)} is after to ${quote(rawTo)}`,
    );
  }
  const rawLimit = params.get("limit");
  let limit = DEFAULT_EVENT_LIMIT;
  if (rawLimit !== null) {
    limit = /^\d{1,7}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= MAX_EVENT_LIMIT)) {
      throw new TrustcamError(
        "TC_ERR_BAD_REQUEST",
        `Invalid limit: ${quote(rawLimit)}: expected an integer from 1 to ${MAX_EVENT_LIMIT}`,
      );
    }
  }
  return { from, to, limit };
}

/** The events answer of both routes. */
export function listEvents(log: EventLog | undefined, query: EventQuery): Response {
  return eventsAnswer(log?.list(query) ?? []);
}

/** The events answer of rows found already (a cluster's, merged). */
export function eventsAnswer(rows: MotionEventRow[]): Response {
  const events = rows.map(eventJson);
  return Response.json({ events }, { headers: { "cache-control": "no-store" } });
}
