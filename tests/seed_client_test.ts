/**
 * The seed's viewer still works against trustcam: frames arrive as JPEG + 18-byte serial
 * trailer, and the seed's own page logic (base64 data URLs into <img>) shows them.
 */
import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { startTestHub, waitFor } from "./hub_fixture.ts";
import { createTestPki } from "./pki_fixture.ts";
import { startHub } from "../hub/server.ts";
import { SimCamera } from "../sim/camera.ts";
import { manifest } from "../manifest.gen.ts";
import type { Manifest } from "../lib/web/router.ts";
import type { RouteState } from "../lib/hub_state.ts";
import { contextWithCertificate, launchChromium } from "../harness/chromium.ts";
import { SEED_PAGE_HTML, SEED_PAGE_JS } from "./testdata/seed_page.ts";
import { isJpeg } from "./wall_fixture.ts";

const SERIALS = ["0123A1B2C3D4E5F6A7", "0123B1B2C3D4E5F6B7"];

function simCamera(
  server: string,
  caPem: string,
  serial: string,
  cert: { certPem: string; keyPem: string; chainPem: string },
): SimCamera {
  const cam = new SimCamera({
    server,
    serial,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    chainPem: cert.chainPem,
    caPem,
    fps: 10,
    size: "qvga",
  });
  cam.start();
  return cam;
}

/** The seed's split, as its page does it: serial = last 18 bytes, JPEG = the rest. */
function seedSplit(data: Uint8Array): { serial: string; jpeg: Uint8Array } | null {
  const serial = String.fromCharCode(...data.slice(-18));
  if (serial.slice(0, 4) !== "0123") return null;
  return { serial, jpeg: data.slice(0, -18) };
}

Deno.test("seed client: binary messages split into a valid JPEG and an 18-byte serial", async () => {
  await using t = await startTestHub();
  const cams: SimCamera[] = [];
  try {
    for (const s of SERIALS) {
      cams.push(simCamera(t.wsUrl, t.pki.caPem, s, await t.pki.device(s)));
    }
    await using viewer = await t.viewer("seed-viewer");
    await viewer.until(
      () =>
        SERIALS.every((s) => viewer.binary.filter((b) => seedSplit(b)?.serial === s).length >= 5),
      10_000,
      "5 frames from each camera",
    );
    for (const msg of viewer.binary) {
      const part = seedSplit(msg);
      assert.ok(part, "trailer does not start with 0123");
      assert.ok(SERIALS.includes(part.serial), part.serial);
      assert.equal(part.jpeg.byteLength + 18, msg.byteLength);
      assert.ok(isJpeg(part.jpeg));
      const img = jpeg.decode(part.jpeg, { useTArray: true });
      assert.equal(img.width, 320);
      assert.equal(img.height, 240);
    }
  } finally {
    await Promise.all(cams.map((c) => c.stop()));
  }
});

Deno.test("seed client: the seed's page logic shows every camera in Chromium", async () => {
  const pki = await createTestPki();
  const dataDir = await Deno.makeTempDir({ prefix: "trustcam_data_" });
  // The hub's own routes plus the seed page, served like any page (same TLS, same CSP).
  const withSeed: Manifest<RouteState> = {
    routes: {
      ...manifest.routes,
      "./routes/seed.ts": {
        handler: {
          GET: () => new Response(SEED_PAGE_HTML, { headers: { "content-type": "text/html" } }),
        },
      },
      "./routes/seed.js.ts": {
        handler: {
          GET: () => new Response(SEED_PAGE_JS, { headers: { "content-type": "text/javascript" } }),
        },
      },
    },
    islands: manifest.islands,
  };
  const hub = await startHub(
    { certsDir: pki.dir, dataDir, host: "127.0.0.1", port: 0 },
    { manifest: withSeed, log: () => {} },
  );
  const cams: SimCamera[] = [];
  const browser = await launchChromium();
  try {
    const wsUrl = `wss://127.0.0.1:${hub.port}/ws`;
    for (const s of SERIALS) cams.push(simCamera(wsUrl, pki.caPem, s, await pki.device(s)));
    await waitFor(
      () => SERIALS.every((s) => hub.state.registry.get(s)?.state === "online"),
      10_000,
      "cameras online",
    );
    const ctx = await contextWithCertificate(
      browser,
      `https://127.0.0.1:${hub.port}`,
      await pki.viewer("seed-viewer"),
    );
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`https://127.0.0.1:${hub.port}/seed`);
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll("img")].filter((i) => i.naturalWidth === 320).length === n,
      SERIALS.length,
      { timeout: 10_000 },
    );
    const captions = await page.locator("h2").allTextContents();
    for (const s of SERIALS) assert.ok(captions.some((c) => /^CAMERA\d /.test(c) && c.endsWith(s)));
    // The pictures keep changing: the seed updates an <img> whenever the last one loaded.
    const before = await page.evaluate(() =>
      (globalThis as unknown as { seedStats: { updates: number } }).seedStats.updates
    );
    await page.waitForFunction(
      (b) =>
        (globalThis as unknown as { seedStats: { updates: number } }).seedStats.updates >= b + 10,
      before,
      { timeout: 5_000 },
    );
    const stats = await page.evaluate(() =>
      (globalThis as unknown as { seedStats: { errors: number } }).seedStats
    );
    assert.equal(stats.errors, 0);
    assert.deepEqual(errors, []);
    await ctx.close();
  } finally {
    await browser.close();
    await Promise.all(cams.map((c) => c.stop()));
    await hub.close();
    await Deno.remove(dataDir, { recursive: true });
    await pki.cleanup();
  }
});
