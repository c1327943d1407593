/**
 * The wall under load: N simulated cameras at F fps into one Chromium wall on a 1920x1080
 * screen, for S seconds (the hub and the cameras run in this process, as in the browser
 * tests; harness/wall.ts drives the wall). Reports frames painted per second (all tiles), frames dropped by
 * latest-wins, the age of the shown frames and decodes in flight; saves a screenshot.
 *
 *   deno run -A bench/wall_bench.ts [--cameras 16] [--fps 15] [--seconds 20]
 *     [--screenshot tests/artifacts/wall_16.png] [--json bench/results/wall.json]
 */
import https from "node:https";
import { startHub } from "../hub/server.ts";
import { issueClient } from "../lib/pki.ts";
import { CERT_FILES, initPki, loadSigner } from "../cli/cert_dir.ts";
import { manifest } from "../manifest.gen.ts";
import { openWall, type WallHub } from "../harness/wall.ts";

const NAMES = [
  "Front door",
  "Garage",
  "Garden",
  "Hallway",
  "Kitchen",
  "Loading bay",
  "Lobby",
  "Parking north",
  "Parking south",
  "Porch",
  "Server room",
  "Shed",
  "Side gate",
  "Stairs",
  "Street",
  "Workshop",
];

interface Sample {
  painted: number;
  replaced: number;
  inFlight: number;
  ages: number[];
}

/** An in-process hub on 127.0.0.1 with a fresh PKI in a temp dir; close() removes both. */
export async function startWallHub(): Promise<WallHub> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_wall_bench_" });
  const certsDir = `${dir}/certs`;
  const dataDir = `${dir}/data`;
  try {
    await initPki(certsDir);
    await Deno.mkdir(dataDir);
    const signer = await loadSigner(certsDir);
    const caPem = (await Deno.readTextFile(`${certsDir}/${CERT_FILES.rootCa}`)) + signer.certPem;
    const tester = await issueClient(signer, { cn: "tester" });
    const hub = await startHub({ certsDir, dataDir, host: "127.0.0.1", port: 0 }, {
      manifest,
      log: () => {},
    });
    const patch = (path: string, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = https.request({
          host: "127.0.0.1",
          port: hub.port,
          path,
          method: "PATCH",
          ca: caPem,
          cert: tester.chainPem,
          key: tester.keyPem,
          agent: false,
          headers: { "content-type": "application/json", connection: "close" },
        }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end(body);
      });
    return {
      port: hub.port,
      caPem,
      device: (serial) => issueClient(signer, { cn: serial }),
      viewer: (name) => issueClient(signer, { cn: name }),
      online: (serial) => hub.state.registry.get(serial)?.state === "online",
      async rename(serial, name) {
        const status = await patch(`/api/cameras/${serial}`, JSON.stringify({ name }));
        if (status !== 200) throw new Error(`Rename of "${serial}" failed: HTTP ${status}`);
      },
      async close() {
        await hub.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
}

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : fallback;
}

if (import.meta.main) {
  const cameras = Number(arg("--cameras", "16"));
  const fps = Number(arg("--fps", "15"));
  const seconds = Number(arg("--seconds", "20"));
  const serials = Array.from(
    { length: cameras },
    (_, i) => `0123CAFE${i.toString(16).toUpperCase().padStart(10, "0")}`,
  );
  await using wall = await openWall(await startWallHub(), {
    serials,
    fps,
    names: serials.map((_, i) => NAMES[i] ?? `Camera ${i + 1}`),
  });
  const page = await (await wall.context({ viewport: { width: 1920, height: 1080 } })).newPage();
  await page.goto(`${wall.origin}/`);
  await page.waitForSelector("[data-island][data-ready]");
  await page.waitForTimeout(3000);
  const sample = () =>
    page.evaluate((): Sample => {
      // deno-lint-ignore no-explicit-any
      const p = (globalThis as any).__trustcamPaint;
      const ages = [...document.querySelectorAll("[data-age]")]
        .map((el) => /^(\d+) ms$/.exec(el.textContent ?? "")?.[1])
        .filter((x): x is string => x !== undefined)
        .map(Number);
      return { painted: p.painted, replaced: p.replaced, inFlight: p.inFlight, ages };
    });
  const first = await sample();
  const ages: number[] = [];
  let maxInFlight = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await page.waitForTimeout(250);
    const s = await sample();
    ages.push(...s.ages);
    maxInFlight = Math.max(maxInFlight, s.inFlight);
  }
  const last = await sample();
  const elapsed = (performance.now() - t0) / 1000;
  ages.sort((a, b) => a - b);
  const result = {
    cameras,
    fps,
    seconds: Math.round(elapsed),
    paintedPerSecond: (last.painted - first.painted) / elapsed,
    offeredPerSecond: cameras * fps,
    replaced: last.replaced - first.replaced,
    ageMedianMs: ages[Math.floor(ages.length / 2)],
    ageP95Ms: ages[Math.floor(ages.length * 0.95)],
    maxDecodesInFlight: maxInFlight,
  };
  console.log(JSON.stringify(result, null, 2));
  const shot = arg("--screenshot", "");
  if (shot) await page.screenshot({ path: shot });
  const json = arg("--json", "");
  if (json) await Deno.writeTextFile(json, JSON.stringify(result, null, 2) + "\n");
}
