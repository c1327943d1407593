/**
 * A hub with simulated cameras and a Chromium whose context presents a viewer certificate:
 * what the browser tests and the wall screenshots need. Everything is closed by close().
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startTestHub, type TestHub } from "./hub_fixture.ts";
import { SimCamera } from "../sim/camera.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import { contextWithCertificate, launchChromium } from "./browser_fixture.ts";

export const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;

export const SERIALS = [
  "0123A1B2C3D4E5F6A7",
  "0123B1B2C3D4E5F6B7",
  "0123C1B2C3D4E5F6C7",
  "0123D1B2C3D4E5F6D7",
];

export interface WallHarness extends AsyncDisposable {
  t: TestHub;
  cameras: Map<string, SimCamera>;
  viewer: IssuedCert;
  browser: Browser;
  origin: string;
  /** A context with the viewer certificate; closed with the harness. */
  context(opts?: { viewport?: { width: number; height: number } }): Promise<BrowserContext>;
  /** Problems the page reported: console errors, uncaught exceptions, HTTP errors by URL. */
  watch(page: Page): string[];
  startCamera(serial: string): Promise<SimCamera>;
  close(): Promise<void>;
}

export async function startWall(
  opts: { serials?: string[]; fps?: number; names?: string[] } = {},
): Promise<WallHarness> {
  const t = await startTestHub();
  const cameras = new Map<string, SimCamera>();
  let browser: Browser | undefined;
  try {
    const viewer = await t.pki.viewer("alice");
    const startCamera = async (serial: string) => {
      const cert = await t.pki.device(serial);
      const cam = new SimCamera({
        server: t.wsUrl,
        serial,
        certPem: cert.certPem,
        keyPem: cert.keyPem,
        chainPem: cert.chainPem,
        caPem: t.pki.caPem,
        fps: opts.fps ?? 15,
        size: "qvga",
        backoff: { baseMs: 100, maxMs: 500 },
      });
      cameras.set(serial, cam);
      cam.start();
      return cam;
    };
    const serials = opts.serials ?? SERIALS;
    for (const s of serials) await startCamera(s);
    // Wait until every camera is online at the hub, so pages start with a full wall.
    const end = Date.now() + 15_000;
    while (serials.some((s) => t.hub.state.registry.get(s)?.state !== "online")) {
      if (Date.now() > end) throw new Error("Simulated cameras did not come online");
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const [i, name] of (opts.names ?? []).entries()) {
      const res = await t.request(`/api/cameras/${serials[i]}`, {
        method: "PATCH",
        body: JSON.stringify({ name }),
      });
      if (res.status !== 200) throw new Error(`Rename failed: ${res.status} ${res.text()}`);
    }
    browser = await launchChromium();
    const b = browser;
    const origin = `https://127.0.0.1:${t.port}`;
    const contexts: BrowserContext[] = [];
    const close = async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await b.close();
      await Promise.all([...cameras.values()].map((c) => c.stop()));
      await t.close();
    };
    return {
      t,
      cameras,
      viewer,
      browser: b,
      origin,
      async context(o = {}) {
        const ctx = await contextWithCertificate(b, origin, viewer, o);
        contexts.push(ctx);
        return ctx;
      },
      watch(page) {
        const problems: string[] = [];
        page.on("console", (m) => {
          // HTTP errors are recorded with their URL below.
          // Warnings too: twind reports unknown classes as warnings.
          const bad = m.type() === "error" || m.type() === "warning";
          if (bad && !m.text().startsWith("Failed to load resource")) {
            problems.push(`console: ${m.text()}`);
          }
        });
        page.on("response", (r) => {
          if (r.status() >= 400) problems.push(`http ${r.status()} ${new URL(r.url()).pathname}`);
        });
        page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
        return problems;
      },
      startCamera,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await browser?.close();
    await Promise.all([...cameras.values()].map((c) => c.stop()));
    await t.close();
    throw err;
  }
}

/** A cheap fingerprint of a canvas's pixels, computed in the page. */
export function canvasHash(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < data.length; i += 7) h = Math.imul(h ^ data[i], 16777619);
    return `${c.width}x${c.height}:${(h >>> 0).toString(16)}`;
  });
}

/** True when a JPEG starts with SOI and ends with EOI. */
export function isJpeg(b: Uint8Array): boolean {
  return b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff &&
    b[b.length - 1] === 0xd9;
}
