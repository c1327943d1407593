/**
 * `deno task cameras`: simulated cameras for development and load. Each one is a real
 * device to the hub: its own certificate (issued from the dev CA when missing), mTLS, JPEG
 * frames and status messages, reconnecting with backoff when the hub goes away.
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { issueDevice } from "./cert_dir.ts";
import { PkiError } from "../lib/pki_error.ts";
import type { FrameSize } from "../lib/sim_frames.ts";
import { SimCamera, type SimCameraEvent } from "../hub/sim_camera.ts";

export const MAX_CAMERAS = 1000;

export const USAGE = `Usage: deno task cameras [options]

Runs simulated cameras against a trustcam hub. Each camera connects over mutual TLS with its
own device certificate and streams a loop of JPEG frames (moving picture, serial, UTC clock;
each frame stamped with its send time) plus a status message every 10 s. When the hub goes
away the cameras reconnect with exponential backoff and jitter.

Options:
  --count N           number of cameras (default 4, at most ${MAX_CAMERAS})
  --fps F             frames per second per camera (default 15, at most 120)
  --size S            qvga (320x240) or vga (640x480) (default qvga)
  --server URL        hub WebSocket endpoint (default wss://localhost:5000/ws)
  --certs DIR         certificates directory (default certs)
  --serial-base HEX   first 8 hex digits of the serials, starting 0123 (default 0123CAFE);
                      camera i (from 1) is <base> + i as 10 hex digits: 0123CAFE0000000001
  --loop-frames N     frames in each camera's loop (default 2 x fps, at least 2)
  -h, --help          show this help

Certificates: <DIR>/devices/<serial>.crt, .key and .chain are used when present; otherwise
they are issued from the dev CA in <DIR> (see \`deno task certs\`). The cameras trust
<DIR>/root-ca.crt and <DIR>/signer-ca.crt.

Stop with Ctrl-C (SIGINT) or SIGTERM.`;

export interface CamerasOptions {
  count: number;
  fps: number;
  size: FrameSize;
  server: string;
  certs: string;
  serialBase: string;
  loopFrames: number | undefined;
}

/** A bad command line; the message names the flag and the value. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses the command line; returns "help" for --help. Throws UsageError. */
export function parseCamerasArgs(args: string[]): CamerasOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        count: { type: "string" },
        fps: { type: "string" },
        size: { type: "string" },
        server: { type: "string" },
        certs: { type: "string" },
        "serial-base": { type: "string" },
        "loop-frames": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\.$/, ""));
  }
  if (values.help) return "help";

  const integer = (
    flag: string,
    raw: string | undefined,
    def: number,
    min: number,
    max: number,
  ) => {
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      throw new UsageError(`Invalid --${flag}: "${raw}": must be an integer from ${min} to ${max}`);
    }
    return n;
  };
  const count = integer("count", values.count, 4, 1, MAX_CAMERAS);

  let fps = 15;
  if (values.fps !== undefined) {
    fps = Number(values.fps);
    if (!/^\d+(\.\d+)?$/.test(values.fps) || !(fps > 0 && fps <= 120)) {
      throw new UsageError(`Invalid --fps: "${values.fps}": must be a number above 0, at most 120`);
    }
  }

  const size = values.size ?? "qvga";
  if (size !== "qvga" && size !== "vga") {
    throw new UsageError(`Invalid --size: "${size}": must be qvga or vga`);
  }

  const server = values.server ?? "wss://localhost:5000/ws";
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`Invalid --server: "${server}": not a URL`);
  }
  if (url.protocol !== "wss:") {
    throw new UsageError(`Invalid --server: "${server}": must be a wss:// URL (the hub needs TLS)`);
  }

  const serialBase = (values["serial-base"] ?? "0123CAFE").toUpperCase();
  if (!/^0123[0-9A-F]{4}$/.test(serialBase)) {
    throw new UsageError(
      `Invalid --serial-base: "${values["serial-base"]}": must be 8 hex digits starting 0123`,
    );
  }

  const loopFrames = values["loop-frames"] === undefined
    ? undefined
    : integer("loop-frames", values["loop-frames"], 0, 2, 3600);

  return { count, fps, size, server, certs: values.certs ?? "certs", serialBase, loopFrames };
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

export async function camerasMain(
  args: string[],
  opts: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<number> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const fail = opts.log ?? ((line: string) => console.error(line));

  let o: CamerasOptions;
  try {
    const parsed = parseCamerasArgs(args);
    if (parsed === "help") {
      log(USAGE);
      return 0;
    }
    o = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    fail(`${err.message}\nRun \`deno task cameras --help\` for usage`);
    return 2;
  }

  const caFiles = ["root-ca.crt", "signer-ca.crt"].map((f) => join(o.certs, f));
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

  const serials = Array.from({ length: o.count }, (_, i) => cameraSerial(o.serialBase, i + 1));
  const credentials: DeviceCredentials[] = [];
  for (const serial of serials) {
    try {
      const c = await deviceCredentials(o.certs, serial);
      if (c.issued) log(`${serial} issued a device certificate from the dev CA in ${o.certs}`);
      credentials.push(c);
    } catch (err) {
      if (err instanceof PkiError && err.code === "PKI_NO_CA") {
        fail(
          `No device certificate for ${serial} and no dev CA in ${o.certs}: ` +
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
  const loopFrames = o.loopFrames ?? Math.max(2, Math.round(2 * o.fps));
  log(
    `Starting ${o.count} camera${o.count === 1 ? "" : "s"} at ${o.fps} fps, ${o.size}, ` +
      `${loopFrames}-frame loops, to ${o.server}`,
  );
  const started = performance.now();
  let rendered = 0;
  const onEvent = (serial: string) => (e: SimCameraEvent) => {
    switch (e.type) {
      case "rendered":
        // The first loop per camera is start-up work worth timing; later ones (one a minute,
        // for the clock) are routine.
        if (rendered < o.count) {
          rendered++;
          log(`${serial} rendered ${e.detail}`);
          if (rendered === o.count) {
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
      server: o.server,
      serial,
      certPem: credentials[i].certPem,
      keyPem: credentials[i].keyPem,
      chainPem: credentials[i].chainPem,
      caPem,
      fps: o.fps,
      size: o.size,
      loopFrames,
      onEvent: onEvent(serial),
    })
  );
  for (const cam of cameras) cam.start();

  await new Promise<void>((resolve) => {
    if (!opts.signal) return; // runs until the process is killed
    if (opts.signal.aborted) return resolve();
    opts.signal.addEventListener("abort", () => resolve(), { once: true });
  });

  log(`Stopping ${o.count} camera${o.count === 1 ? "" : "s"}`);
  await Promise.all(cameras.map((c) => c.stop()));
  const sent = cameras.reduce((n, c) => n + c.stats.sent, 0);
  const skipped = cameras.reduce((n, c) => n + c.stats.skipped, 0);
  log(`Stopped: ${sent} frames sent, ${skipped} skipped`);
  return 0;
}

if (import.meta.main) {
  const ac = new AbortController();
  const stop = () => ac.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const code = await camerasMain(Deno.args, { signal: ac.signal });
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.exit(code);
}
