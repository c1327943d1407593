/**
 * The hub's one connection to NATS (`--bus`), shared by the bus (hub/nats_bus.ts) and, later,
 * JetStream KV. It never holds the hub up: `openNatsLink()` returns at once, the hub serves its
 * own cameras while NATS is away, and the link joins when a server answers.
 *
 * Why a first-connect loop of our own instead of nats.js's `waitOnFirstConnect`: that promise
 * cannot be abandoned, so a hub stopped before NATS ever came up would keep dialing (and keep
 * the process alive). Here each attempt is one plain `connect()`, retried with the project's
 * backoff (lib/backoff.ts) until `close()`. Once connected, nats.js reconnects by itself,
 * without limit; a connection that nats.js gives up on (an auth error, say) sends us back to
 * the loop. Connects and disconnects are logged once per change, not per retry.
 */
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import type { NodeConnectionOptions } from "@nats-io/transport-node";
import type { BusSettings } from "../lib/bus_settings.ts";
import { backoffDelay, type BackoffOptions } from "../lib/backoff.ts";
import { HubStartError } from "./start_error.ts";
import type { Log } from "./log.ts";

/** Backoff of the first-connect loop: NATS returning is noticed within 2 s. */
const FIRST_CONNECT_BACKOFF: BackoffOptions = { baseMs: 100, maxMs: 2000 };
/** nats.js's own reconnects: a fixed wait per server plus up to this much jitter. */
const RECONNECT_WAIT_MS = 500;
const RECONNECT_JITTER_MS = 500;
/** One attempt's limit (a server that accepts TCP and never answers). */
const CONNECT_TIMEOUT_MS = 5000;

export interface NatsLinkOptions {
  settings: BusSettings;
  /** Shown by the server's monitoring (`/connz`): which hub holds the connection. */
  name: string;
  log: Log;
  backoff?: BackoffOptions;
}

export interface NatsLink {
  /** The live connection, or null until NATS first answers (later parts use it for KV). */
  readonly connection: NatsConnection | null;
  /** Whether the connection is up now (false while nats.js reconnects). */
  readonly connected: boolean;
  /** Calls `fn` with each new connection (now, if there is one); returns the cancel. */
  onConnection(fn: (nc: NatsConnection) => void): () => void;
  close(): Promise<void>;
}

/** Reads the TLS and credential files now, so a bad path fails the start, not NATS's. */
function connectOptions(s: BusSettings, name: string): NodeConnectionOptions {
  const read = (path: string, what: string) => {
    try {
      return Deno.readTextFileSync(path);
    } catch (err) {
      throw new HubStartError(
        `Cannot read the bus ${what} "${path}": ${(err as Error).message}`,
        path,
        {
          cause: err,
        },
      );
    }
  };
  return {
    servers: s.servers,
    name,
    tls: s.tls
      ? {
        ...(s.caFile ? { ca: read(s.caFile, "CA file") } : {}),
        ...(s.certFile ? { cert: read(s.certFile, "certificate") } : {}),
        ...(s.keyFile ? { key: read(s.keyFile, "key") } : {}),
      }
      : undefined,
    user: s.user ?? undefined,
    pass: s.password ?? undefined,
    authenticator: s.credsFile
      ? credsAuthenticator(new TextEncoder().encode(read(s.credsFile, "credentials file")))
      : undefined,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    reconnectJitter: RECONNECT_JITTER_MS,
    reconnectJitterTLS: RECONNECT_JITTER_MS,
    timeout: CONNECT_TIMEOUT_MS,
    // The hub is itself a server: a misbehaving callback must not bring the link down.
    noAsyncTraces: true,
  };
}

export function openNatsLink(o: NatsLinkOptions): NatsLink {
  const options = connectOptions(o.settings, o.name);
  const servers = o.settings.servers.join(",");
  const listeners = new Set<(nc: NatsConnection) => void>();
  let nc: NatsConnection | null = null;
  let up = false;
  let closing = false;
  let wake = () => {};

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const announce = (conn: NatsConnection) => {
    for (const fn of listeners) {
      try {
        fn(conn);
      } catch (err) {
        o.log("bus-error", { where: "on-connection", error: err });
      }
    }
  };

  const follow = async (conn: NatsConnection) => {
    for await (const s of conn.status()) {
      if (s.type === "disconnect" && up) {
        up = false;
        o.log("bus-disconnected", { server: s.server });
      } else if (s.type === "reconnect") {
        up = true;
        o.log("bus-connected", { server: s.server, reconnect: true });
      } else if (s.type === "error") {
        o.log("bus-error", { error: s.error });
      } else if (s.type === "slowConsumer") {
        o.log("bus-error", { error: "slow consumer", subject: s.sub.getSubject() });
      }
    }
  };

  const run = async () => {
    let attempt = 0;
    let reported = false;
    while (!closing) {
      let conn: NatsConnection;
      try {
        conn = await connect(options);
      } catch (err) {
        if (!reported) {
          o.log("bus-unavailable", { servers, error: err });
          reported = true;
        }
        await sleep(backoffDelay(Math.min(attempt++, 30), o.backoff ?? FIRST_CONNECT_BACKOFF));
        continue;
      }
      if (closing) {
        await conn.close();
        return;
      }
      nc = conn;
      up = true;
      attempt = 0;
      reported = false;
      o.log("bus-connected", { server: conn.getServer() });
      const following = follow(conn);
      announce(conn);
      const err = await conn.closed();
      await following;
      up = false;
      nc = null;
      if (closing) return;
      // nats.js gave up on this connection (it never does for a lost server): start over.
      o.log("bus-disconnected", { servers, error: err ?? "closed" });
    }
  };
  const running = run();

  return {
    get connection() {
      return nc;
    },
    get connected() {
      return up;
    },
    onConnection(fn) {
      listeners.add(fn);
      if (nc) fn(nc);
      return () => listeners.delete(fn);
    },
    async close() {
      if (closing) return await running;
      closing = true;
      listeners.clear();
      wake();
      await nc?.close();
      await running;
      o.log("bus-closed", { servers });
    },
  };
}
