/**
 * Motion in Chromium against a real hub (issue 12): a device streams a square crossing its
 * picture; the wall and the camera page badge the camera while the event lasts, the events
 * page lists it with its thumbnail (and a second one live), its link plays the recording at
 * that moment with the events marked on the timeline, and an admin's mask rectangle, drawn
 * by dragging over the picture, is saved.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ARTIFACTS, startWall } from "./wall_fixture.ts";
import type { TestClient, TestHub } from "./hub_fixture.ts";
import { crossingScene, streamAtPace } from "../harness/motion_stream.ts";

const CAM = "0123FEED00000000E1";
/** Looked at by people, copied to docs/events.png when the page changes. */
const DOCS_SCREENSHOT = `${ARTIFACTS}events_docs.png`;

async function put(t: TestHub, path: string, body: unknown): Promise<void> {
  const res = await t.request(path, {
    method: "PUT",
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, res.text());
}

/**
 * The crossing's frames, encoded once: encoding took seconds of a starved CPU out of the
 * waits for each badge.
 */
let scene: Promise<Uint8Array[]> | undefined;

function crossingFrames(): Promise<Uint8Array[]> {
  scene ??= crossingScene({ still: 20, moving: 60, after: 40 });
  return scene;
}

/** Streams one crossing (about 6 s at 20 fps: still, a square crossing, still). */
async function crossing(dev: TestClient): Promise<void> {
  await streamAtPace(dev.ws, await crossingFrames(), 50);
}

async function eventCount(t: TestHub): Promise<number> {
  return ((await t.request(`/api/events`)).json() as { events: unknown[] })
    .events.length;
}

/** Whether each thumbnail on the page has loaded as a picture. */
function thumbnailsLoaded(page: Page): Promise<boolean[]> {
  return page.$$eval(
    "img[data-thumbnail]",
    (els) =>
      els.map((el) =>
        (el as HTMLImageElement).complete &&
        (el as HTMLImageElement).naturalWidth > 0
      ),
  );
}

Deno.test("browser: motion badges, the events page and the mask editor", async (t) => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await crossingFrames();
  await using wall = await startWall({ serials: [] });
  const dev = await wall.t.device(CAM);
  const named = await wall.t.request(`/api/cameras/${CAM}`, {
    method: "PATCH",
    body: JSON.stringify({ name: "Back yard" }),
  });
  assert.equal(named.status, 200, named.text());
  await put(wall.t, `/api/cameras/${CAM}/motion`, { fps: 15 });
  await put(wall.t, `/api/cameras/${CAM}/recording`, { mode: "continuous" });
  const ctx = await wall.context({ viewport: { width: 1200, height: 800 } });
  const page = await ctx.newPage();
  const problems = wall.watch(page);
  const tileBadge = `[data-tile="${CAM}"] [data-motion-badge]`;

  await t.step(
    "the wall badges the camera while motion lasts, beside REC",
    async () => {
      await page.goto(`${wall.origin}/`);
      await page.waitForSelector("[data-island][data-ready]", {
        timeout: 10_000,
      });
      await page.waitForSelector(`[data-tile="${CAM}"] [data-rec]`, {
        timeout: 15_000,
      });
      assert.equal(await page.locator(tileBadge).count(), 0);
      const streaming = crossing(dev);
      await page.waitForSelector(tileBadge, { timeout: 10_000 });
      assert.equal((await page.textContent(tileBadge))?.trim(), "MOTION");
      // Both badges in one group, clear of the picture's top where the camera writes.
      const group = await page.$eval(
        `[data-tile="${CAM}"] [data-badges]`,
        (el) => {
          const pic = el.parentElement!.getBoundingClientRect();
          const box = el.getBoundingClientRect();
          return {
            count: el.children.length,
            top: (box.top - pic.top) / pic.height,
          };
        },
      );
      assert.equal(group.count, 2);
      assert.ok(
        group.top > 0.5,
        `the badges sit in the lower half: ${group.top}`,
      );
      await page.screenshot({ path: `${ARTIFACTS}wall_motion.png` });
      await streaming;
      await page.waitForSelector(tileBadge, {
        state: "detached",
        timeout: 15_000,
      });
    },
  );

  await t.step(
    "the events page lists it with its thumbnail, and adds a new one live",
    async () => {
      assert.equal(await eventCount(wall.t), 1);
      await page.click('[data-nav="events"]');
      await page.waitForSelector("[data-events] [data-event]", {
        timeout: 10_000,
      });
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll("img[data-thumbnail]")].every((i) =>
            (i as HTMLImageElement).complete
          ),
      );
      assert.deepEqual(await thumbnailsLoaded(page), [true]);
      const card = await page.textContent("[data-event]") ?? "";
      assert.match(card, /Back yard/);
      assert.match(card, /\d\d:\d\d:\d\d/);
      assert.match(card, /\d+ s/);
      assert.match(card, /score \d+(\.\d)? %/);
      // Another crossing while the page is open: it appears without a reload.
      await crossing(dev);
      await page.waitForFunction(
        () => document.querySelectorAll("[data-event]").length === 2,
        null,
        {
          timeout: 15_000,
        },
      );
      await page.waitForSelector("[data-ongoing]", {
        state: "detached",
        timeout: 15_000,
      });
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll("img[data-thumbnail]")].every((i) =>
            (i as HTMLImageElement).complete &&
            (i as HTMLImageElement).naturalWidth > 0
          ),
        null,
        { timeout: 10_000 },
      );
      // The camera filter and a range with nothing in it.
      await page.selectOption("[data-filter-camera]", CAM);
      await page.waitForFunction(() => document.querySelectorAll("[data-event]").length === 2);
      await page.click('[data-range="hour"]');
      await page.waitForFunction(() => document.querySelectorAll("[data-event]").length === 2);
      await page.screenshot({ path: `${ARTIFACTS}events.png` });
      await page.screenshot({ path: DOCS_SCREENSHOT });
    },
  );

  await t.step(
    "an event's link plays the recording there, the events marked",
    async () => {
      const href = await page.getAttribute(
        "li:last-child > [data-event]",
        "href",
      );
      const at = Number(new URL(href!, wall.origin).searchParams.get("at"));
      await page.click("li:last-child > [data-event]");
      await page.waitForSelector("[data-island][data-ready]", {
        timeout: 10_000,
      });
      await page.waitForFunction(
        () =>
          document.querySelector("[data-playtime]")?.getAttribute(
            "data-playtime",
          ) !== "live",
        null,
        { timeout: 10_000 },
      );
      const played = Number(
        await page.getAttribute("[data-playtime]", "data-playtime"),
      );
      assert.ok(
        Math.abs(played - at) < 15_000,
        `plays near the event: ${played - at} ms`,
      );
      await page.waitForFunction(
        () => document.querySelectorAll("[data-bar] [data-mark]").length === 2,
        null,
        {
          timeout: 10_000,
        },
      );
      assert.match(
        await page.getAttribute("[data-mark]", "title") ?? "",
        /^Motion at /,
      );
    },
  );

  await t.step(
    "the camera page badges the camera beside REC while motion lasts",
    async () => {
      await page.click('[data-action="live"]');
      await page.waitForSelector('[data-playback="live"]');
      const badge = "[data-playback] [data-motion-badge]";
      assert.equal(await page.locator(badge).count(), 0);
      const streaming = crossing(dev);
      await page.waitForSelector(badge, { timeout: 10_000 });
      assert.equal(
        await page.locator("[data-playback] [data-motion-badge] + [data-rec]")
          .count(),
        1,
      );
      await streaming;
      await page.waitForSelector(badge, { state: "detached", timeout: 15_000 });
    },
  );

  await t.step(
    "an admin draws a mask rectangle over the picture and saves it",
    async () => {
      await page.click('[data-action="edit-mask"]');
      const pic = (await page.locator("[data-mask-picture]").boundingBox())!;
      await page.mouse.move(pic.x + pic.width * 0.1, pic.y + pic.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(pic.x + pic.width * 0.3, pic.y + pic.height * 0.4, {
        steps: 4,
      });
      await page.mouse.move(pic.x + pic.width * 0.5, pic.y + pic.height * 0.6, {
        steps: 4,
      });
      await page.mouse.up();
      await page.waitForSelector('[data-mask-shape="0"]');
      // From the keyboard: a second rectangle, then deleted again.
      await page.focus('[data-action="add-rect"]');
      await page.keyboard.press("Enter");
      await page.waitForSelector('[data-mask-shape="1"]');
      await page.focus('[data-mask-rect="1"] [data-action="delete-rect"]');
      await page.keyboard.press("Enter");
      await page.waitForSelector('[data-mask-shape="1"]', {
        state: "detached",
      });
      await page.evaluate(() => scrollTo(0, 0));
      await page.screenshot({
        path: `${ARTIFACTS}camera_mask.png`,
        fullPage: true,
      });
      await page.click('[data-action="save-mask"]');
      await page.waitForSelector("[data-motion-settings] [role=status]");
      assert.equal(
        await page.textContent("[data-motion-settings] [role=status]"),
        "Mask saved",
      );
      const saved = (await wall.t.request(`/api/cameras/${CAM}/motion`))
        .json() as {
          mask: { x: number; y: number; w: number; h: number }[];
        };
      assert.equal(saved.mask.length, 1);
      const [r] = saved.mask;
      for (
        const [got, want] of [[r.x, 0.1], [r.y, 0.2], [r.w, 0.4], [r.h, 0.4]]
      ) {
        assert.ok(Math.abs(got - want) < 0.02, `mask ${JSON.stringify(r)}`);
      }
      assert.equal(
        await page.locator("[data-mask-overlay]").count(),
        0,
        "editing ended",
      );
    },
  );

  await t.step("the hub's refusal is shown in its words", async () => {
    await page.fill('[data-motion-form] input[name="sensitivity"]', "0");
    // The browser's own check would stop the form first: ask the hub directly.
    await page.$eval(
      "[data-motion-form]",
      (f) => (f as HTMLFormElement).noValidate = true,
    );
    await page.click('[data-action="save-motion"]');
    await page.waitForSelector("[data-motion-settings] [role=alert]");
    assert.equal(
      await page.textContent("[data-motion-settings] [role=alert]"),
      `Invalid motion sensitivity: "0": expected an integer from 1 to 100`,
    );
  });

  await t.step("the pages logged no errors but the refusal", () => {
    const unexpected = problems.filter((p) => !/^http 400 \/api\/cameras\/.*\/motion$/.test(p));
    assert.deepEqual(unexpected, []);
  });
});
