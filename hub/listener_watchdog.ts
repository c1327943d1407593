/**
 * Re-opens the listening socket when it stops accepting. Deno 2.9's node:net listener never
 * calls accept() again once it met EMFILE (docs/known-issues.md). The connection caps keep
 * the hub below the open-file limit, but connections accepted in one burst are closed only
 * after the burst, so a fast enough flood can still reach the limit; nothing is reported
 * when it does. So: every tick (1 s) the hub connects to its own port once; a listener that
 * refuses it, or accepts nothing for a while after it connected, is replaced by a fresh one
 * on the same address and port.
 *
 * How long "a while" is depends on whether the listener can have met EMFILE at all. Only a
 * flood gets there, and a flood leaves refusals at the gate (hub/connection_limits.ts): after
 * one, 1.5 s. Without one, a slow accept is a starved event loop (a 2-core machine running a
 * test suite beside the hub, a camera rendered in-process), and a restart would only reset
 * the connections waiting in the queue: 10 s.
 */
import net from "node:net";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";

export interface WatchdogOptions {
  server: net.Server;
  /** The address the server listens on, and its port once bound (the real one, not 0). */
  host: string;
  port: () => number;
  metrics: HubMetrics;
  log: Log;
  /** How often `tick()` is called (default 1000 ms). */
  tickMs?: number;
  /** How long a probe may wait to be accepted after a refusal at the gate (default 1500 ms). */
  acceptGraceMs?: number;
  /** The same without a recent refusal (default 10,000 ms). */
  calmAcceptGraceMs?: number;
  /** How long a refusal at the gate counts as recent (default 30,000 ms). */
  pressureMemoryMs?: number;
}

interface Probe {
  socket: net.Socket;
  outcome: "pending" | "connected" | "refused" | "inconclusive";
  /** Ticks it stayed pending. */
  misses: number;
  /** The listener's count of accepted connections when it was sent. */
  acceptedBefore: number;
  /** When our end saw it connect (performance.now()). */
  connectedAt?: number;
  error?: Error;
}

/** Ticks a probe's address stays recognisable after it connected. */
const PROBE_MEMORY_TICKS = 5;
/**
 * How long a connected probe may wait to be accepted before the listener counts as gone,
 * after a flood. Even then a busy loop can take the connect and the accept in different
 * turns with a tick between them.
 */
const ACCEPT_GRACE_MS = 1500;
/** The same when nothing was refused lately: the listener cannot have met EMFILE. */
const CALM_ACCEPT_GRACE_MS = 10_000;
const PRESSURE_MEMORY_MS = 30_000;

export class ListenerWatchdog {
  readonly #o: WatchdogOptions;
  readonly #probeHost: string;
  #probe: Probe | null = null;
  /** "address|port" of recent probes → the tick they connected on. */
  #probes = new Map<string, number>();
  #ticks = 0;
  #lastTickAt: number | undefined;
  #warned = false;
  #closed = false;
  #refused = 0;
  /** performance.now() of the last tick that saw new refusals at the gate. */
  #pressureAt = -Infinity;

  constructor(options: WatchdogOptions) {
    this.#o = options;
    this.#probeHost = options.host === "0.0.0.0" || options.host === ""
      ? "127.0.0.1"
      : options.host === "::"
      ? "::1"
      : options.host;
  }

  /** True for the hub's end of one of its own probes (to be closed without a trace). */
  isProbe(socket: { remoteAddress?: string; remotePort?: number }): boolean {
    return this.#probes.has(probeKey(socket.remoteAddress, socket.remotePort));
  }

  /**
   * True also while a probe is under way whose port is not known yet (the listener may take
   * it before our end hears it connected) and the socket comes from the probe's address:
   * enough not to count a refusal, never enough to drop a connection.
   */
  mayBeProbe(socket: { remoteAddress?: string; remotePort?: number }): boolean {
    if (this.isProbe(socket)) return true;
    if (this.#probe?.outcome !== "pending") return false;
    const from = (socket.remoteAddress ?? "").replace(/^::ffff:/i, "");
    if (net.isIP(this.#probeHost)) return from === this.#probeHost;
    return from === "::1" || from.startsWith("127.");
  }

  /**
   * Called once a second with the listener's count of accepted connections and the gate's
   * count of connections refused before TLS.
   */
  tick(accepted: number, refused = 0): void {
    if (this.#closed) return;
    this.#ticks++;
    const now = performance.now();
    if (refused !== this.#refused) {
      this.#refused = refused;
      this.#pressureAt = now;
    }
    const o = this.#o;
    const underPressure = now - this.#pressureAt < (o.pressureMemoryMs ?? PRESSURE_MEMORY_MS);
    const graceMs = underPressure
      ? o.acceptGraceMs ?? ACCEPT_GRACE_MS
      : o.calmAcceptGraceMs ?? CALM_ACCEPT_GRACE_MS;
    // A probe whose connect our end never even saw (a dead listener's full queue leaves SYNs
    // unanswered) gets the same time, counted in ticks.
    const pendingTicks = Math.max(2, Math.ceil(graceMs / (o.tickMs ?? 1000)));
    // A late tick follows a stalled event loop, where timers run before the I/O that would
    // have taken the probe: no verdict on it.
    const late = this.#lastTickAt !== undefined &&
      now - this.#lastTickAt > 1.5 * (this.#o.tickMs ?? 1000);
    this.#lastTickAt = now;
    for (const [key, tick] of this.#probes) {
      if (this.#ticks - tick > PROBE_MEMORY_TICKS) this.#probes.delete(key);
    }
    const probe = this.#probe;
    if (probe) {
      if (accepted !== probe.acceptedBefore) {
        // Something was accepted after the probe was sent: the listener lives.
        this.#endProbe();
      } else if (probe.outcome === "inconclusive") {
        // Our own connect failed (no descriptor left, no route to the probe address): no
        // verdict on the listener. Said once, tried again.
        if (!this.#warned) {
          this.#warned = true;
          this.#o.log("listener", { state: "unprobed", error: probe.error });
        }
        this.#endProbe();
      } else if (probe.outcome === "refused") {
        this.#endProbe();
        this.#restart("refused");
        return;
      } else if (
        late ||
        (probe.outcome === "pending" && ++probe.misses < pendingTicks) ||
        (probe.outcome === "connected" && now - probe.connectedAt! < graceMs)
      ) {
        // Pending: our end has not even seen it connect. The listener's queue may be full (a
        // dead listener after a flood leaves SYNs unanswered) or the loop slow: one more tick.
        return;
      } else {
        // Queued by the kernel (our end saw it connect) and not taken in time, or unanswered
        // for as long: the listener is gone.
        this.#endProbe();
        this.#restart("not_accepting");
        return;
      }
    }
    this.#startProbe(accepted);
  }

  close(): void {
    this.#closed = true;
    this.#endProbe();
  }

  #startProbe(acceptedBefore: number): void {
    let socket: net.Socket;
    try {
      socket = net.connect({ host: this.#probeHost, port: this.#o.port() });
    } catch (err) {
      // E.g. no --allow-net for our own address: the watchdog cannot work, and says so once.
      if (!this.#warned) {
        this.#warned = true;
        this.#o.log("listener", { state: "unprobed", error: err });
      }
      return;
    }
    const probe: Probe = { socket, outcome: "pending", misses: 0, acceptedBefore };
    socket.once("connect", () => {
      probe.outcome = "connected";
      probe.connectedAt = performance.now();
      this.#probes.set(probeKey(socket.localAddress, socket.localPort), this.#ticks);
      socket.destroy();
    });
    socket.once("error", (err: Error & { code?: string }) => {
      probe.outcome = err.code === "ECONNREFUSED" ? "refused" : "inconclusive";
      probe.error = err;
    });
    this.#probe = probe;
  }

  #endProbe(): void {
    this.#probe?.socket.destroy();
    this.#probe = null;
  }

  /**
   * Closes the listening handle and listens again on the same address: the only way to get
   * accept() called again. Open connections are not affected; connections queued on the old
   * socket are reset and their clients retry.
   */
  #restart(reason: string): void {
    const { server, host, log, metrics } = this.#o;
    const port = this.#o.port();
    // `_handle` is node:net's (and Deno's) listening handle; close() alone would also wait
    // for every open connection before listening again.
    const internal = server as net.Server & { _handle: { close(): void } | null };
    const old = internal._handle;
    internal._handle = null;
    try {
      old?.close();
    } catch {
      // Already closed.
    }
    metrics.listenerRestarts.inc();
    const onListening = () => {
      server.off("error", onError);
      log("listener", { state: "restarted", reason, host, port });
    };
    const onError = (err: Error) => {
      server.off("listening", onListening);
      // Nothing listens now: the next probe is refused and the next tick tries again.
      log("listener", { state: "restart_failed", reason, error: err });
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  }
}

function probeKey(address: string | undefined, port: number | undefined): string {
  return `${(address ?? "").replace(/^::ffff:/i, "")}|${port}`;
}
