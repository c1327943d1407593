/**
 * Hub settings after flags and environment are read. The defaults are those of the option
 * table in lib/hub_options.ts, read by the same parser as the command line, so a default is
 * written once.
 */
import { type HubOptions, parseHubOptions } from "../lib/hub_options.ts";

const CONFIG_KEYS = [
  "port",
  "host",
  "certsDir",
  "dataDir",
  "maxFrameBytes",
  "viewerBufferBytes",
  "maxFps",
  "maxDimension",
  "stallMs",
  "pingIntervalMs",
  "handshakeTimeoutMs",
  "maxConnections",
  "maxHandshakesPerAddress",
  "serialPattern",
  "revocationFile",
  "policyFile",
  "allowedOrigins",
  "strictTls",
  "dev",
  "record",
  "recordMaxFps",
  "segmentSeconds",
  "maxExports",
  "retainMs",
  "retainBytes",
  "minFreeBytes",
  "recordingsDir",
  "mqtt",
  "bus",
  "motion",
  "motionPreRollMs",
  "motionPostRollMs",
  "retainEventMs",
] as const satisfies readonly (keyof HubOptions)[];

export type HubConfig = Pick<HubOptions, typeof CONFIG_KEYS[number]>;

/** The hub's part of parsed options (main.ts hands all of them to startHub). */
export function hubConfigOf(o: HubOptions): HubConfig {
  return Object.fromEntries(CONFIG_KEYS.map((k) => [k, o[k]])) as unknown as HubConfig;
}

export const DEFAULT_CONFIG: HubConfig = hubConfigOf(parseHubOptions([], {}));

/** A config from the fields given, the rest defaults; the revocation list follows `certsDir`. */
export function resolveConfig(
  partial: Partial<HubConfig> & Pick<HubConfig, "certsDir" | "dataDir">,
): HubConfig {
  return { ...DEFAULT_CONFIG, revocationFile: `${partial.certsDir}/revoked.txt`, ...partial };
}
