/**
 * Stored motion events from any hub (issue 13): the NATS side of lib/cluster_events.ts. Every
 * hub answers the cluster's event queries from its own store; a hub asked for events asks the
 * cluster and merges the answers with its own store's, and asks for a thumbnail it lacks.
 *
 * Bounded: answers are collected until none came for {@link STALL_MS} after the last (every hub
 * answers at once from SQLite), at most {@link QUERY_WAIT_MS}. NATS away: the hub's own events
 * only, as a lone hub. A hub that is down cannot answer: its events are missing meanwhile.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { headers } from "@nats-io/transport-node";
import {
  CAMERA_HEADER,
  type ClusterEventReader,
  decodeEventQuery,
  decodeEventRows,
  encodeEventQuery,
  encodeEventRows,
  EVENT_THUMBNAIL_SUBJECT,
  EVENTS_QUERY_SUBJECT,
  mergeEventRows,
} from "../lib/cluster_events.ts";
import type { EventLog, EventQuery, MotionEventRow } from "../lib/motion_event_log.ts";
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";

/** The longest an event query waits for the cluster's answers. */
export const QUERY_WAIT_MS = 1000;
/** Quiet after an answer that ends the collection. */
export const STALL_MS = 100;

export interface ClusterEventsOptions {
  link: NatsLink;
  /** This hub's store. */
  store: EventLog;
  log: Log;
}

export class ClusterEvents implements ClusterEventReader {
  #o: ClusterEventsOptions;
  #subs: Subscription[] = [];
  #nc: NatsConnection | null = null;
  #offLink: () => void;

  constructor(o: ClusterEventsOptions) {
    this.#o = o;
    this.#offLink = o.link.onConnection((nc) => this.#answer(nc));
  }

  async list(query: EventQuery): Promise<MotionEventRow[]> {
    const lists = [this.#o.store.list(query)];
    const nc = this.#nc;
    if (!nc || !this.#o.link.connected || query.cameras.length === 0) return lists[0];
    try {
      const replies = await nc.requestMany(EVENTS_QUERY_SUBJECT, encodeEventQuery(query), {
        strategy: "stall",
        stall: STALL_MS,
        maxWait: QUERY_WAIT_MS,
      });
      for await (const m of replies) {
        try {
          lists.push(decodeEventRows(m.data));
        } catch (err) {
          this.#o.log("cluster-error", { where: "events-reply", error: err });
        }
      }
    } catch (err) {
      this.#o.log("cluster-error", { where: "events-query", error: err });
    }
    return mergeEventRows(lists, query.limit);
  }

  async thumbnail(id: string): Promise<{ camera: string; jpeg: Uint8Array } | undefined> {
    const own = this.#o.store.thumbnail(id);
    const nc = this.#nc;
    if (own || !nc || !this.#o.link.connected) return own;
    try {
      // Only the hub that has it answers; none within the wait is "no such thumbnail".
      const m = await nc.request(EVENT_THUMBNAIL_SUBJECT, new TextEncoder().encode(id), {
        timeout: QUERY_WAIT_MS,
      });
      const camera = m.headers?.get(CAMERA_HEADER);
      return camera ? { camera, jpeg: m.data } : undefined;
    } catch {
      // Timed out or no responders: no hub has it.
      return undefined;
    }
  }

  close(): void {
    this.#offLink();
    for (const s of this.#subs.splice(0)) s.unsubscribe();
    this.#nc = null;
  }

  /** Answers the cluster's queries on a new connection (the first, or after nats.js gave up). */
  #answer(nc: NatsConnection): void {
    for (const s of this.#subs.splice(0)) s.unsubscribe();
    this.#nc = nc;
    this.#subs.push(
      nc.subscribe(EVENTS_QUERY_SUBJECT, {
        callback: (err, msg) => {
          if (err) return this.#o.log("cluster-error", { where: "events-answer", error: err });
          try {
            msg.respond(encodeEventRows(this.#o.store.list(decodeEventQuery(msg.data))));
          } catch (err) {
            this.#o.log("cluster-error", { where: "events-answer", error: err });
          }
        },
      }),
      nc.subscribe(EVENT_THUMBNAIL_SUBJECT, {
        callback: (err, msg) => {
          if (err) return this.#o.log("cluster-error", { where: "thumbnail-answer", error: err });
          const found = this.#o.store.thumbnail(new TextDecoder().decode(msg.data));
          if (!found) return;
          const h = headers();
          h.set(CAMERA_HEADER, found.camera);
          msg.respond(found.jpeg, { headers: h });
        },
      }),
    );
  }
}
