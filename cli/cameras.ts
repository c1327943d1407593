/**
 * `deno task cameras`: simulated cameras for development and load (sim/run_cameras.ts),
 * configured from the command line.
 */

import { parseOrExit, UsageError } from "../lib/usage_error.ts";
import { parseFlags } from "../lib/parse_flags.ts";
import { flagInteger } from "../lib/flag_integer.ts";
import type { FrameSize } from "../sim/frames.ts";
import { join } from "node:path";
import { cameraSerial, DEFAULT_SERIAL_BASE, runCameras } from "../sim/run_cameras.ts";
import { onlineSerials, planSerials } from "./online_cameras.ts";

export const MAX_CAMERAS = 1000;

export const USAGE = `Usage: deno task cameras [options]

Runs simulated cameras against a trustcam hub. Each camera connects over mutual TLS with its
own device certificate and streams a loop of JPEG frames (moving picture, serial, UTC clock;
each frame stamped with its send time) plus a status message every 10 s. When the hub goes
away the cameras reconnect with exponential backoff and jitter; given several hubs (one
cluster), each reconnect goes to the next address, so a camera whose hub died finds another.

Options:
  --count N           number of cameras (default 4, at most ${MAX_CAMERAS})
  --fps F             frames per second per camera (default 15, at most 120)
  --size S            qvga (320x240) or vga (640x480) (default qvga)
  --server URL        hub WebSocket endpoint (default wss://localhost:5000/ws); repeat it
                      or give a comma list for several hubs: --server wss://a/ws,wss://b/ws
  --hub URL           the same as --server
  --certs DIR         certificates directory (default certs)
  --serial-base HEX   first 8 hex digits of the serials, starting 0123 (default 0123CAFE);
                      camera i (from 1) is <base> + i as 10 hex digits: 0123CAFE0000000001
  --loop-frames N     frames in each camera's loop (default 2 x fps, at least 2)
  -h, --help          show this help

Certificates: <DIR>/devices/<serial>.crt, .key and .chain are used when present; otherwise
they are issued from the dev CA in <DIR> (see \`deno task certs\`). The cameras trust
<DIR>/root-ca.crt and <DIR>/signer-ca.crt.

Serials in use: with a viewer certificate in <DIR>/viewers (the demo makes one), the hub is
asked which cameras are online first, and the cameras start after those with the same base,
so two cameras never share a serial; with --serial-base given, a collision is refused.

Stop with Ctrl-C (SIGINT) or SIGTERM.`;

export interface CamerasOptions {
  count: number;
  fps: number;
  size: FrameSize;
  /** One hub endpoint, or several in the order the cameras try them. */
  server: string | string[];
  certs: string;
  serialBase: string;
  loopFrames: number | undefined;
}

const FLAGS = {
  count: { type: "string" },
  fps: { type: "string" },
  size: { type: "string" },
  server: { type: "string", multiple: true },
  hub: { type: "string", multiple: true },
  certs: { type: "string" },
  "serial-base": { type: "string" },
  "loop-frames": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses the command line; returns "help" for --help. Throws UsageError. */
export function parseCamerasArgs(args: string[]): CamerasOptions | "help" {
  const values = parseFlags(args, FLAGS);
  if (values.help) return "help";

  const count = flagInteger("count", values.count, 4, 1, MAX_CAMERAS);

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

  const given = [...values.server ?? [], ...values.hub ?? []];
  const servers = given.length === 0 ? ["wss://localhost:5000/ws"] : given.flatMap((list) => {
    const flag = values.server?.includes(list) ? "--server" : "--hub";
    const urls = list.split(",").map((u) => u.trim());
    for (const server of urls) {
      let url: URL;
      try {
        url = new URL(server);
      } catch {
        throw new UsageError(`Invalid ${flag}: "${server}": not a URL`);
      }
      if (url.protocol !== "wss:") {
        throw new UsageError(
          `Invalid ${flag}: "${server}": must be a wss:// URL (the hub needs TLS)`,
        );
      }
    }
    return urls;
  });
  const server = servers.length === 1 ? servers[0] : servers;

  const serialBase = (values["serial-base"] ?? DEFAULT_SERIAL_BASE).toUpperCase();
  if (!/^0123[0-9A-F]{4}$/.test(serialBase)) {
    throw new UsageError(
      `Invalid --serial-base: "${values["serial-base"]}": must be 8 hex digits starting 0123`,
    );
  }

  const loopFrames = values["loop-frames"] === undefined
    ? undefined
    : flagInteger("loop-frames", values["loop-frames"], 0, 2, 3600);

  return { count, fps, size, server, certs: values.certs ?? "certs", serialBase, loopFrames };
}

/**
 * The index the cameras start at so that none takes the serial of a camera online on the
 * hub, or the serials it would take when the user chose the base and it collides.
 */
async function firstFreeIndex(
  o: CamerasOptions,
  baseChosen: boolean,
  log: (line: string) => void,
): Promise<number | { refused: string[] }> {
  let caPem: string;
  try {
    caPem = (await Promise.all(
      ["root-ca.crt", "signer-ca.crt"].map((f) => Deno.readTextFile(join(o.certs, f))),
    )).join("");
  } catch {
    return 1; // runCameras says what is missing
  }
  // Several hubs (one cluster behind them, or not): a serial online on any of them collides.
  const online = new Set<string>();
  for (const server of typeof o.server === "string" ? [o.server] : o.server) {
    const found = await onlineSerials(server, o.certs, caPem);
    if (found === null) return 1;
    if (!(found instanceof Set)) {
      log(`Not checked which serials are online on ${server} (${found.unknown})`);
      continue;
    }
    for (const serial of found) online.add(serial);
  }
  const plan = planSerials(o.serialBase, o.count, online, baseChosen);
  if ("refused" in plan) return plan;
  if (plan.skipped.length > 0) {
    log(
      `${plan.skipped.length} camera${plan.skipped.length === 1 ? "" : "s"} with serial base ` +
        `${o.serialBase} already online on the hub (${plan.skipped.join(", ")}): starting at ` +
        `${cameraSerial(o.serialBase, plan.firstIndex)} (--serial-base picks another range)`,
    );
  }
  return plan.firstIndex;
}

export async function camerasMain(
  args: string[],
  opts: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<number> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const fail = opts.log ?? ((line: string) => console.error(line));

  const o = parseOrExit(() => parseCamerasArgs(args), "cameras", USAGE, { log, fail });
  if (typeof o === "number") return o;

  const baseChosen = args.some((a) => a === "--serial-base" || a.startsWith("--serial-base="));
  const firstIndex = await firstFreeIndex(o, baseChosen, log);
  if (typeof firstIndex !== "number") {
    const next = (parseInt(o.serialBase, 16) + 1).toString(16).toUpperCase().padStart(8, "0");
    fail(
      `Serials already online on the hub: ${
        firstIndex.refused.join(", ")
      }: pick another range with ` +
        `--serial-base${next.startsWith("0123") ? ` (e.g. --serial-base ${next})` : ""}`,
    );
    return 1;
  }

  return await runCameras({
    firstIndex,
    count: o.count,
    fps: o.fps,
    size: o.size,
    server: o.server,
    certsDir: o.certs,
    serialBase: o.serialBase,
    loopFrames: o.loopFrames,
    signal: opts.signal,
    log: opts.log,
  });
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
