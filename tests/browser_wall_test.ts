/**
 * The wall's controls in Chromium with a viewer certificate, against a real hub: grid and
 * order saved on the hub (a reload and another browser with the same certificate get them),
 * favourites first, enlarge in place, whole-wall kiosk, keyboard shortcuts, group filter.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ARTIFACTS, SERIALS, startWall } from "./wall_fixture.ts";
import { waitFor } from "./wait_for.ts";
import { withPolicy } from "./admin_fixture.ts";
import type { WallPrefs } from "../lib/wall_prefs.ts";

/**
 * Looked at by people: wall_controls.png and wall_kiosk.png are copied to docs/ (wall-controls.png,
 * kiosk.png) when the wall changes.
 */
const NAMES = ["Front door", "Garage", "Garden", "Hallway"];
const [S0, S1, S2, S3] = SERIALS;
const tile = (serial: string) => `[data-tile="${serial}"]`;
const item = (serial: string) => `[data-item="${serial}"]`;
const toolbar = "[data-wall-toolbar]";

/** The serials of the tiles, in the order the page shows them. */
function order(page: Page): Promise<string[]> {
  return page.$$eval("[data-tile]", (els) => els.map((e) => e.getAttribute("data-tile")!));
}

/** Waits until the page shows the tiles in `want` order (Preact renders after the event). */
async function showsOrder(page: Page, want: string[]): Promise<void> {
  await page.waitForFunction(
    (want) =>
      [...document.querySelectorAll("[data-tile]")].map((e) => e.getAttribute("data-tile"))
        .join() === want,
    want.join(),
    { timeout: 10_000 },
  ).catch(() => {});
  assert.deepEqual(await order(page), want);
}

/** Waits until exactly the tiles in `want` are enlarged. */
async function showsEnlarged(page: Page, want: string[]): Promise<void> {
  const enlarged = () =>
    page.$$eval("[data-enlarged]", (els) => els.map((e) => e.getAttribute("data-item")!));
  await page.waitForFunction(
    (want) =>
      [...document.querySelectorAll("[data-enlarged]")].map((e) => e.getAttribute("data-item"))
        .join() === want,
    want.join(),
    { timeout: 10_000 },
  ).catch(() => {});
  assert.deepEqual(await enlarged(), want);
}

function columns(page: Page): Promise<number> {
  return page.$eval(
    "ul[aria-label='Live cameras']",
    (ul) => getComputedStyle(ul).gridTemplateColumns.split(" ").length,
  );
}

async function open(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.waitForSelector("[data-island][data-ready]", { timeout: 10_000 });
}

/** Problems a page may report in these tests: Chromium's hint about canvas readbacks. */
function unexpected(problems: string[]): string[] {
  return problems.filter((p) => !/Multiple readback operations using getImageData/.test(p));
}

Deno.test("wall: grid, order and favourites persist across reloads and browsers with the same certificate", async () => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await using wall = await startWall({ names: NAMES });
  const prefs = () => wall.t.hub.state.wallPrefs!.get("alice");
  const page = await (await wall.context()).newPage();
  const problems = wall.watch(page);
  await open(page, wall.origin);
  await showsOrder(page, [S0, S1, S2, S3]);
  assert.equal(await page.getAttribute(`${toolbar} [data-columns=auto]`, "aria-pressed"), "true");

  // Two columns.
  await page.click(`${toolbar} [data-columns="2"]`);
  assert.equal(await columns(page), 2);
  // Hallway dragged by its handle onto Front door: first, and the order becomes custom.
  await page.dragAndDrop(`${item(S3)} [data-drag-handle]`, tile(S0));
  await showsOrder(page, [S3, S0, S1, S2]);
  assert.equal(await page.getAttribute(`${toolbar} [data-sort=custom]`, "aria-pressed"), "true");
  // Garden starred: favourites come first.
  await page.click(`${item(S2)} [data-favourite]`);
  await showsOrder(page, [S2, S3, S0, S1]);
  assert.equal(await page.getAttribute(`${item(S2)} [data-favourite]`, "aria-pressed"), "true");
  assert.equal(await page.textContent(`${item(S2)} [data-favourite]`), "★");

  const expected: Partial<WallPrefs> = {
    columns: 2,
    sort: "custom",
    order: [S3, S0, S1, S2],
    favourites: [S2],
  };
  const saved = (p: WallPrefs) =>
    p.columns === expected.columns && p.sort === expected.sort &&
    p.order.join() === expected.order!.join() &&
    p.favourites.join() === expected.favourites!.join();
  await waitFor(() => saved(prefs()), 5_000, "the layout saved on the hub");
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    scrollTo(0, 0);
  });
  await page.screenshot({ path: `${ARTIFACTS}wall_controls.png` });

  // A reload: the server render already has the layout (no flash of the name order).
  const html = await (await page.context().request.get(`${wall.origin}/`)).text();
  const served = [...html.matchAll(/data-tile="([0-9A-F]+)"/g)].map((m) => m[1]);
  assert.deepEqual(served, [S2, S3, S0, S1]);
  assert.match(html, /class="grid grid-cols-2 /);
  await page.reload();
  await page.waitForSelector("[data-island][data-ready]");
  await showsOrder(page, [S2, S3, S0, S1]);
  assert.equal(await columns(page), 2);

  // Another browser context (no shared storage), the same certificate: the same wall.
  const other = await (await wall.context({ viewport: { width: 1600, height: 900 } })).newPage();
  await open(other, wall.origin);
  await showsOrder(other, [S2, S3, S0, S1]);
  assert.equal(await columns(other), 2);
  // Back to name order there, and one column: the first page gets it on its next load.
  await other.click(`${toolbar} [data-sort=name]`);
  await other.click(`${toolbar} [data-columns="1"]`);
  await showsOrder(other, [S2, S0, S1, S3]);
  await waitFor(() => prefs().columns === 1 && prefs().sort === "name", 5_000, "the new save");
  await page.reload();
  await page.waitForSelector("[data-island][data-ready]");
  await showsOrder(page, [S2, S0, S1, S3]);
  assert.equal(await columns(page), 1);
  assert.deepEqual(unexpected(problems), []);
});

Deno.test("wall: a tile enlarges in place, the wall goes kiosk, and the shortcuts work", async (t) => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await using wall = await startWall({ names: NAMES });
  const page = await (await wall.context({ viewport: { width: 1280, height: 800 } })).newPage();
  const problems = wall.watch(page);
  await open(page, wall.origin);
  const focused = () =>
    page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.tile ?? null);

  await t.step(
    "a click enlarges a tile to the grid's width; Esc and a click restore it",
    async () => {
      await page.click(`${tile(S1)} canvas`);
      await showsEnlarged(page, [S1]);
      assert.equal(page.url(), `${wall.origin}/`, "the click did not follow the link");
      const grid = await page.locator("ul[aria-label='Live cameras']").boundingBox();
      const big = await page.locator(item(S1)).boundingBox();
      assert.ok(Math.abs(big!.width - grid!.width) < 2, `${big!.width} vs ${grid!.width}`);
      await page.waitForFunction(
        (sel) => /^\d+ ms$/.test(document.querySelector(sel)?.textContent ?? ""),
        `${tile(S1)} [data-age]`,
      );
      await page.screenshot({ path: `${ARTIFACTS}wall_enlarged.png` });
      await page.keyboard.press("Escape");
      await showsEnlarged(page, []);
      await page.click(`${tile(S1)} canvas`);
      await showsEnlarged(page, [S1]);
      await page.click(`${tile(S1)} canvas`);
      await showsEnlarged(page, []);
    },
  );

  await t.step("the name still opens the camera's page", async () => {
    await Promise.all([
      page.waitForURL(`${wall.origin}/cameras/${S2}`),
      page.click(`${tile(S2)} h2`),
    ]);
    await open(page, wall.origin);
  });

  await t.step("arrows move focus, 1-9 and Space enlarge, Alt+arrows move the tile", async () => {
    await page.keyboard.press("ArrowRight");
    assert.equal(await focused(), S0);
    await page.keyboard.press("ArrowRight");
    assert.equal(await focused(), S1);
    await page.keyboard.press("3");
    await showsEnlarged(page, [S2]);
    assert.equal(await focused(), S2);
    await page.keyboard.press("Escape");
    await showsEnlarged(page, []);
    await page.keyboard.press(" ");
    await showsEnlarged(page, [S2]);
    await page.keyboard.press(" ");
    await showsEnlarged(page, []);
    await page.keyboard.press("Alt+ArrowLeft");
    await showsOrder(page, [S0, S2, S1, S3]);
    assert.equal(await focused(), S2, "the moved tile keeps focus");
    assert.equal(page.url(), `${wall.origin}/`, "Alt+Left did not go back");
    await page.keyboard.press("s");
    await showsOrder(page, [S2, S0, S1, S3]);
  });

  await t.step("? lists the shortcuts; keys typed into a field are not shortcuts", async () => {
    await page.keyboard.press("?");
    await page.waitForSelector("[data-shortcut-help] [role=dialog]");
    assert.match(await page.textContent("[data-shortcut-help]") ?? "", /Whole-wall fullscreen/);
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-shortcut-help]", { state: "detached" });
    await page.focus(`${toolbar} [data-data-saver]`);
    await page.keyboard.press("f");
    await page.keyboard.press("1");
    // Keys are handled in order: once ? shows its list, f and 1 would have shown too.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press("?");
    await page.waitForSelector("[data-shortcut-help]");
    assert.equal(await page.locator("[data-kiosk]").count(), 0);
    assert.equal(await page.locator("[data-enlarged]").count(), 0);
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-shortcut-help]", { state: "detached" });
  });

  await t.step(
    "f: kiosk with name, state and clock on every tile, and an overall clock",
    async () => {
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press("f");
      await page.waitForSelector("[data-wall][data-kiosk]");
      assert.equal(await page.isVisible(toolbar), false);
      assert.equal(await page.isVisible("[data-tile-buttons]"), false);
      for (const [i, s] of SERIALS.entries()) {
        const caption = await page.textContent(`${tile(s)} [data-kiosk-caption]`);
        assert.match(caption!, new RegExp(`^${NAMES[i]}● Online\\d{2}:\\d{2}:\\d{2}$`));
        assert.equal(await page.isVisible(`${tile(s)} [data-kiosk-caption]`), true);
      }
      assert.match(await page.textContent("[data-wall-clock]") ?? "", /^\d{2}:\d{2}:\d{2}$/);
      const box = await page.locator("[data-wall]").boundingBox();
      assert.deepEqual([box!.width, box!.height], [1280, 800], "kiosk covers the screen");
      // In kiosk a tile still enlarges; Esc restores it first, then leaves kiosk.
      await page.keyboard.press("2");
      await showsEnlarged(page, [S0]);
      const full = await page.locator(item(S0)).boundingBox();
      assert.deepEqual([full!.width, full!.height], [1280, 800], "enlarged in kiosk: the screen");
      await page.screenshot({ path: `${ARTIFACTS}wall_kiosk_enlarged.png` });
      await page.keyboard.press("Escape");
      await showsEnlarged(page, []);
      assert.equal(await page.locator("[data-kiosk]").count(), 1);
      // No focus ring in the picture that goes in the README.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.screenshot({ path: `${ARTIFACTS}wall_kiosk.png` });
      await page.keyboard.press("Escape");
      await page.waitForSelector("[data-wall]:not([data-kiosk])");
      assert.equal(await page.evaluate(() => document.fullscreenElement), null);
      assert.equal(await page.isVisible(toolbar), true);
      // The toolbar's button does the same.
      await page.click(`${toolbar} [data-action=kiosk]`);
      await page.waitForSelector("[data-wall][data-kiosk]");
      await page.keyboard.press("f");
      await page.waitForSelector("[data-wall]:not([data-kiosk])");
    },
  );

  assert.deepEqual(unexpected(problems), []);
});

Deno.test("wall: the group filter shows a group's cameras, is kept like the rest, and follows group changes", async () => {
  await withPolicy({
    groups: { Outside: [S2, S0] },
    viewers: { "*": "*" },
    admins: ["tester"],
  }, async (policyFile) => {
    await using wall = await startWall({ names: NAMES, hub: { policyFile } });
    const define = async (name: string, cameras: string[]) => {
      const res = await wall.t.request(`/api/groups/${encodeURIComponent(name)}`, {
        method: "PUT",
        body: JSON.stringify({ cameras }),
      });
      assert.equal(res.status, 200, res.text());
    };
    await define("Inside", [S3]);
    const page = await (await wall.context()).newPage();
    const problems = wall.watch(page);
    await open(page, wall.origin);
    const options = () =>
      page.$$eval(`${toolbar} [data-group-filter] option`, (els) => els.map((e) => e.textContent));
    assert.deepEqual(await options(), ["All cameras", "Outside (2)", "Inside (1)"]);
    await page.selectOption(`${toolbar} [data-group-filter]`, "Outside");
    await showsOrder(page, [S0, S2]);
    await waitFor(
      () => wall.t.hub.state.wallPrefs!.get("alice").group === "Outside",
      5_000,
      "the filter saved",
    );
    await page.reload();
    await page.waitForSelector("[data-island][data-ready]");
    await showsOrder(page, [S0, S2]);
    assert.equal(
      await page.$eval(`${toolbar} [data-group-filter]`, (s) => (s as HTMLSelectElement).value),
      "Outside",
    );
    // The keys count the tiles shown: 2 is the second of the group.
    await page.keyboard.press("2");
    await showsEnlarged(page, [S2]);
    await page.keyboard.press("Escape");
    // An admin's new group reaches the open wall without a reload.
    await define("Upstairs", [S1, S3]);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("[data-group-filter] option")].some((o) =>
          o.textContent === "Upstairs (2)"
        ),
      undefined,
      { timeout: 15_000 },
    );
    assert.deepEqual(await options(), ["All cameras", "Outside (2)", "Inside (1)", "Upstairs (2)"]);
    await page.selectOption(`${toolbar} [data-group-filter]`, "");
    await showsOrder(page, [S0, S1, S2, S3]);
    assert.deepEqual(unexpected(problems), []);
  });
});

Deno.test("wall: the toolbar is one Tab stop whose controls the arrows reach", async () => {
  await using wall = await startWall({ names: NAMES });
  const page = await (await wall.context()).newPage();
  await open(page, wall.origin);
  const active = () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el?.dataset.tile ?? el?.getAttribute("data-columns") ??
        el?.getAttribute("data-sort") ?? el?.tagName ?? null;
    });
  await page.focus(`${toolbar} [data-columns=auto]`);
  await page.keyboard.press("ArrowRight");
  assert.equal(await active(), "1");
  await page.keyboard.press("ArrowRight");
  assert.equal(await active(), "2");
  // Not a tile shortcut: focus stayed in the toolbar and no tile moved or enlarged.
  await showsOrder(page, [S0, S1, S2, S3]);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() =>
    getComputedStyle(document.querySelector("ul[aria-label='Live cameras']")!)
      .gridTemplateColumns.split(" ").length === 2
  );
  // Tab leaves the toolbar for the first tile, and the next Tab reaches the second.
  await page.keyboard.press("Tab");
  assert.equal(await active(), S0);
  await page.keyboard.press("Tab");
  assert.equal(await active(), S1);
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  assert.equal(await active(), "2", "back to the control last used");
});
