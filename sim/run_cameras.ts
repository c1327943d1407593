/**
 * A fleet of simulated cameras, as `deno task cameras` and the demo run them. Each one is a
 * real device to the hub: its own certificate (issued from the dev CA when missing), mTLS,
 * JPEG frames and status messages, reconnecting with backoff when the hub goes away.
 */

import { join } from "node:path";
import { checkActivity } from "./activity.ts";
import { issueDevice } from "../cli/cert_dir.ts";
import { PkiError } from "../lib/pki_error.ts";
import type { FrameSize } from "./frames.ts";
import { SimCamera, type SimCameraEvent } from "./camera.ts";

export const DEFAULT_SERIAL_BASE = "0123CAFE";

export interface RunCamerasOptions {
  count: number;
  /** Frames per second per camera. */
  fps: number;
  /** Default qvga. */
  size?: FrameSize;
  /** Hub endpoint, e.g. wss://localhost:5000/ws, or several tried in turn (sim/camera.ts). */
  server: string | readonly string[];
  /** Holds root-ca.crt, signer-ca.crt, devices/<serial>.crt|.key|.chain and the dev CA. */
  certsDir: string;
  /** First 8 hex digits of the serials (default 0123CAFE); see cameraSerial(). */
  serialBase?: string;
  /** Index of the first camera (default 1): camera i is cameraSerial(serialBase, i). */
  firstIndex?: number;
  /** Frames in each camera's loop; default 2 x fps, at least 2. */
  loopFrames?: number;
  /**
   * When the scenes move (sim/activity.ts); default always. Each camera starts a further
   * `stepMs` into the cycle, so they do not all move at once.
   */
  activity?: { moveMs: number; stillMs: number; stepMs?: number };
  /** The cameras run until it aborts; without one, until the process ends. */
  signal?: AbortSignal;
  /** Progress and errors, a line at a time; default console.log and console.error. */
  log?: (line: string) => void;
}

/** Serial of camera `index` (from 1): the base and the index as 10 upper-case hex digits. */
export function cameraSerial(serialBase: string, index: number): string {
  return serialBase + index.toString(16).toUpperCase().padStart(10, "0");
}

interface DeviceCredentials {
  certPem: string;
  keyPem: string;
  chainPem?: string;
  issued: boolean;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** The device's certificate from <certs>/devices, issued from the dev CA when absent. */
async function deviceCredentials(certs: string, serial: string): Promise<DeviceCredentials> {
  const base = join(certs, "devices", serial);
  const [certPem, keyPem, chainPem] = await Promise.all(
    [".crt", ".key", ".chain"].map((ext) => readIfExists(base + ext)),
  );
  if (certPem !== undefined && keyPem !== undefined) {
    return { certPem, keyPem, chainPem, issued: false };
  }
  const { cert } = await issueDevice(certs, serial, { force: certPem !== undefined });
  return { certPem: cert.certPem, keyPem: cert.keyPem, chainPem: cert.chainPem, issued: true };
}

/**
 * Runs `count` cameras until `signal` aborts, then stops them. Resolves the exit code: 0,
 * or 1 (after logging why) when certificates are missing and cannot be issued.
 */
export async function runCameras(opts: RunCamerasOptions): Promise<number> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const fail = opts.log ?? ((line: string) => console.error(line));
  const certs = opts.certsDir;
  const size = opts.size ?? "qvga";
  const serialBase = opts.serialBase ?? DEFAULT_SERIAL_BASE;

  const caFiles = ["root-ca.crt", "signer-ca.crt"].map((f) => join(certs, f));
  const caParts = await Promise.all(caFiles.map(readIfExists));
  const missing = caFiles.filter((_, i) => caParts[i] === undefined);
  if (missing.length > 0) {
    fail(
      `Missing trusted CA certificate: ${missing.map((f) => `"${f}"`).join(", ")}: ` +
        "run `deno task certs init`",
    );
    return 1;
  }
  const caPem = caParts.join("");

  const first = opts.firstIndex ?? 1;
  const serials = Array.from({ length: opts.count }, (_, i) => cameraSerial(serialBase, first + i));
  const credentials: DeviceCredentials[] = [];
  for (const serial of serials) {
    try {
      const c = await deviceCredentials(certs, serial);
      if (c.issued) log(`${serial} issued a device certificate from the dev CA in ${certs}`);
      credentials.push(c);
    } catch (err) {
      if (err instanceof PkiError && err.code === "PKI_NO_CA") {
        fail(
          `No device certificate for ${serial} and no dev CA in ${certs}: ` +
            `run \`deno task certs init\` or \`deno task certs device ${serial}\``,
        );
        return 1;
      }
      if (err instanceof PkiError) {
        fail(`Cannot issue a certificate for ${serial}: ${err.message}`);
        return 1;
      }
      throw err;
    }
  }

  if (opts.signal?.aborted) return 0;
  const count = opts.count;
  const loopFrames = opts.loopFrames ?? Math.max(2, Math.round(2 * opts.fps));
  log(
    `Starting ${count} camera${count === 1 ? "" : "s"} at ${opts.fps} fps, ${size}, ` +
      `${loopFrames}-frame loops, to ${[opts.server].flat().join(", ")}`,
  );
  const started = performance.now();
  let rendered = 0;
  const onEvent = (serial: string) => (e: SimCameraEvent) => {
    switch (e.type) {
      case "rendered":
        // The first loop per camera is start-up work worth timing; later ones (one a minute,
        // for the clock) are routine.
        if (rendered < count) {
          rendered++;
          log(`${serial} rendered ${e.detail}`);
          if (rendered === count) {
            log(`All loops rendered in ${Math.round(performance.now() - started)} ms`);
          }
        }
        break;
      case "connected":
        log(`${serial} connected to ${e.detail}`);
        break;
      case "disconnected":
        log(`${serial} disconnected: ${e.detail}`);
        break;
      case "error":
        // Connection failures are reported once, in the "disconnected" line that follows.
        break;
    }
  };

  const cameras = serials.map((serial, i) =>
    new SimCamera({
      server: opts.server,
      serial,
      certPem: credentials[i].certPem,
      keyPem: credentials[i].keyPem,
      chainPem: credentials[i].chainPem,
      caPem,
      fps: opts.fps,
      size,
      loopFrames,
      activity: opts.activity && checkActivity({
        moveMs: opts.activity.moveMs,
        stillMs: opts.activity.stillMs,
        offsetMs: i * (opts.activity.stepMs ?? 0),
      }),
      onEvent: onEvent(serial),
    })
  );
  for (const cam of cameras) cam.start();

  await new Promise<void>((resolve) => {
    if (!opts.signal) return; // runs until the process is killed
    if (opts.signal.aborted) return resolve();
    opts.signal.addEventListener("abort", () => resolve(), { once: true });
  });

  log(`Stopping ${count} camera${count === 1 ? "" : "s"}`);
  await Promise.all(cameras.map((c) => c.stop()));
  const sent = cameras.reduce((n, c) => n + c.stats.sent, 0);
  const skipped = cameras.reduce((n, c) => n + c.stats.skipped, 0);
  log(`Stopped: ${sent} frames sent, ${skipped} skipped`);
  return 0;
}
