import type { HubOptions } from "../lib/hub_options.ts";

/** Hub settings after flags and environment are read (lib/hub_options.ts defines them). */
export type HubConfig = Pick<
  HubOptions,
  | "port"
  | "host"
  | "certsDir"
  | "dataDir"
  | "maxFrameBytes"
  | "viewerBufferBytes"
  | "stallMs"
  | "pingIntervalMs"
  | "handshakeTimeoutMs"
  | "serialPattern"
  | "revocationFile"
  | "policyFile"
  | "dev"
>;
