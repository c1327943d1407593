/**
 * The gate in front of the TLS layer: every TCP connection the listener accepts passes
 * through `admit()` of lib/admission.ts before node:tls sees it, and what is refused is closed
 * at once, counted in `trustcam_handshakes_refused_total` and logged once a second as a
 * summary (a flood must not become a flood of log lines). The caps come from the options or,
 * by default, from the process's open-file limit (lib/fd_limit.ts).
 */
import type https from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { addressKey, Admission, type Refusal, type Ticket } from "../lib/admission.ts";
import {
  ASSUMED_NOFILE,
  defaultMaxConnections,
  type NofileLimit,
  parseProcLimits,
} from "../lib/fd_limit.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";

/** The open-file limit, from /proc/self/limits on Linux; null where it cannot be read. */
export function readNofileLimit(): NofileLimit | null {
  if (Deno.build.os !== "linux") return null;
  try {
    return parseProcLimits(Deno.readTextFileSync("/proc/self/limits"));
  } catch {
    return null;
  }
}

export interface ConnectionLimits {
  maxConnections: number;
  maxHandshakesPerAddress: number;
}

/**
 * The caps in force: `maxConnections` 0 means derived from the soft open-file limit. Logs
 * them with the limit, and says how to raise the limit when it binds.
 */
export function resolveConnectionLimits(
  wanted: ConnectionLimits,
  nofile: NofileLimit | null,
  log: Log,
): ConnectionLimits {
  const soft = nofile?.soft ?? ASSUMED_NOFILE;
  const derived = defaultMaxConnections(soft);
  const maxConnections = wanted.maxConnections || derived;
  let hint: string | undefined;
  if (!nofile) {
    hint = `open-file limit unknown, ${ASSUMED_NOFILE} assumed: set --max-connections`;
  } else if (maxConnections > derived) {
    hint = `--max-connections above 3/4 of the open-file limit: raise ulimit -n`;
  } else if (nofile.soft < nofile.hard) {
    hint = `ulimit -n ${nofile.hard} (the hard limit) allows more connections`;
  }
  log("limits", {
    open_files: nofile ? `${nofile.soft}/${nofile.hard}` : "unknown",
    max_connections: maxConnections,
    max_handshakes_per_address: wanted.maxHandshakesPerAddress || "off",
    hint,
  });
  return { maxConnections, maxHandshakesPerAddress: wanted.maxHandshakesPerAddress };
}

export interface ConnectionGuard {
  /** Connections the listener handed over so far, refused or not: its sign of life. */
  readonly accepted: number;
  /** Admitted connections not yet closed. */
  readonly open: number;
  /** Connections closed at the gate so far, before TLS: the mark a flood leaves. */
  readonly refused: number;
  /** Logs the refusals since the last call, one line per reason (the hub's 1 s tick). */
  flushLog(): void;
}

export interface GuardOptions {
  limits: ConnectionLimits;
  metrics: HubMetrics;
  log: Log;
  /** The listener watchdog's own probes: closed without a trace, never counted. */
  probes?: {
    isProbe(socket: Socket): boolean;
    mayBeProbe(socket: Socket): boolean;
  };
}

interface RefusalSummary {
  count: number;
  addresses: Set<string>;
}

/**
 * Puts the gate in front of every "connection" listener registered so far (node:tls's own,
 * the hub's socket tracking): install it after them, before `listen()`.
 */
export function guardConnections(server: https.Server, options: GuardOptions): ConnectionGuard {
  const { metrics, log, probes } = options;
  const admission = new Admission(options.limits);
  const tickets = new WeakMap<object, Ticket>();
  const refused = new Map<Refusal, RefusalSummary>();
  const downstream = server.listeners("connection") as ((socket: Socket) => void)[];
  server.removeAllListeners("connection");
  let accepted = 0;
  let refusedTotal = 0;

  server.on("connection", (socket: Socket) => {
    accepted++;
    if (probes?.isProbe(socket)) {
      socket.destroy();
      return;
    }
    const key = addressKey(socket.remoteAddress);
    const verdict = admission.admit(key);
    if (typeof verdict === "string") {
      // Closed before TLS starts: no handshake work, no descriptor kept.
      socket.destroy();
      if (probes?.mayBeProbe(socket)) return;
      refusedTotal++;
      metrics.handshakesRefused.inc({ reason: verdict });
      const summary = refused.get(verdict) ?? { count: 0, addresses: new Set() };
      summary.count++;
      if (summary.addresses.size < 100) summary.addresses.add(key);
      refused.set(verdict, summary);
      return;
    }
    tickets.set(socket, verdict);
    socket.once("close", () => verdict.release());
    for (const listener of downstream) listener.call(server, socket);
  });
  // node:tls wraps the accepted socket; `_parent` leads back to it (so in Deno 2.9; the
  // flood tests would see established connections held against their address otherwise).
  server.on("secureConnection", (tls: TLSSocket & { _parent?: object }) => {
    tickets.get(tls._parent ?? tls)?.settle();
  });

  return {
    get accepted() {
      return accepted;
    },
    get open() {
      return admission.open;
    },
    get refused() {
      return refusedTotal;
    },
    flushLog() {
      for (const [reason, { count, addresses }] of refused) {
        log("refuse", {
          stage: "tcp",
          reason,
          count,
          addresses: addresses.size >= 100 ? "100+" : addresses.size,
          addr: addresses.size === 1 ? [...addresses][0] : undefined,
          open: admission.open,
        });
      }
      refused.clear();
    },
  };
}
