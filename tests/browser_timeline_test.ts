/**
 * The camera page's timeline in Chromium against a real hub that records (issue 11): the wall
 * marks the cameras being recorded, the recorded range is shaded, the window zooms, the
 * controls are reachable by keyboard, and an export job runs to a downloaded MP4.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ARTIFACTS, startWall } from "./wall_fixture.ts";
import type { TestHub } from "./hub_fixture.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const OTHER = "0123B1B2C3D4E5F6B7";

interface Range {
  from: string;
  to: string;
  frames: number;
}

/** Waits until the archive holds a range of `serial` with at least `frames` frames. */
async function recordedRange(t: TestHub, serial: string, frames: number): Promise<Range> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const res = await t.request(`/api/cameras/${serial}/recordings`);
    const ranges = (res.json() as { ranges: Range[] }).ranges;
    const r = ranges.at(-1);
    if (r && r.frames >= frames) return r;
    if (performance.now() > deadline) throw new Error(`Only ${JSON.stringify(ranges)} recorded`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The shaded spans on the bar, in percent of its width. */
function shaded(page: Page): Promise<{ left: number; width: number }[]> {
  return page.$$eval("[data-bar] [data-range]", (els) =>
    els.map((el) => {
      const bar = el.parentElement!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return {
        left: (box.left - bar.left) / bar.width * 100,
        width: box.width / bar.width * 100,
      };
    }));
}

Deno.test("browser: the camera page's timeline shades what the hub recorded", async (t) => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await using wall = await startWall({
    serials: [CAM, OTHER],
    names: ["Front door", "Garage"],
    hub: { record: "continuous" },
  });
  const range = await recordedRange(wall.t, CAM, 45);
  const ctx = await wall.context({ viewport: { width: 1200, height: 800 } });
  const page = await ctx.newPage();
  const problems = wall.watch(page);

  await t.step("the wall marks the cameras being recorded, and hears when one stops", async () => {
    await page.goto(`${wall.origin}/`);
    await page.waitForSelector("[data-island][data-ready]", { timeout: 10_000 });
    for (const s of [CAM, OTHER]) {
      await page.waitForSelector(`[data-tile="${s}"] [data-rec]`, { timeout: 15_000 });
    }
    assert.equal((await page.textContent(`[data-tile="${CAM}"] [data-rec]`))?.trim(), "REC");
    await page.screenshot({ path: `${ARTIFACTS}wall_rec.png` });
    const res = await wall.t.request(`/api/cameras/${OTHER}/recording`, {
      method: "PUT",
      body: JSON.stringify({ mode: "off" }),
    });
    assert.equal(res.status, 200, res.text());
    await page.waitForSelector(`[data-tile="${OTHER}"] [data-rec]`, {
      state: "detached",
      timeout: 15_000,
    });
    assert.equal(await page.locator(`[data-tile="${CAM}"] [data-rec]`).count(), 1);
  });

  await t.step("the page opens live, with the recorded range shaded on the last 24 h", async () => {
    const res = await page.goto(`${wall.origin}/cameras/${CAM}`);
    assert.equal(res?.status(), 200);
    await page.waitForSelector("[data-island][data-ready]", { timeout: 10_000 });
    await page.waitForSelector("[data-playback=live]", { timeout: 15_000 });
    assert.equal(await page.getAttribute("[data-playtime]", "data-playtime"), "live");
    assert.match(await page.textContent("[data-playtime]") ?? "", /LIVE/);
    assert.equal(await page.getAttribute("[data-action=live]", "aria-pressed"), "true");
    assert.equal(await page.locator("[data-playback] [data-rec]").count(), 1);
    assert.match(await page.textContent("[data-window]") ?? "", /^24 h · /);
    await page.waitForSelector("[data-bar] [data-range]", { timeout: 10_000 });
    const spans = await shaded(page);
    assert.equal(spans.length, 1);
    // A few seconds of 24 h: drawn at its minimum width, at the right end of the bar.
    assert.ok(spans[0].left > 95 && spans[0].left + spans[0].width <= 100.5, JSON.stringify(spans));
  });

  await t.step("zooming in to the smallest window shows the range to scale", async () => {
    for (let i = 0; i < 12; i++) await page.click("[data-action=zoom-in]");
    assert.match(await page.textContent("[data-window]") ?? "", /^2 min · /);
    // The range keeps growing while the camera records: at least what was recorded before.
    const seconds = (Date.parse(range.to) - Date.parse(range.from)) / 1000;
    await page.waitForFunction(
      (min) => {
        const bar = document.querySelector("[data-bar]")!.getBoundingClientRect();
        const el = document.querySelector("[data-bar] [data-range]");
        return el !== null && el.getBoundingClientRect().width / bar.width * 100 >= min;
      },
      seconds / 120 * 100 * 0.9,
      { timeout: 10_000 },
    );
    const spans = await shaded(page);
    assert.equal(spans.length, 1);
    assert.ok(spans[0].left > 0 && spans[0].left < 100, JSON.stringify(spans));
    // Tick labels: "HH:MM" each minute (or a date at midnight).
    const labels = await page.$$eval(
      "[data-timeline] .font-mono span",
      (els) => els.map((e) => e.textContent),
    );
    assert.ok(
      labels.every((l) => /^(\d\d:\d\d|\d{1,2} [A-Z][a-z]{2})$/.test(l ?? "")),
      `${labels}`,
    );
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: `${ARTIFACTS}timeline.png` });
  });

  await t.step(
    "the timeline is a slider and the controls are buttons, reachable by Tab",
    async () => {
      const bar = page.locator("[data-bar]");
      assert.equal(await bar.getAttribute("role"), "slider");
      assert.equal(await bar.getAttribute("aria-valuetext"), "Live");
      const reached = new Set<string>();
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press("Tab");
        const what = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return el?.dataset.action ?? (el?.dataset.speed ? `speed-${el.dataset.speed}` : null) ??
            (el?.hasAttribute("data-bar") ? "bar" : null);
        });
        if (what) reached.add(what);
      }
      for (
        const want of [
          "play-pause",
          "speed-1",
          "speed-8",
          "live",
          "zoom-in",
          "zoom-out",
          "bar",
          "export",
        ]
      ) {
        assert.ok(reached.has(want), `${want} not reached by Tab: ${[...reached]}`);
      }
    },
  );

  await t.step(
    "an export of the last 5 minutes runs to a download link and an MP4",
    async () => {
      await page.click("text=Last 5 min");
      await page.waitForSelector("[data-bar] [data-selection]", { timeout: 15_000 });
      await page.click("[data-action=export]");
      await page.waitForSelector("[data-export-job=done] [data-download]", { timeout: 30_000 });
      assert.match(
        await page.textContent("[data-download]") ?? "",
        /^Download MP4 · [\d.]+ (KiB|MiB|B)$/,
      );
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click("[data-download]"),
      ]);
      assert.match(download.suggestedFilename(), new RegExp(`^${CAM}-\\d{8}T\\d{6}Z\\.mp4$`));
      const bytes = await Deno.readFile(await download.path());
      // An ISO BMFF file: its first box is `ftyp`.
      assert.equal(new TextDecoder().decode(bytes.subarray(4, 8)), "ftyp");
      assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
    },
  );

  await t.step("nothing went wrong in the page", () => {
    assert.deepEqual(problems, []);
  });
});
