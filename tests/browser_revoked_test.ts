/**
 * A viewer whose certificate is revoked while its pages are open, in Chromium against a real
 * hub: the wall and the camera page say so and stop reconnecting, whether the hub tells them
 * (close 1008 on the open socket) or only refuses their next upgrade (the browser sees 1006
 * and the page asks over HTTP why).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ARTIFACTS, SERIALS, startWall } from "./wall_fixture.ts";
import { contextWithCertificate } from "../harness/chromium.ts";
import { waitFor } from "./wait_for.ts";

/** Looked at by people, copied to docs/revoked.png when the screen changes. */
const SCREENSHOT = `${ARTIFACTS}revoked.png`;
/** How long the pages are watched for attempts after they learned of the revocation. */
const QUIET_MS = 3000;

/** The hub's log lines for upgrades by `cn`, accepted or refused. */
function upgrades(log: string[], cn: string): number {
  const re = new RegExp(`^(connect role=viewer|refuse stage=upgrade) .*\\bcn=${cn} `);
  return log.filter((l) => re.test(l)).length;
}

async function waitLive(page: Page): Promise<void> {
  await page.waitForSelector("[data-island][data-ready]", { timeout: 10_000 });
  await page.waitForSelector("[data-connection=open]", { timeout: 10_000 });
}

/** What a page shows once the hub refuses its certificate, and proof the rest is gone. */
async function refusedScreen(page: Page): Promise<string> {
  const text = (await page.textContent("[data-certificate-refused]")) ?? "";
  assert.equal(await page.locator("[data-connection]").count(), 0, "a reconnect banner");
  assert.equal(await page.locator("[data-tile], [data-camera] canvas").count(), 0, "stale view");
  assert.equal(await page.title(), "This certificate has been revoked · trustcam");
  assert.equal(
    // deno-lint-ignore no-explicit-any
    await page.evaluate(() => (globalThis as any).__trustcamLive.socket.status),
    "closed",
  );
  return text;
}

Deno.test("browser: a revoked viewer's open pages show the revoked screen and stop reconnecting", async (t) => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await using wall = await startWall();
  const ctx = await wall.context({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const problems = wall.watch(page);
  const camera = await ctx.newPage();
  const cameraProblems = wall.watch(camera);

  await t.step("revoked while live (close 1008): both pages say so within 10 s", async () => {
    await page.goto(`${wall.origin}/`);
    await waitLive(page);
    await page.waitForFunction(
      () => /^\d+ ms$/.test(document.querySelector("[data-tile] [data-age]")?.textContent ?? ""),
      undefined,
      { timeout: 15_000 },
    );
    await camera.goto(`${wall.origin}/cameras/${SERIALS[0]}`);
    await waitLive(camera);

    const before = upgrades(wall.t.log, "alice");
    const start = Date.now();
    await Deno.writeTextFile(
      `${wall.t.pki.dir}/revoked.txt`,
      `sha256:${wall.viewer.fingerprint256}\n`,
    );
    for (const p of [page, camera]) {
      await p.waitForSelector("[data-certificate-refused=revoked]", { timeout: 10_000 });
    }
    const elapsed = Date.now() - start;
    assert.ok(elapsed < 10_000, `revoked screen after ${elapsed} ms`);

    for (const p of [page, camera]) {
      const text = await refusedScreen(p);
      assert.match(text, /This certificate has been revoked/);
      assert.match(text, /The hub's administrator revoked the certificate “alice” this browser/);
      assert.match(text, /new browser certificate/);
      assert.match(text, /Import it/);
      assert.match(text, /Restart the browser/);
    }
    // Keyboard and screen reader users are taken to the news.
    assert.equal(await page.evaluate(() => document.activeElement?.id), "refused-title");

    // The open sockets learned it from their close: not one attempt afterwards.
    await page.waitForTimeout(QUIET_MS);
    assert.equal(upgrades(wall.t.log, "alice"), before, "an upgrade after the revocation");
    await page.screenshot({ path: SCREENSHOT });
    await camera.screenshot({ path: `${ARTIFACTS}revoked_camera.png` });
  });

  await t.step(
    "revoked while the hub restarts (upgrade refused, 1006): the probe tells, one attempt",
    async () => {
      const bob = await wall.t.pki.viewer("bob");
      const bobCtx = await contextWithCertificate(wall.browser, wall.origin, bob);
      try {
        const bobPage = await bobCtx.newPage();
        const bobProblems = wall.watch(bobPage);
        await bobPage.goto(`${wall.origin}/`);
        await waitLive(bobPage);

        // The running hub knows nothing of it; the restarted one reads this list.
        const later = `${wall.t.dataDir}/revoked-later.txt`;
        await Deno.writeTextFile(
          later,
          `sha256:${wall.viewer.fingerprint256}\nsha256:${bob.fingerprint256}\n`,
        );
        const before = upgrades(wall.t.log, "bob");
        // The new hub starts once the page's probe failed against the stopped one: the page
        // then tries its socket again before it probes again. Else the probe could reach the
        // new hub first and tell it all, no attempt made.
        const probeFailed = bobPage.waitForEvent("requestfailed", {
          predicate: (r) => new URL(r.url()).pathname === "/api/cameras",
          timeout: 20_000,
        });
        await wall.t.restart({ revocationFile: later }, () => probeFailed);
        await bobPage.waitForSelector("[data-certificate-refused=revoked]", { timeout: 10_000 });
        const text = await refusedScreen(bobPage);
        assert.match(text, /revoked the certificate “bob” this browser presented/);
        const bobLog = () => wall.t.log.filter((l) => / cn=bob /.test(l)).join("\n");
        await waitFor(
          () => upgrades(wall.t.log, "bob") === before + 1,
          5_000,
          "the refused upgrade in the log",
        ).catch((err) => {
          throw new Error(`${err.message}; bob in the hub's log:\n${bobLog()}`, { cause: err });
        });
        await bobPage.waitForTimeout(QUIET_MS);
        assert.equal(
          upgrades(wall.t.log, "bob"),
          before + 1,
          `attempts after the probe:\n${bobLog()}`,
        );
        assert.ok(
          wall.t.log.some((l) => /^refuse stage=upgrade reason=revoked cn=bob /.test(l)),
          "the attempt that learned it was refused as revoked",
        );
        await bobPage.screenshot({ path: `${ARTIFACTS}revoked_after_restart.png` });
        // The socket failing and the probe's 403 are how it learned; nothing else went wrong.
        const expected = [/WebSocket connection to .* failed/, /^http 403 \/api\/cameras$/];
        assert.deepEqual(bobProblems.filter((p) => !expected.some((re) => re.test(p))), []);
      } finally {
        await bobCtx.close();
      }
    },
  );

  await t.step("the pages logged no errors", () => {
    assert.deepEqual([...problems, ...cameraProblems], []);
  });
});
