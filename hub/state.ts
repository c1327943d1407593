/**
 * What routes may use of the running hub. Routes get this as `ctx.state`; they never see
 * sockets, so they are tested with a plain Request.
 */
import type { Registry } from "../lib/registry.ts";
import type { Metrics } from "../lib/metrics.ts";
import type { Bus } from "../lib/bus.ts";
import type { HubConfig } from "./config.ts";

/** The client bundle and other built files, served under `/_trustcam/`. */
export interface WebAssets {
  /** URL of the islands bundle, content-hashed: "/_trustcam/islands-3f2a9c1e.js". */
  readonly scriptUrl: string;
  /** A response for an asset path, or undefined when it is not an asset. */
  serve(pathname: string): Response | undefined;
}

export interface HubState {
  config: HubConfig;
  registry: Registry;
  bus: Bus;
  metrics: Metrics;
  assets: WebAssets;
  /** Whether a viewer CN may see a camera, per the access policy in force now. */
  canSee(viewer: string, serial: string): boolean;
  /** True for strings that match the device serial pattern. */
  isSerial(s: string): boolean;
  /** The latest valid JPEG a camera sent since the hub started. */
  latestJpeg(serial: string): Uint8Array | undefined;
  /** Announces a rename to viewers (the route has already updated the registry). */
  announce(serial: string, event: "renamed"): void;
  /** Aborts when the hub shuts down: long responses (MJPEG) end with it. */
  shutdown: AbortSignal;
}
