/**
 * The edges a browser reaches: a page of another site cannot open the hub's WebSocket with
 * the viewer's certificate (cross-site WebSocket hijacking), and a browser without a
 * certificate gets a page that says what it needs, instead of a TLS error.
 */
import assert from "node:assert/strict";
import { fakeJpeg, startTestHub, waitFor } from "./hub_fixture.ts";
import { contextWithCertificate, launchChromium } from "../harness/chromium.ts";

const CAM = "0123A1B2C3D4E5F6A7";
/** Looked at by people, copied to docs/no-certificate.png when the page changes. */
const SCREENSHOT = new URL("./artifacts/no-certificate.png", import.meta.url).pathname;

/** A page that tries the hub's WebSocket and reports what it got. */
function attackerPage(hubWs: string): string {
  return `<!doctype html><title>Totally unrelated site</title><script>
    window.result = { opened: false, messages: 0, bytes: 0, closed: false };
    const ws = new WebSocket(${JSON.stringify(hubWs)});
    ws.binaryType = "arraybuffer";
    ws.onopen = () => { window.result.opened = true; };
    ws.onmessage = (e) => {
      window.result.messages++;
      window.result.bytes += e.data.byteLength ?? e.data.length;
    };
    ws.onclose = (e) => { window.result.closed = true; window.result.code = e.code; };
  </script>`;
}

Deno.test("browser: another site's page gets no frame and no data from the hub's WebSocket", async () => {
  await using t = await startTestHub();
  const device = await t.device(CAM);
  const timer = setInterval(() => device.ws.send(fakeJpeg(1000)), 50);
  const attacker = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response(attackerPage(`wss://127.0.0.1:${t.port}/ws`), {
        headers: { "content-type": "text/html" },
      }),
  );
  const browser = await launchChromium();
  try {
    const origin = `https://127.0.0.1:${t.port}`;
    const ctx = await contextWithCertificate(browser, origin, await t.pki.viewer("alice"));
    const page = await ctx.newPage();
    await page.goto(`http://127.0.0.1:${attacker.addr.port}/`);
    await page.waitForFunction(
      () => (window as unknown as { result: { closed: boolean } }).result.closed,
      undefined,
      {
        timeout: 10_000,
      },
    );
    const result = await page.evaluate(() =>
      (window as unknown as { result: Record<string, unknown> }).result
    );
    assert.equal(result.opened, false, "the upgrade must be refused");
    assert.equal(result.messages, 0);
    assert.equal(result.bytes, 0);
    await waitFor(
      () => t.log.some((l) => l.startsWith("refuse stage=upgrade reason=origin")),
      5000,
      "the refusal logged",
    );
    const metrics = (await t.request("/metrics")).text();
    assert.match(metrics, /trustcam_upgrades_refused_total\{reason="origin"\} [1-9]/);

    // The same browser and certificate on the hub's own page: the wall works.
    await page.goto(`${origin}/`);
    await page.waitForSelector(`[data-tile="${CAM}"][data-state="online"]`, { timeout: 10_000 });
    await ctx.close();
  } finally {
    clearInterval(timer);
    await browser.close();
    await attacker.shutdown();
  }
});

Deno.test("browser: without a certificate, one page says a client certificate is required", async () => {
  await using t = await startTestHub();
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 900, height: 640 },
    });
    const page = await ctx.newPage();
    const scripts: string[] = [];
    page.on("request", (r) => scripts.push(r.url()));
    const res = await page.goto(`https://127.0.0.1:${t.port}/cameras/${CAM}`);
    assert.equal(res?.status(), 403);
    assert.equal(await page.title(), "A client certificate is required · trustcam");
    const text = await page.textContent("main");
    assert.match(text ?? "", /deno task certs viewer/);
    assert.equal(await page.locator("script, img, link[rel=stylesheet]").count(), 0);
    assert.deepEqual(scripts, [`https://127.0.0.1:${t.port}/cameras/${CAM}`], "no other request");
    await Deno.mkdir(new URL("./artifacts/", import.meta.url), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    await ctx.close();
  } finally {
    await browser.close();
  }
});
