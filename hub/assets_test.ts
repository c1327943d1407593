import assert from "node:assert/strict";
import { ASSET_PREFIX, buildAssets, entrySource } from "./assets.ts";
import { createRenderPage } from "../lib/web/render.tsx";
import { launchChromium } from "../harness/chromium.ts";
import { waitFor } from "../tests/wait_for.ts";
import Counter from "../lib/web/testdata/islands/Counter.tsx";
import Echo from "../lib/web/testdata/islands/Echo.tsx";
import { h } from "preact";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const FIXTURE = `${ROOT}/lib/web/testdata`;
const CONFIG = `${ROOT}/deno.json`;
const fixtureManifest = {
  routes: {},
  islands: {
    "./islands/Counter.tsx": { default: Counter },
    "./islands/Echo.tsx": { default: Echo },
  },
};

Deno.test("entrySource() imports each island by file and names it", () => {
  const src = entrySource("/srv/app", ["./islands/Wall.tsx", "./islands/cam/CameraView.tsx"]);
  assert.match(src, /import \$0 from "file:\/\/\/srv\/app\/islands\/Wall.tsx";/);
  assert.match(src, /import \$1 from "file:\/\/\/srv\/app\/islands\/cam\/CameraView.tsx";/);
  assert.match(src, /startIslands\(\{ "Wall": \$0, "CameraView": \$1 \}\);/);
  assert.match(src, /import \{ startIslands \} from "file:\/\/\/.*\/lib\/web\/islands_client.ts";/);
});

Deno.test("buildAssets() serves a content-hashed immutable bundle", async () => {
  const logs: string[] = [];
  await using assets = await buildAssets({
    root: FIXTURE,
    config: CONFIG,
    manifest: fixtureManifest,
    dev: false,
    log: (m) => logs.push(m),
  });
  assert.match(assets.scriptUrl, /^\/_trustcam\/islands-[0-9a-f]{16}\.js$/);
  const res = assets.serve(assets.scriptUrl)!;
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  const body = new Uint8Array(await res.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(assets.scriptUrl, `${ASSET_PREFIX}islands-${hex.slice(0, 16)}.js`);
  assert.equal(assets.serve("/_trustcam/islands-0000000000000000.js"), undefined);
  assert.equal(assets.serve("/"), undefined);
  assert.equal(logs.length, 1);
  assert.match(
    logs[0],
    /Islands bundle \/_trustcam\/islands-[0-9a-f]{16}\.js: [\d.]+ KiB in \d+ ms/,
  );
});

Deno.test("buildAssets() throws the bundler's message when the first build fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_assets_" });
  try {
    await Deno.mkdir(`${dir}/islands`);
    await Deno.writeTextFile(`${dir}/islands/Broken.tsx`, "export default function (\n");
    await assert.rejects(
      () =>
        buildAssets({
          root: dir,
          config: CONFIG,
          manifest: { islands: { "./islands/Broken.tsx": {} } },
          dev: false,
        }),
      (err: unknown) =>
        err instanceof Error && /^Islands bundle failed: /.test(err.message) &&
        /Broken\.tsx/.test(err.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildAssets() in dev rebuilds when an island changes and keeps old bundles", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_assets_" });
  try {
    await Deno.mkdir(`${dir}/islands`);
    const file = `${dir}/islands/Hello.tsx`;
    const source = (word: string) => `export default function Hello() { return <p>${word}</p>; }\n`;
    await Deno.writeTextFile(file, source("first-version"));
    const logs: string[] = [];
    await using assets = await buildAssets({
      root: dir,
      config: CONFIG,
      manifest: { islands: { "./islands/Hello.tsx": {} } },
      dev: true,
      watch: [`${dir}/islands`],
      log: (m) => logs.push(m),
    });
    const first = assets.scriptUrl;
    assert.match(await assets.serve(first)!.text(), /first-version/);

    await Deno.writeTextFile(file, source("second-version"));
    await waitFor(() => assets.builds === 2, 10_000, "the rebuild");
    const second = assets.scriptUrl;
    assert.notEqual(second, first);
    assert.match(await assets.serve(second)!.text(), /second-version/);
    // A page loaded before the rebuild can still fetch its script.
    assert.match(await assets.serve(first)!.text(), /first-version/);

    // A broken edit keeps the last good bundle and logs why.
    await Deno.writeTextFile(file, "export default function (\n");
    await waitFor(() => logs.some((l) => l.startsWith("Islands bundle failed")), 10_000, "failure");
    assert.equal(assets.scriptUrl, second);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("islands hydrate in Chromium, styled by twind, under the page CSP", async () => {
  await using assets = await buildAssets({
    root: FIXTURE,
    config: CONFIG,
    manifest: fixtureManifest,
    dev: false,
  });
  const renderPage = createRenderPage({ manifest: fixtureManifest, assets });
  const evil = `</script><script>document.title="pwned"</script>`;
  const Page = () =>
    h("main", { class: "p-4" }, [
      h(Counter, { start: 5, label: "Clicks" }),
      h(Echo, { text: evil, list: [1, 2, 3] }),
    ]);
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      const asset = assets.serve(url.pathname);
      if (asset) return asset;
      if (url.pathname !== "/") return new Response("not found", { status: 404 });
      return await renderPage(Page, { data: undefined, url, params: {}, state: {} }, {
        req,
        url,
        params: {},
        state: {},
      });
    },
  );
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.addr.port}/`);
    await page.waitForSelector("[data-island='0'][data-ready]", { timeout: 10_000 });
    await page.waitForSelector("[data-island='1'][data-ready]", { timeout: 10_000 });

    assert.equal(await page.textContent(".counter output"), "5");
    const before = await page.$eval(".counter", (el) => getComputedStyle(el).backgroundColor);
    await page.click(".counter");
    assert.equal(await page.textContent(".counter output"), "6");
    // bg-emerald-700 appears only after the click: the client's twind must have styled it.
    await page.waitForFunction(
      () => {
        const el = document.querySelector(".counter")!;
        return el.classList.contains("bg-emerald-700") &&
          getComputedStyle(el).backgroundColor === "rgb(4, 120, 87)";
      },
      undefined,
      { timeout: 5_000 },
    );
    assert.notEqual(before, "rgb(4, 120, 87)");
    // Server CSS applied before hydration too: p-4 is 16px.
    assert.equal(await page.$eval("main", (el) => getComputedStyle(el).paddingTop), "16px");

    const echoed = JSON.parse((await page.textContent(".echo"))!);
    assert.deepEqual(echoed, { text: evil, list: [1, 2, 3] });
    assert.notEqual(await page.title(), "pwned");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    ac.abort();
    await server.finished;
  }
});
