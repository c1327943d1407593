/**
 * Stored motion events from any hub (issue 13): each hub keeps the events of the cameras it
 * analysed in its own store, so a hub asked for a camera's events asks the others over NATS
 * (request on {@link EVENTS_QUERY_SUBJECT}, one reply per hub) and merges the answers with its
 * own. The NATS side is hub/cluster_events.ts; this module is the pure part: the wire formats,
 * checked on the way in, and the merge.
 */
import type { EventQuery, MotionEventRow } from "./motion_event_log.ts";

/** Request: an {@link EventQuery} as JSON; each hub replies with its matching rows as JSON. */
export const EVENTS_QUERY_SUBJECT = "trustcam.events.query";
/** Request: an event id; the hub that has its thumbnail replies with the JPEG, camera in a header. */
export const EVENT_THUMBNAIL_SUBJECT = "trustcam.events.thumbnail";
/** The header of a thumbnail reply naming the event's camera. */
export const CAMERA_HEADER = "Trustcam-Camera";

/** What routes read of the cluster's events (`HubState.clusterEvents`, hub/cluster_events.ts). */
export interface ClusterEventReader {
  /** The query over every hub's store, this one's included, merged ({@link mergeEventRows}). */
  list(query: EventQuery): Promise<MotionEventRow[]>;
  /** An event's thumbnail from this hub's store, else from the hub that has it. */
  thumbnail(id: string): Promise<{ camera: string; jpeg: Uint8Array } | undefined>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEventQuery(q: EventQuery): Uint8Array {
  return encoder.encode(JSON.stringify(q));
}

/** A query read off the bus; TypeError or SyntaxError when it is not one. */
export function decodeEventQuery(data: Uint8Array): EventQuery {
  const text = decoder.decode(data);
  const o = JSON.parse(text);
  if (
    o === null || typeof o !== "object" || !Array.isArray(o.cameras) ||
    !o.cameras.every((c: unknown) => typeof c === "string") ||
    !Number.isFinite(o.from) || !Number.isFinite(o.to) || !Number.isInteger(o.limit) ||
    o.limit < 1
  ) {
    throw new TypeError(`Not an event query: "${text.slice(0, 80)}"`);
  }
  return { cameras: o.cameras, from: o.from, to: o.to, limit: o.limit };
}

export function encodeEventRows(rows: MotionEventRow[]): Uint8Array {
  return encoder.encode(JSON.stringify(rows));
}

/** Rows read off the bus; TypeError or SyntaxError when they are not. */
export function decodeEventRows(data: Uint8Array): MotionEventRow[] {
  const text = decoder.decode(data);
  const rows = JSON.parse(text);
  if (!Array.isArray(rows) || !rows.every(isRow)) {
    throw new TypeError(`Not event rows: "${text.slice(0, 80)}"`);
  }
  return rows;
}

function isRow(r: unknown): r is MotionEventRow {
  if (r === null || typeof r !== "object") return false;
  const o = r as Record<string, unknown>;
  return typeof o.id === "string" && typeof o.camera === "string" &&
    Number.isFinite(o.startedAt) && (o.endedAt === null || Number.isFinite(o.endedAt)) &&
    typeof o.score === "number" && o.box !== null && typeof o.box === "object";
}

/**
 * The answers of several hubs as one: each event once (a hub's own answer may come back over
 * NATS too), newest first as a store lists them (by start, then id), at most `limit`.
 */
export function mergeEventRows(lists: MotionEventRow[][], limit: number): MotionEventRow[] {
  const byId = new Map<string, MotionEventRow>();
  for (const rows of lists) {
    for (const row of rows) {
      const seen = byId.get(row.id);
      // An open event's later copy (with its end) wins over the earlier one.
      if (!seen || (seen.endedAt === null && row.endedAt !== null)) byId.set(row.id, row);
    }
  }
  return [...byId.values()]
    .sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit);
}
