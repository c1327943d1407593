/**
 * The hub's command line and environment, read into a config without touching anything:
 * flags beat environment variables, which beat defaults. `--help` text lives here too, so the
 * README's configuration table and the program agree.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./usage_error.ts";
import { normalizeOrigin } from "./origin.ts";
import { OPTIONS, type OptionSpec } from "./hub_option_table.ts";
import { parseByteSize } from "./byte_size.ts";
import { suggestOption, unknownOptionOf } from "./suggest_option.ts";
import { type MqttOptionValues, type MqttSettings, mqttSettingsOf } from "./mqtt_settings.ts";
import { type BusOptionValues, type BusSettings, busSettingsOf } from "./bus_settings.ts";

export { OPTIONS, UsageError };

export interface HubOptions {
  mode: "run" | "help" | "version" | "healthcheck" | "build";
  port: number;
  host: string;
  certsDir: string;
  dataDir: string;
  maxFrameBytes: number;
  viewerBufferBytes: number;
  maxFps: number;
  maxDimension: number;
  stallMs: number;
  pingIntervalMs: number;
  handshakeTimeoutMs: number;
  maxConnections: number;
  maxHandshakesPerAddress: number;
  serialPattern: string;
  revocationFile: string;
  policyFile: string | null;
  allowedOrigins: string[];
  strictTls: boolean;
  dev: boolean;
  demo: boolean;
  /** The demo may create a dev PKI in a `--certs` other than the default (`--init-certs`). */
  initCerts: boolean;
  demoCameras: number;
  demoFps: number;
  publicHosts: string[];
  record: "off" | "continuous" | "motion";
  recordMaxFps: number;
  segmentSeconds: number;
  maxExports: number;
  /** How long recordings are kept, ms (`--retain-days`). */
  retainMs: number;
  /** Total bytes all recordings may take; null = no quota. */
  retainBytes: number | null;
  /** Free bytes to keep on the archive's volume; null = 1 GiB or 5% of it, the smaller. */
  minFreeBytes: number | null;
  /** Recordings another process writes (`--recordings-dir`), read-only; null = `<data>/recordings`. */
  recordingsDir: string | null;
  /** The MQTT / Home Assistant bridge (`--mqtt`); null = none. */
  mqtt: MqttSettings | null;
  /** The NATS bus (`--bus`); null = the in-process bus. */
  bus: BusSettings | null;
  /** Whether motion detection runs (`--motion`). */
  motion: "on" | "off";
  /** What motion recording keeps before an event and after it, ms. */
  motionPreRollMs: number;
  motionPostRollMs: number;
  /** How long motion events are kept, ms (`--retain-event-days`). */
  retainEventMs: number;
  /** Flags set by the command line or the environment, not by default (demo defaults ask). */
  explicit: ReadonlySet<string>;
}

/** What the demo keeps of its recordings unless `--retain-days` says otherwise. */
export const DEMO_RETAIN_MS = 3_600_000;

export const USAGE = `trustcam: a mutually authenticated hub for live camera frames

Usage: deno task start [options]
       deno run -A main.ts --healthcheck [--port N] [--certs DIR]

Options (flag, environment variable, default):
${
  OPTIONS.map((o) => {
    const flag = o.kind === "bool"
      ? `--${o.flag} / --no-${o.flag}`
      : `--${o.flag} ${
        o.kind === "string" || o.kind === "list" ? "VALUE" : o.kind === "size" ? "SIZE" : "N"
      }`;
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

/** Every flag the hub takes, without dashes: the table's, their `no-` forms and the modes. */
const HUB_FLAGS = [
  ...OPTIONS.flatMap((o) => o.kind === "bool" ? [o.flag, `no-${o.flag}`] : [o.flag]),
  "help",
  "version",
  "healthcheck",
  "build",
];

/** node's "Unknown option '--prot'" with "did you mean --port?" when a flag is that near. */
export function withSuggestion(message: string, known: readonly string[]): string {
  const flag = unknownOptionOf(message);
  const near = flag === null ? null : suggestOption(flag, known);
  return near === null ? message : `${message}: did you mean ${near}?`;
}

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
    const message = (err as Error).message.replace(/\. To specify.*$/s, "");
    throw new UsageError(withSuggestion(message, HUB_FLAGS));
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
  const explicit = new Set<string>();
  for (const o of OPTIONS) {
    const { value, from } = raw(o);
    out[o.flag] = convert(o, value, from);
    if (from !== "default") explicit.add(o.flag);
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
    maxFps: out["max-fps"] as number,
    maxDimension: out["max-dimension"] as number,
    stallMs: out["stall-ms"] as number,
    pingIntervalMs: out["ping-interval-ms"] as number,
    handshakeTimeoutMs: out["handshake-timeout-ms"] as number,
    maxConnections: out["max-connections"] as number,
    maxHandshakesPerAddress: out["max-handshakes-per-address"] as number,
    serialPattern: out["serial-pattern"] as string,
    revocationFile: revocations === "<certs>/revoked.txt" ? `${certsDir}/revoked.txt` : revocations,
    policyFile: (out["policy"] as string) || null,
    allowedOrigins: out["allowed-origin"] as string[],
    strictTls: out["strict-tls"] as boolean,
    dev: out["dev"] as boolean,
    demo: out["demo"] as boolean,
    initCerts: out["init-certs"] as boolean,
    demoCameras: out["demo-cameras"] as number,
    demoFps: out["demo-fps"] as number,
    publicHosts: out["public-host"] as string[],
    record: out["record"] as HubOptions["record"],
    recordMaxFps: out["record-max-fps"] as number,
    segmentSeconds: out["segment-seconds"] as number,
    maxExports: out["max-exports"] as number,
    retainMs: (out["retain-days"] as number) * 86_400_000,
    retainBytes: out["retain-bytes"] as number | null,
    minFreeBytes: out["min-free-bytes"] as number | null,
    recordingsDir: recordingsDirOf(out["recordings-dir"] as string, out["record"] as string),
    mqtt: mqttSettingsOf(out as unknown as MqttOptionValues, env),
    bus: busSettingsOf(out as unknown as BusOptionValues, env),
    motion: out["motion"] as HubOptions["motion"],
    motionPreRollMs: (out["motion-pre-roll-seconds"] as number) * 1000,
    motionPostRollMs: (out["motion-post-roll-seconds"] as number) * 1000,
    retainEventMs: (out["retain-event-days"] as number) * 86_400_000,
    explicit,
  };
}

/** A hub that plays another process's archive back writes nothing in it. */
function recordingsDirOf(dir: string, record: string): string | null {
  if (dir === "") return null;
  if (record !== "off") {
    throw new UsageError(
      `Invalid --recordings-dir: "${dir}": another process writes it, so it needs --record off, not "${record}"`,
    );
  }
  return dir;
}

/**
 * What demo mode changes of the table's defaults, as environment variables: the demo records
 * every camera so a newcomer sees the timeline fill; production stays `--record off`.
 */
export const DEMO_DEFAULTS: Readonly<Record<string, string>> = {
  TRUSTCAM_RECORD: "continuous",
};

/**
 * {@link parseHubOptions}, then in demo mode again with {@link DEMO_DEFAULTS} under the
 * environment, so an explicit flag or variable still wins over a demo default.
 */
export function parseHubOptionsWithDemo(
  args: string[],
  env: Record<string, string | undefined> = {},
): HubOptions {
  const o = parseHubOptions(args, env);
  return o.demo ? withDemoDefaults(parseHubOptions(args, { ...DEMO_DEFAULTS, ...env })) : o;
}

/**
 * The demo's defaults where the user set nothing: recordings and motion events kept 1 h, so a
 * demo left running overnight does not eat the disk.
 */
export function withDemoDefaults(o: HubOptions): HubOptions {
  if (!o.demo) return o;
  return {
    ...o,
    retainMs: o.explicit.has("retain-days") ? o.retainMs : DEMO_RETAIN_MS,
    // The demo's cameras move every 30 s: a month of their events would be gigabytes.
    retainEventMs: o.explicit.has("retain-event-days") ? o.retainEventMs : DEMO_RETAIN_MS,
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
    case "list": {
      const list = value.split(",").map((s) => s.trim()).filter(Boolean);
      if (o.flag !== "allowed-origin") return list;
      return list.map((origin) => {
        try {
          return normalizeOrigin(origin);
        } catch (err) {
          throw new UsageError(`Invalid ${from}: "${origin}": ${(err as Error).message}`);
        }
      });
    }
    case "size": {
      if (value.trim() === "") return null;
      try {
        return parseByteSize(value);
      } catch (err) {
        throw bad((err as Error).message);
      }
    }
    default:
      if (o.choices && !o.choices.includes(value)) throw bad(`expected ${o.choices.join(", ")}`);
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
