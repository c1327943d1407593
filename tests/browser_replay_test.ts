/**
 * Replay on the camera page in Chromium against a real hub that records (issue 11): a click
 * or a drag on the timeline plays the recording through the same canvas with its time shown,
 * Space pauses, a seek while paused shows the frame there, the end of the recording and the
 * Live button return to live, and the wall marks the cameras being recorded.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ARTIFACTS, startWall } from "./wall_fixture.ts";
import type { TestHub } from "./hub_fixture.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const OTHER = "0123B1B2C3D4E5F6B7";
/** Looked at by people, copied to docs/timeline.png when the page changes. */
const DOCS_SCREENSHOT = `${ARTIFACTS}timeline_docs.png`;

interface Range {
  from: number;
  to: number;
  frames: number;
}

async function ranges(t: TestHub, serial: string): Promise<Range[]> {
  const res = await t.request(`/api/cameras/${serial}/recordings`);
  return (res.json() as { ranges: { from: string; to: string; frames: number }[] }).ranges
    .map((r) => ({ from: Date.parse(r.from), to: Date.parse(r.to), frames: r.frames }));
}

/** Polls `pred` over the recorded ranges of `serial` until it holds. */
async function untilRecorded(
  t: TestHub,
  serial: string,
  pred: (r: Range[]) => boolean,
  what: string,
): Promise<Range[]> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const r = await ranges(t, serial);
    if (pred(r)) return r;
    if (performance.now() > deadline) throw new Error(`${what}: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** What the page's live view says the canvas shows: a capture time, or null while live. */
function shownAt(page: Page): Promise<number | null> {
  return page.evaluate(
    (s) =>
      (globalThis as unknown as { __trustcamLive: { shownAt(s: string): number | undefined } })
        .__trustcamLive.shownAt(s) ?? null,
    CAM,
  );
}

/** Frames painted on the page so far (lib/client/painter.ts). */
function painted(page: Page): Promise<number> {
  return page.evaluate(() =>
    (globalThis as unknown as { __trustcamPaint: { painted: number } }).__trustcamPaint.painted
  );
}

/** Where time `t` is on the bar (in its current window), in page pixels. */
async function xAt(page: Page, t: number): Promise<{ x: number; y: number }> {
  const bar = await page.$("[data-bar]");
  await bar!.scrollIntoViewIfNeeded();
  const box = (await bar!.boundingBox())!;
  const [from, to] = await page.$eval("[data-bar]", (el) => [
    Number(el.getAttribute("aria-valuemin")),
    Number(el.getAttribute("aria-valuemax")),
  ]);
  return { x: box.x + (t - from) / (to - from) * box.width, y: box.y + box.height / 2 };
}

/** Clicks the bar at time `t`. */
async function clickAt(page: Page, t: number): Promise<void> {
  const { x, y } = await xAt(page, t);
  await page.mouse.click(x, y);
}

Deno.test("browser: replay from the timeline, pause, seek, back to live; REC on the wall", async (t) => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await using wall = await startWall({
    serials: [CAM, OTHER],
    names: ["Front door", "Garage"],
    hub: { record: "continuous" },
  });
  // Two recorded stretches: the camera stops for longer than a range gap (5 s), then returns.
  await untilRecorded(wall.t, CAM, (r) => (r.at(-1)?.frames ?? 0) >= 60, "a first stretch");
  await wall.cameras.get(CAM)!.stop();
  const first = (await ranges(wall.t, CAM)).at(-1)!;
  await new Promise((r) => setTimeout(r, 6_500)); // the gap itself is what is tested
  await wall.startCamera(CAM);
  const recorded = await untilRecorded(
    wall.t,
    CAM,
    (r) => r.length >= 2 && r.at(-1)!.frames >= 45,
    "a second stretch",
  );
  assert.equal(recorded.length, 2);

  const ctx = await wall.context({ viewport: { width: 1200, height: 800 } });
  const page = await ctx.newPage();
  const problems = wall.watch(page);

  await t.step("the wall marks both cameras as recording", async () => {
    await page.goto(`${wall.origin}/`);
    await page.waitForSelector("[data-island][data-ready]", { timeout: 10_000 });
    for (const s of [CAM, OTHER]) {
      await page.waitForSelector(`[data-tile="${s}"] [data-rec]`, { timeout: 15_000 });
    }
    assert.match(await page.textContent(`[data-tile="${CAM}"] [data-rec]`) ?? "", /REC/);
  });

  await t.step("the camera page shows both stretches, live", async () => {
    await page.goto(`${wall.origin}/cameras/${CAM}`);
    await page.waitForSelector("[data-island][data-ready]", { timeout: 10_000 });
    await page.waitForSelector("[data-playback=live] [data-rec]", { timeout: 15_000 });
    for (let i = 0; i < 12; i++) await page.click("[data-action=zoom-in]");
    await page.waitForFunction(
      () => document.querySelectorAll("[data-bar] [data-range]").length === 2,
      undefined,
      { timeout: 10_000 },
    );
  });

  await t.step("a click on the first stretch plays it on the canvas, its time shown", async () => {
    const at = Math.round((first.from + first.to) / 2);
    await clickAt(page, at);
    await page.waitForSelector("[data-playback=playing]", { timeout: 15_000 });
    await page.waitForFunction(
      ([lo, hi]) => {
        const t = (globalThis as unknown as { __trustcamLive: { shownAt(s: string): number } })
          .__trustcamLive.shownAt("0123A1B2C3D4E5F6A7");
        return t >= lo && t <= hi;
      },
      [at - 1000, first.to],
      { timeout: 15_000 },
    );
    const time = await page.textContent("[data-playtime]");
    assert.match(time ?? "", /^\d\d:\d\d:\d\d$/);
    const shown = Number(await page.getAttribute("[data-playtime]", "data-playtime"));
    assert.ok(shown >= at - 1000 && shown <= recorded[1].to, `${shown}`);
    assert.match(await page.textContent("[data-mode]") ?? "", /^Playing 1×$/);
  });

  await t.step("Space pauses: the picture and the time stop", async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press(" ");
    await page.waitForSelector("[data-playback=paused]", { timeout: 15_000 });
    // Frames in flight when the pause went out are dropped, not painted.
    await page.waitForTimeout(300);
    const at = await shownAt(page);
    const before = await painted(page);
    await page.waitForTimeout(600); // a stopped picture is what is tested
    assert.equal(await shownAt(page), at);
    assert.equal(await painted(page), before, "frames painted while paused");
    assert.equal(await page.textContent("[data-action=play-pause]"), "▶Play");
  });

  await t.step("a seek while paused shows the recorded frame there", async () => {
    const target = Math.round(recorded[1].from + 1500);
    await clickAt(page, target);
    await page.waitForFunction(
      ([lo, hi]) => {
        const t = (globalThis as unknown as { __trustcamLive: { shownAt(s: string): number } })
          .__trustcamLive.shownAt("0123A1B2C3D4E5F6A7");
        return t >= lo && t <= hi;
      },
      [target - 500, target + 500],
      { timeout: 15_000 },
    );
    assert.equal(await page.getAttribute("[data-playback]", "data-playback"), "paused");
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: `${ARTIFACTS}timeline_paused.png` });
    // The README's picture: the whole page at 1200 x 800, zoomed out to fit.
    await page.evaluate(() => {
      document.documentElement.style.setProperty("zoom", "0.72");
      scrollTo(0, 0);
    });
    await page.screenshot({ path: DOCS_SCREENSHOT });
    await page.evaluate(() => document.documentElement.style.removeProperty("zoom"));
  });

  await t.step("at 8x the replay reaches the end of the recording and goes live", async () => {
    await page.click("[data-speed='8']");
    assert.equal(await page.getAttribute("[data-speed='8']", "aria-pressed"), "true");
    await page.click("[data-action=play-pause]");
    await page.waitForSelector("[data-playback=playing]", { timeout: 15_000 });
    assert.match(await page.textContent("[data-mode]") ?? "", /^Playing 8×$/);
    await page.waitForSelector("[data-playback=live]", { timeout: 15_000 });
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { __trustcamLive: { shownAt(s: string): number | undefined } })
          .__trustcamLive.shownAt("0123A1B2C3D4E5F6A7") === undefined,
      undefined,
      { timeout: 15_000 },
    );
    assert.equal(await page.getAttribute("[data-playtime]", "data-playtime"), "live");
  });

  await t.step(
    "a drag on the timeline previews the time and plays from where it ends",
    async () => {
      const target = first.from + 1000;
      const from = await xAt(page, recorded[1].from + 1000);
      const to = await xAt(page, target);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move((from.x + to.x) / 2, to.y, { steps: 4 });
      await page.mouse.move(to.x, to.y, { steps: 4 });
      // While dragging, the bar's value follows the pointer and nothing is sent yet.
      const valueNow = Number(await page.getAttribute("[data-bar]", "aria-valuenow"));
      assert.ok(Math.abs(valueNow - target) < 1500, `${valueNow} vs ${target}`);
      assert.equal(await page.getAttribute("[data-playback]", "data-playback"), "live");
      await page.mouse.up();
      await page.waitForSelector("[data-playback=playing]", { timeout: 15_000 });
      await page.waitForFunction(
        ([lo, hi]) => {
          const t = (globalThis as unknown as { __trustcamLive: { shownAt(s: string): number } })
            .__trustcamLive.shownAt("0123A1B2C3D4E5F6A7");
          return t >= lo && t <= hi;
        },
        [target - 1500, first.to],
        { timeout: 15_000 },
      );
    },
  );

  await t.step("the Live button ends a replay: live frames are painted again", async () => {
    await page.click("[data-action=live]");
    await page.waitForSelector("[data-playback=live]", { timeout: 15_000 });
    const before = await painted(page);
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { __trustcamPaint: { painted: number } }).__trustcamPaint
          .painted > n + 5,
      before,
      { timeout: 15_000 },
    );
    assert.equal(await shownAt(page), null);
    assert.equal(await page.getAttribute("[data-action=live]", "aria-pressed"), "true");
  });

  await t.step("nothing went wrong in the page", () => {
    assert.deepEqual(problems, []);
  });
});
