/**
 * The settings page in Chromium against a real hub (issue 14): an admin hides a camera and
 * the open wall (another page) drops its tile, shows it again, removes an offline camera (gone
 * everywhere) and defines a group that `/api/groups` then lists.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ARTIFACTS, SERIALS, startWall, type WallHarness } from "./wall_fixture.ts";
import { until } from "./wait_for.ts";

const [A, B] = SERIALS;
const tile = (serial: string) => `[data-tile="${serial}"]`;

async function waitLive(page: Page): Promise<void> {
  await page.waitForSelector("[data-island][data-ready]", { timeout: 10_000 });
  await page.waitForSelector("[data-connection=open]", { timeout: 10_000 });
}

/** The wall (live, showing `serial`) and the settings page, side by side in one browser. */
async function wallAndSettings(wall: WallHarness, serial: string) {
  const ctx = await wall.context({ viewport: { width: 1280, height: 900 } });
  const wallPage = await ctx.newPage();
  const wallProblems = wall.watch(wallPage);
  await wallPage.goto(`${wall.origin}/`);
  await waitLive(wallPage);
  await wallPage.waitForSelector(tile(serial));
  const settings = await ctx.newPage();
  const problems = wall.watch(settings);
  await settings.goto(`${wall.origin}/settings`);
  await waitLive(settings);
  return { wallPage, wallProblems, settings, problems };
}

Deno.test("browser: settings hides a camera, the open wall drops its tile, showing brings it back", async () => {
  await using wall = await startWall({ serials: [A, B], names: ["Gate", "Yard"] });
  const { wallPage, wallProblems, settings, problems } = await wallAndSettings(wall, A);
  assert.equal(await settings.getAttribute("[data-nav=settings]", "aria-current"), "page");

  await settings.click(`[data-hide="${A}"]`);
  await settings.waitForSelector(`[data-hidden-camera="${A}"]`);
  await wallPage.waitForSelector(tile(A), { state: "detached", timeout: 15_000 });
  assert.equal(wall.t.hub.state.registry.get(A)?.hidden, true);
  // Online: "Remove…" is disabled and says why.
  assert.equal(await settings.isDisabled(`[data-remove="${A}"]`), true);
  assert.match(
    await settings.textContent(`[data-hidden-camera="${A}"]`) ?? "",
    /It is online: disconnect the camera or revoke its certificate first/,
  );

  await settings.click(`[data-show="${A}"]`);
  await settings.waitForSelector(`[data-hidden-camera="${A}"]`, { state: "detached" });
  await wallPage.waitForSelector(tile(A), { timeout: 15_000 });
  assert.equal(wall.t.hub.state.registry.get(A)?.hidden, false);
  assert.deepEqual(problems, []);
  assert.deepEqual(wallProblems, []);
});

Deno.test("browser: settings removes an offline camera everywhere and defines a group", async () => {
  await using wall = await startWall({ serials: [A, B], names: ["Gate", "Yard"] });
  const { wallPage, wallProblems, settings, problems } = await wallAndSettings(wall, B);

  await settings.click(`[data-hide="${B}"]`);
  await settings.waitForSelector(`[data-hidden-camera="${B}"]`);
  await wall.cameras.get(B)!.stop();
  await settings.waitForSelector(`[data-hidden-camera="${B}"] [data-badge=offline]`);
  await settings.waitForSelector(`[data-remove="${B}"]:not([disabled])`);
  await settings.click(`[data-remove="${B}"]`);
  const confirm = await settings.textContent(`[data-confirm-remove="${B}"]`);
  assert.match(confirm ?? "", /Its recordings and motion events are kept/);
  await settings.screenshot({ path: `${ARTIFACTS}settings_remove.png`, fullPage: true });
  await settings.click(`[data-confirm-remove="${B}"] [data-confirm]`);
  await settings.waitForSelector(`[data-hidden-camera="${B}"]`, { state: "detached" });
  await settings.waitForSelector(`[data-camera-row="${B}"]`, { state: "detached" });
  await wallPage.waitForSelector(tile(B), { state: "detached", timeout: 15_000 });
  const listed = (await wall.t.request("/api/cameras")).json() as { cameras: { serial: string }[] };
  assert.deepEqual(listed.cameras.map((c) => c.serial), [A]);

  await settings.click("[data-new-group]");
  await settings.fill("[data-group-form] input[name=group-name]", "Front");
  await settings.check(`[data-group-form] [data-group-camera="${A}"]`);
  await settings.click("[data-save-group]");
  await settings.waitForSelector('[data-group="Front"]');
  await until(
    async () => {
      const { groups } = (await wall.t.request("/api/groups")).json() as {
        groups: { name: string; cameras: string[] }[];
      };
      return groups.some((g) => g.name === "Front" && g.cameras.join() === A);
    },
    5000,
    "the group in /api/groups",
  );
  await settings.screenshot({ path: `${ARTIFACTS}settings.png`, fullPage: true });
  assert.deepEqual(problems, []);
  assert.deepEqual(wallProblems, []);
});
