/**
 * The recorder process's command line (`deno task recorder`, cli/recorder.ts): the hub's own
 * options for the bus, the data directory, recording, motion and retention, read by the hub's
 * parser so that each means the same in both programs (lib/hub_option_table.ts). Any other hub
 * flag is refused here; the recorder records every camera by default (`--record continuous`).
 */
import { parseArgs } from "node:util";
import { OPTIONS } from "./hub_option_table.ts";
import { type HubOptions, parseHubOptions, withSuggestion } from "./hub_options.ts";
import { UsageError } from "./usage_error.ts";
import { BUS_PASSWORD_ENV } from "./bus_settings.ts";

/** The hub flags the recorder takes. */
export const RECORDER_FLAGS: readonly string[] = [
  "data",
  "bus",
  "bus-ca",
  "bus-cert",
  "bus-key",
  "bus-user",
  "bus-creds",
  "record",
  "record-max-fps",
  "segment-seconds",
  "retain-days",
  "retain-bytes",
  "min-free-bytes",
  "motion",
  "motion-pre-roll-seconds",
  "motion-post-roll-seconds",
  "retain-event-days",
];

const SPECS = OPTIONS.filter((o) => RECORDER_FLAGS.includes(o.flag));

/** The environment variables the recorder reads (a container grants only these). */
export const RECORDER_ENV: readonly string[] = [...SPECS.map((o) => o.env), BUS_PASSWORD_ENV];

export type RecorderOptions =
  & Pick<
    HubOptions,
    | "dataDir"
    | "bus"
    | "record"
    | "recordMaxFps"
    | "segmentSeconds"
    | "retainMs"
    | "retainBytes"
    | "minFreeBytes"
    | "motion"
    | "motionPreRollMs"
    | "motionPostRollMs"
    | "retainEventMs"
  >
  & { mode: "run" | "help" };

export const RECORDER_USAGE = `trustcam recorder: records every camera of a NATS cluster

Usage: deno task recorder --bus nats://host:4222 [--data DIR] [options]

It joins the bus, asks every hub for all its cameras' frames and writes them in DIR/recordings
with the hub's archive layout; motion events (with --motion on) go to DIR/events.db. Hubs of
the cluster run with --record off and serve playback from DIR/recordings (--recordings-dir).

Options (flag, environment variable, default):
${
  SPECS.map((o) => {
    const value = o.kind === "string" || o.kind === "list"
      ? "VALUE"
      : o.kind === "size"
      ? "SIZE"
      : "N";
    const def = o.flag === "record" ? "continuous" : o.default;
    return `  --${`${o.flag} ${value}`.padEnd(32)} ${o.help}\n  ${"".padEnd(34)} env ${o.env}${
      def ? `, default ${def}` : ""
    }`;
  }).join("\n")
}
  --help, -h                         Show this help

Stop with Ctrl-C (SIGINT) or SIGTERM: open segments are written and closed.`;

/** Reads the recorder's flags and environment; throws {@link UsageError} on a bad one. */
export function parseRecorderOptions(
  args: string[],
  env: Record<string, string | undefined> = {},
): RecorderOptions {
  let help = false;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(
          SPECS.map((o) => [o.flag, { type: "string" as const, multiple: o.kind === "list" }]),
        ),
      },
    });
    help = values.help === true;
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify.*$/s, "");
    throw new UsageError(withSuggestion(message, [...RECORDER_FLAGS, "help"]));
  }
  // The hub's parser reads the hub's environment too: only the recorder's variables count.
  const ownEnv = Object.fromEntries(RECORDER_ENV.map((name) => [name, env[name]]));
  if (ownEnv["TRUSTCAM_RECORD"] === undefined) ownEnv["TRUSTCAM_RECORD"] = "continuous";
  const o = parseHubOptions(args.filter((a) => a !== "--help" && a !== "-h"), ownEnv);
  if (!help && o.bus === null) {
    throw new UsageError(
      'Missing --bus: the recorder records the cameras of a NATS bus (e.g. "nats://127.0.0.1:4222")',
    );
  }
  return {
    mode: help ? "help" : "run",
    dataDir: o.dataDir,
    bus: o.bus,
    record: o.record,
    recordMaxFps: o.recordMaxFps,
    segmentSeconds: o.segmentSeconds,
    retainMs: o.retainMs,
    retainBytes: o.retainBytes,
    minFreeBytes: o.minFreeBytes,
    motion: o.motion,
    motionPreRollMs: o.motionPreRollMs,
    motionPostRollMs: o.motionPostRollMs,
    retainEventMs: o.retainEventMs,
  };
}
