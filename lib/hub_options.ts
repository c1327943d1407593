/**
 * The hub's command line and environment, read into a config without touching anything:
 * flags beat environment variables, which beat defaults. `--help` text lives here too, so the
 * README's configuration table and the program agree.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./usage_error.ts";

export { UsageError };

export interface HubOptions {
  mode: "run" | "help" | "version" | "healthcheck" | "build";
  port: number;
  host: string;
  certsDir: string;
  dataDir: string;
  maxFrameBytes: number;
  viewerBufferBytes: number;
  stallMs: number;
  pingIntervalMs: number;
  handshakeTimeoutMs: number;
  maxConnections: number;
  maxHandshakesPerAddress: number;
  serialPattern: string;
  revocationFile: string;
  policyFile: string | null;
  dev: boolean;
  demo: boolean;
  demoCameras: number;
  demoFps: number;
  publicHosts: string[];
}

interface OptionSpec {
  flag: string;
  env: string;
  kind: "int" | "number" | "string" | "bool" | "list";
  default: string;
  help: string;
  min?: number;
  max?: number;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    flag: "port",
    env: "TRUSTCAM_PORT",
    kind: "int",
    default: "5000",
    min: 0,
    max: 65535,
    help: "HTTPS/WSS port (the seed's firmware dials 5000)",
  },
  {
    flag: "host",
    env: "TRUSTCAM_HOST",
    kind: "string",
    default: "0.0.0.0",
    help: "Address to bind (0.0.0.0 all IPv4, :: all, 127.0.0.1 local only)",
  },
  {
    flag: "certs",
    env: "TRUSTCAM_CERTS",
    kind: "string",
    default: "certs",
    help: "Directory with server.key, server.chain, signer-ca.crt, root-ca.crt",
  },
  {
    flag: "data",
    env: "TRUSTCAM_DATA",
    kind: "string",
    default: "data",
    help: "Directory for the camera registry (SQLite)",
  },
  {
    flag: "max-frame-bytes",
    env: "TRUSTCAM_MAX_FRAME_BYTES",
    kind: "int",
    default: "2097152",
    min: 1024,
    max: 64 * 1024 * 1024,
    help: "Largest JPEG a device may send; larger closes it with 1009",
  },
  {
    flag: "viewer-buffer-bytes",
    env: "TRUSTCAM_VIEWER_BUFFER_BYTES",
    kind: "int",
    default: "1048576",
    min: 0,
    max: 1024 * 1024 * 1024,
    help: "Bytes queued to a viewer before it skips frames",
  },
  {
    flag: "stall-ms",
    env: "TRUSTCAM_STALL_MS",
    kind: "int",
    default: "5000",
    min: 100,
    max: 3_600_000,
    help: "No frame for this long marks a camera stalled",
  },
  {
    flag: "ping-interval-ms",
    env: "TRUSTCAM_PING_INTERVAL_MS",
    kind: "int",
    default: "10000",
    min: 100,
    max: 3_600_000,
    help: "WebSocket ping interval; two missed pongs end a connection",
  },
  {
    flag: "handshake-timeout-ms",
    env: "TRUSTCAM_HANDSHAKE_TIMEOUT_MS",
    kind: "int",
    default: "10000",
    min: 100,
    max: 600_000,
    help: "Time a client gets to finish the TLS handshake",
  },
  {
    flag: "max-connections",
    env: "TRUSTCAM_MAX_CONNECTIONS",
    kind: "int",
    default: "0",
    min: 0,
    max: 1_000_000,
    help: "Open TCP connections at most; 0 = 3/4 of the open-file limit (ulimit -n)",
  },
  {
    flag: "max-handshakes-per-address",
    env: "TRUSTCAM_MAX_HANDSHAKES_PER_ADDRESS",
    kind: "int",
    default: "64",
    min: 0,
    max: 1_000_000,
    help: "Connections one address (IPv6: one /64) may have before TLS is done; 0 = no cap",
  },
  {
    flag: "serial-pattern",
    env: "TRUSTCAM_SERIAL_PATTERN",
    kind: "string",
    default: "^0123[0-9A-Fa-f]{14}$",
    help: "Regular expression for device CNs (18 characters)",
  },
  {
    flag: "revocations",
    env: "TRUSTCAM_REVOCATIONS",
    kind: "string",
    default: "<certs>/revoked.txt",
    help: "Revocation list, re-read when it changes",
  },
  {
    flag: "policy",
    env: "TRUSTCAM_POLICY",
    kind: "string",
    default: "",
    help: "Viewer access policy (JSON); none = every viewer sees every camera",
  },
  {
    flag: "public-host",
    env: "TRUSTCAM_PUBLIC_HOSTS",
    kind: "list",
    default: "",
    help: "Extra names/IPs for the dev server certificate (repeat or comma-separate)",
  },
  {
    flag: "demo",
    env: "TRUSTCAM_DEMO",
    kind: "bool",
    default: "1",
    help: "Create a dev PKI if none and stream simulated cameras (--no-demo for production)",
  },
  {
    flag: "demo-cameras",
    env: "TRUSTCAM_DEMO_CAMERAS",
    kind: "int",
    default: "4",
    min: 0,
    max: 64,
    help: "Simulated cameras in demo mode",
  },
  {
    flag: "demo-fps",
    env: "TRUSTCAM_DEMO_FPS",
    kind: "number",
    default: "15",
    min: 0.1,
    max: 60,
    help: "Frame rate of the simulated cameras",
  },
  {
    flag: "dev",
    env: "TRUSTCAM_DEV",
    kind: "bool",
    default: "0",
    help: "Rebuild the browser bundle when islands change",
  },
];

export const USAGE = `trustcam: a mutually authenticated hub for live camera frames

Usage: deno task start [options]
       deno run -A main.ts --healthcheck [--port N] [--certs DIR]

Options (flag, environment variable, default):
${
  OPTIONS.map((o) => {
    const flag = o.kind === "bool"
      ? `--${o.flag} / --no-${o.flag}`
      : `--${o.flag} ${o.kind === "string" || o.kind === "list" ? "VALUE" : "N"}`;
    return `  ${flag.padEnd(34)} ${o.help}\n  ${"".padEnd(34)} env ${o.env}${
      o.default ? `, default ${o.default}` : ""
    }`;
  }).join("\n")
}
  --healthcheck                      Ask the hub on --port for /healthz and exit 0 (healthy) or 1
  --build                            Build the browser bundle once and exit (image builds)
  --help, -h                         Show this help
  --version                          Print the version

Certificates: \`deno task certs --help\`. Simulated cameras: \`deno task cameras --help\`.`;

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off", ""]);

export function parseHubOptions(
  args: string[],
  env: Record<string, string | undefined> = {},
): HubOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      allowNegative: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
        healthcheck: { type: "boolean" },
        build: { type: "boolean" },
        ...Object.fromEntries(
          OPTIONS.map((o) => [
            o.flag,
            o.kind === "bool"
              ? { type: "boolean" as const }
              : { type: "string" as const, multiple: o.kind === "list" },
          ]),
        ),
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify.*$/s, ""));
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const raw = (o: OptionSpec): { value: string; from: string } => {
    const v = values[o.flag];
    if (v !== undefined) {
      return {
        value: typeof v === "boolean" ? (v ? "1" : "0") : Array.isArray(v) ? v.join(",") : v,
        from: `--${o.flag}`,
      };
    }
    const e = env[o.env];
    if (e !== undefined) return { value: e, from: o.env };
    return { value: o.default, from: "default" };
  };
  const out: Record<string, unknown> = {};
  for (const o of OPTIONS) {
    const { value, from } = raw(o);
    out[o.flag] = convert(o, value, from);
  }
  const certsDir = out["certs"] as string;
  const revocations = out["revocations"] as string;
  return {
    mode: values.help
      ? "help"
      : values.version
      ? "version"
      : values.healthcheck
      ? "healthcheck"
      : values.build
      ? "build"
      : "run",
    port: out["port"] as number,
    host: out["host"] as string,
    certsDir,
    dataDir: out["data"] as string,
    maxFrameBytes: out["max-frame-bytes"] as number,
    viewerBufferBytes: out["viewer-buffer-bytes"] as number,
    stallMs: out["stall-ms"] as number,
    pingIntervalMs: out["ping-interval-ms"] as number,
    handshakeTimeoutMs: out["handshake-timeout-ms"] as number,
    maxConnections: out["max-connections"] as number,
    maxHandshakesPerAddress: out["max-handshakes-per-address"] as number,
    serialPattern: out["serial-pattern"] as string,
    revocationFile: revocations === "<certs>/revoked.txt" ? `${certsDir}/revoked.txt` : revocations,
    policyFile: (out["policy"] as string) || null,
    dev: out["dev"] as boolean,
    demo: out["demo"] as boolean,
    demoCameras: out["demo-cameras"] as number,
    demoFps: out["demo-fps"] as number,
    publicHosts: out["public-host"] as string[],
  };
}

function convert(o: OptionSpec, value: string, from: string): unknown {
  const bad = (why: string) => new UsageError(`Invalid ${from}: "${value}": ${why}`);
  switch (o.kind) {
    case "bool": {
      const v = value.toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      throw bad("expected 1 or 0");
    }
    case "int":
    case "number": {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n)) throw bad("not a number");
      if (o.kind === "int" && !Number.isInteger(n)) throw bad("not a whole number");
      if (o.min !== undefined && n < o.min) throw bad(`below ${o.min}`);
      if (o.max !== undefined && n > o.max) throw bad(`above ${o.max}`);
      return n;
    }
    case "list":
      return value.split(",").map((s) => s.trim()).filter(Boolean);
    default:
      if (o.flag === "serial-pattern") {
        try {
          new RegExp(value);
        } catch {
          throw bad("not a regular expression");
        }
      }
      return value;
  }
}
