/**
 * Which cameras are already online on a hub, so `deno task cameras` does not start a second
 * camera under a serial that is live (the two would replace each other in a loop). The hub is
 * asked with a viewer certificate from the certificates directory, as a browser would.
 */
import https from "node:https";
import { join } from "node:path";
import { cameraSerial } from "../sim/run_cameras.ts";

/** Viewer certificates tried first: the demo's own, then any other in `<certs>/viewers`. */
const PREFERRED_VIEWERS = ["demo-viewer", "healthcheck"];

async function viewerFiles(certs: string): Promise<{ chain: string; key: string } | null> {
  const dir = join(certs, "viewers");
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.name.endsWith(".chain")) names.push(e.name.slice(0, -".chain".length));
    }
  } catch {
    return null;
  }
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of names) {
    try {
      return {
        chain: await Deno.readTextFile(join(dir, `${name}.chain`)),
        key: await Deno.readTextFile(join(dir, `${name}.key`)),
      };
    } catch {
      continue; // a certificate without its key
    }
  }
  return null;
}

function rank(name: string): number {
  const i = PREFERRED_VIEWERS.indexOf(name);
  return i === -1 ? PREFERRED_VIEWERS.length : i;
}

/**
 * The serials online (or stalled) on the hub behind `server` (its wss:// URL), or why they
 * cannot be known (the hub not up, a refusal); null without a viewer certificate to ask with
 * (devices' own certificates may not read the API).
 */
export async function onlineSerials(
  server: string,
  certs: string,
  caPem: string,
): Promise<Set<string> | { unknown: string } | null> {
  const viewer = await viewerFiles(certs);
  if (!viewer) return null;
  const url = new URL(server);
  return await new Promise((resolve) => {
    const req = https.request({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || 443),
      path: "/api/cameras",
      ca: caPem,
      cert: viewer.chain,
      key: viewer.key,
      agent: false,
      timeout: 5000,
      headers: { accept: "application/json" },
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => body += c);
      res.on("end", () => {
        if (res.statusCode !== 200) {
          return resolve({ unknown: `the hub answered ${res.statusCode}` });
        }
        try {
          const { cameras } = JSON.parse(body) as { cameras: { serial: string; state: string }[] };
          resolve(new Set(cameras.filter((c) => c.state !== "offline").map((c) => c.serial)));
        } catch {
          resolve({ unknown: "the hub's answer was not a camera list" });
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err: Error) => resolve({ unknown: err.message }));
    req.end();
  });
}

export type SerialPlan =
  | { firstIndex: number; skipped: string[] }
  | { refused: string[] };

/**
 * Where `count` cameras from `base` can start without taking a serial online: from index 1,
 * or after the highest one online with that base. With a base the user chose, a collision is
 * refused instead: they asked for those serials.
 */
export function planSerials(
  base: string,
  count: number,
  online: ReadonlySet<string>,
  baseChosen: boolean,
): SerialPlan {
  const wanted = Array.from({ length: count }, (_, i) => cameraSerial(base, i + 1));
  const taken = wanted.filter((s) => online.has(s));
  if (taken.length === 0) return { firstIndex: 1, skipped: [] };
  if (baseChosen) return { refused: taken };
  let highest = 0;
  for (const serial of online) {
    if (serial.startsWith(base)) {
      highest = Math.max(highest, parseInt(serial.slice(base.length), 16));
    }
  }
  return { firstIndex: highest + 1, skipped: [...online].filter((s) => s.startsWith(base)).sort() };
}
