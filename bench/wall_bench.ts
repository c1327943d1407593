/**
 * The wall under load: N simulated cameras at F fps into one Chromium wall on a 1920x1080
 * screen, for S seconds. Reports frames painted per second (all tiles), frames dropped by
 * latest-wins, the age of the shown frames and decodes in flight; saves a screenshot.
 *
 *   deno run -A bench/wall_bench.ts [--cameras 16] [--fps 15] [--seconds 20]
 *     [--screenshot tests/artifacts/wall_16.png] [--json bench/results/wall.json]
 */
import { startWall } from "../tests/wall_fixture.ts";

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
  await using wall = await startWall({
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
