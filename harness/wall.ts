/**
 * The wall in Chromium against a running hub: simulated cameras streaming into it and a
 * browser whose contexts present a viewer certificate. Shared by the browser tests (an
 * in-process test hub, tests/wall_fixture.ts) and bench/wall_bench.ts (its own hub); the hub
 * comes in through {@link WallHub}, so this module depends on neither. Everything, the hub
 * included, is closed by close().
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { SimCamera } from "../sim/camera.ts";
import type { IssuedCert } from "../lib/pki.ts";
import { contextWithCertificate, launchChromium } from "./chromium.ts";

/** What the wall needs from a hub on 127.0.0.1; the harness owns it and closes it. */
export interface WallHub {
  readonly port: number;
  readonly caPem: string;
  /** A device certificate whose CN is `serial`. */
  device(serial: string): Promise<IssuedCert>;
  /** A viewer certificate whose CN is `name`. */
  viewer(name: string): Promise<IssuedCert>;
  /** True once the hub lists the camera as online. */
  online(serial: string): boolean;
  /** Renames a camera through the HTTP API. */
  rename(serial: string, name: string): Promise<void>;
  close(): Promise<void>;
}

export interface WallHarness extends AsyncDisposable {
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

export interface WallOptions {
  serials: string[];
  fps?: number;
  /** The cameras' frame size; default qvga. */
  size?: "qvga" | "vga";
  /** Names given to the cameras in `serials` order, through the HTTP API. */
  names?: string[];
  /**
   * A camera's loop, given instead of each camera encoding its own (undefined: it does):
   * encoding takes seconds of CPU, so tests share one per serial. A given loop is cycled as
   * it is, so the clock drawn in the picture stays at the time it was encoded.
   */
  frames?: (serial: string) => Uint8Array[] | undefined;
}

/** Starts the cameras on `hub`, waits until all are online, names them, opens Chromium. */
export async function openWall(hub: WallHub, opts: WallOptions): Promise<WallHarness> {
  const cameras = new Map<string, SimCamera>();
  let browser: Browser | undefined;
  try {
    const viewer = await hub.viewer("alice");
    const startCamera = async (serial: string) => {
      const cert = await hub.device(serial);
      const cam = new SimCamera({
        server: `wss://127.0.0.1:${hub.port}/ws`,
        serial,
        certPem: cert.certPem,
        keyPem: cert.keyPem,
        chainPem: cert.chainPem,
        caPem: hub.caPem,
        fps: opts.fps ?? 15,
        size: opts.size ?? "qvga",
        backoff: { baseMs: 100, maxMs: 500 },
        frames: opts.frames?.(serial),
      });
      cameras.set(serial, cam);
      cam.start();
      return cam;
    };
    for (const s of opts.serials) await startCamera(s);
    // Wait until every camera is online at the hub, so pages start with a full wall.
    const end = Date.now() + 15_000;
    while (opts.serials.some((s) => !hub.online(s))) {
      if (Date.now() > end) throw new Error("Simulated cameras did not come online");
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const [i, name] of (opts.names ?? []).entries()) {
      await hub.rename(opts.serials[i], name);
    }
    browser = await launchChromium();
    const b = browser;
    const origin = `https://127.0.0.1:${hub.port}`;
    const contexts: BrowserContext[] = [];
    const close = async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await b.close();
      await Promise.all([...cameras.values()].map((c) => c.stop()));
      await hub.close();
    };
    return {
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
    await hub.close();
    throw err;
  }
}
