/**
 * HAProxy's configuration for hubs behind one port, in TCP mode: HAProxy passes bytes through,
 * so TLS and the client-certificate check still end at the hubs (issue 13). Used by the test
 * fixture and `deno task cluster`; compose.yaml's haproxy.cfg follows the same shape.
 */

export interface HaproxyBackend {
  /** A name for logs and the stats page: letters, digits, `_`, `-`. */
  name: string;
  host: string;
  port: number;
}

export interface HaproxyConfigOptions {
  /** Where clients connect. */
  bind: { host: string; port: number };
  backends: HaproxyBackend[];
  /**
   * `roundrobin` spreads connections in turn (predictable for tests); `leastconn` suits
   * long-lived WebSockets best, since connections do not end as requests do.
   */
  balance?: "roundrobin" | "leastconn";
  /**
   * Checks each hub by opening a TCP connection every `checkMs`, so a dead hub leaves the
   * rotation before a client meets it. Without checks a refused connection is still retried
   * on another hub (`option redispatch`).
   */
  checkMs?: number;
  /**
   * An HTTP port answering `GET /ready` with 200 once HAProxy listens: readiness without a
   * connection that the balancer would count and pass to a hub.
   */
  monitor?: { host: string; port: number };
  /** HAProxy's `maxconn`; default derived from its open-file limit. */
  maxConnections?: number;
}

/** How long an idle tunnel stays up: a viewer of a quiet camera still gets `stats` every 2 s. */
const TUNNEL_TIMEOUT = "1h";

const NAME = /^[A-Za-z0-9_-]+$/;

/** The configuration text; throws RangeError on a bad name or port, or no backend. */
export function haproxyConfig(o: HaproxyConfigOptions): string {
  if (o.backends.length === 0) throw new RangeError("No backend: HAProxy needs at least one hub");
  const port = (what: string, p: number) => {
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      throw new RangeError(`Invalid ${what} port: "${p}": must be an integer from 1 to 65535`);
    }
    return p;
  };
  const address = (what: string, a: { host: string; port: number }) =>
    `${a.host.includes(":") ? `[${a.host}]` : a.host}:${port(what, a.port)}`;
  const check = o.checkMs === undefined ? "" : ` check inter ${Math.max(100, o.checkMs)}ms`;
  const servers = o.backends.map((b) => {
    if (!NAME.test(b.name)) {
      throw new RangeError(`Invalid backend name: "${b.name}": use letters, digits, _ and -`);
    }
    return `  server ${b.name} ${address(b.name, b)}${check}`;
  });
  return [
    // No maxconn: HAProxy derives it from the open-file limit, which it cannot raise unprivileged.
    "global",
    ...(o.maxConnections ? [`  maxconn ${o.maxConnections}`] : []),
    "",
    "defaults",
    "  mode tcp",
    "  timeout connect 5s",
    `  timeout client ${TUNNEL_TIMEOUT}`,
    `  timeout server ${TUNNEL_TIMEOUT}`,
    // A hub that refuses the connection (dead, restarting): try another one.
    "  option redispatch",
    "  retries 2",
    "",
    "frontend trustcam",
    `  bind ${address("bind", o.bind)}`,
    "  default_backend hubs",
    "",
    "backend hubs",
    `  balance ${o.balance ?? "roundrobin"}`,
    // A hub name not resolvable yet (a container still starting) must not stop HAProxy.
    "  default-server init-addr last,libc,none",
    ...servers,
    ...(o.monitor
      ? [
        "",
        "frontend ready",
        "  mode http",
        "  timeout client 5s",
        `  bind ${address("monitor", o.monitor)}`,
        "  monitor-uri /ready",
      ]
      : []),
    "",
  ].join("\n");
}
