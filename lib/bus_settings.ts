/**
 * The NATS link's settings from the `--bus*` options and `TRUSTCAM_BUS_PASSWORD`, checked
 * without touching anything (hub/nats_link.ts reads the files when it connects).
 */
import { UsageError } from "./usage_error.ts";

/** The only place the password is read: a flag would show in `ps`. */
export const BUS_PASSWORD_ENV = "TRUSTCAM_BUS_PASSWORD";

const DEFAULT_NATS_PORT = "4222";

export interface BusSettings {
  /** `host:port` of each server of the NATS cluster, without scheme or credentials. */
  servers: string[];
  /** Whether the link is TLS (`tls://` URLs). */
  tls: boolean;
  /** PEM file(s) trusted for TLS; null = the system roots. */
  caFile: string | null;
  /** Client certificate chain and key (PEM) shown to a TLS server; null = none. */
  certFile: string | null;
  keyFile: string | null;
  user: string | null;
  password: string | null;
  /** A NATS `.creds` file (JWT and NKey seed); exclusive with user and password. */
  credsFile: string | null;
}

export interface BusOptionValues {
  bus: string[];
  "bus-ca": string;
  "bus-cert": string;
  "bus-key": string;
  "bus-user": string;
  "bus-creds": string;
}

/** null when `--bus` is empty (the in-process bus); throws {@link UsageError} on a bad value. */
export function busSettingsOf(
  v: BusOptionValues,
  env: Record<string, string | undefined>,
): BusSettings | null {
  const extra = (["bus-ca", "bus-cert", "bus-key", "bus-user", "bus-creds"] as const)
    .find((flag) => v[flag] !== "");
  if (v.bus.length === 0) {
    if (extra) throw new UsageError(`Invalid --${extra}: "${v[extra]}": needs --bus`);
    return null;
  }
  const schemes = new Set<string>();
  const servers = v.bus.map((s) => {
    const bad = (why: string) => new UsageError(`Invalid --bus: "${s}": ${why}`);
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw bad("expected nats://host:4222 or tls://host:4222");
    }
    if ((url.protocol !== "nats:" && url.protocol !== "tls:") || url.hostname === "") {
      throw bad("expected nats://host:4222 or tls://host:4222");
    }
    if (url.username || url.password) {
      throw bad(`credentials in the URL: use --bus-user and ${BUS_PASSWORD_ENV}, or --bus-creds`);
    }
    if (url.pathname !== "" && url.pathname !== "/" || url.search || url.hash) {
      throw bad("expected no path or query");
    }
    schemes.add(url.protocol);
    return `${url.hostname}:${url.port || DEFAULT_NATS_PORT}`;
  });
  if (schemes.size > 1) {
    throw new UsageError(`Invalid --bus: "${v.bus.join(",")}": mixes nats:// and tls://`);
  }
  const tls = schemes.has("tls:");
  for (const flag of ["bus-ca", "bus-cert", "bus-key"] as const) {
    if (v[flag] !== "" && !tls) {
      throw new UsageError(`Invalid --${flag}: "${v[flag]}": needs tls:// servers`);
    }
  }
  if ((v["bus-cert"] === "") !== (v["bus-key"] === "")) {
    throw new UsageError("Invalid --bus-cert and --bus-key: give both or neither");
  }
  const password = env[BUS_PASSWORD_ENV] || null;
  if (v["bus-creds"] !== "" && (v["bus-user"] !== "" || password)) {
    throw new UsageError(
      `Invalid --bus-creds: "${v["bus-creds"]}": give it or --bus-user, not both`,
    );
  }
  if (password && v["bus-user"] === "") {
    throw new UsageError(`Invalid ${BUS_PASSWORD_ENV}: needs --bus-user`);
  }
  return {
    servers,
    tls,
    caFile: v["bus-ca"] || null,
    certFile: v["bus-cert"] || null,
    keyFile: v["bus-key"] || null,
    user: v["bus-user"] || null,
    password,
    credsFile: v["bus-creds"] || null,
  };
}
