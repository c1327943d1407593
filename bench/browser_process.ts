/**
 * The wall in headless Debian Chromium, counted from outside the app: an init script wraps
 * `CanvasRenderingContext2D.prototype.drawImage` (frames painted) and the page's WebSocket
 * (binary messages received, and from which cameras), and observes 'longtask' entries; the
 * JS heap comes from CDP `Performance.getMetrics`. No app code is changed or read.
 *
 * Protocol (bench/child_io.ts): `ready` once the wall shows its tiles, then `start`
 * {measureFrom, measureTo} (ms since the epoch), then `result`; a closed stdin ends it.
 */
import { chromium } from "playwright-core";
import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../harness/chromium.ts";
import { loadBenchCreds, viewerCred } from "./bench_pki.ts";
import { CommandReader, emit, sleepUntil } from "./child_io.ts";

const USAGE = `Usage: deno run -A bench/browser_process.ts --port N --creds FILE [options]

  --port N            hub port on 127.0.0.1
  --creds FILE        credentials JSON written by the orchestrator (bench/bench_pki.ts)
  --tiles N           tiles to wait for before reporting ready (default 16)
  --viewport WxH      browser viewport (default 1920x1200: every tile of 16 on screen)
  --deadline-s S      exit after S seconds whatever happens (default 600)
  -h, --help          show this help`;

interface Counters {
  received: number;
  receivedBytes: number;
  painted: number;
  longTasks: number;
  longTaskMs: number;
  longestMs: number;
  serials: string[];
}

/** Runs in the page before its own scripts. */
function instrument(): void {
  const s = {
    received: 0,
    receivedBytes: 0,
    painted: 0,
    longTasks: 0,
    longTaskMs: 0,
    longestMs: 0,
    serials: new Set<string>(),
  };
  (globalThis as unknown as { __bench: typeof s }).__bench = s;
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (
    this: CanvasRenderingContext2D,
    ...args: unknown[]
  ) {
    s.painted++;
    // deno-lint-ignore no-explicit-any
    return (draw as any).apply(this, args);
  } as typeof draw;
  const Native = globalThis.WebSocket;
  class CountingWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("message", (e: MessageEvent) => {
        if (typeof e.data === "string") return;
        s.received++;
        const buf = e.data as ArrayBuffer | Blob;
        if (buf instanceof ArrayBuffer) {
          s.receivedBytes += buf.byteLength;
          if (s.serials.size < 1000 && buf.byteLength > 18) {
            s.serials.add(String.fromCharCode(...new Uint8Array(buf, buf.byteLength - 18)));
          }
        }
      });
    }
  }
  globalThis.WebSocket = CountingWebSocket;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      s.longTasks++;
      s.longTaskMs += e.duration;
      if (e.duration > s.longestMs) s.longestMs = e.duration;
    }
  }).observe({ type: "longtask", buffered: true });
}

function read(): Counters {
  const s = (globalThis as unknown as {
    __bench: Omit<Counters, "serials"> & { serials: Set<string> };
  }).__bench;
  return { ...s, serials: [...s.serials] };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string" },
      creds: { type: "string" },
      tiles: { type: "string", default: "16" },
      viewport: { type: "string", default: "1920x1200" },
      "deadline-s": { type: "string", default: "600" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.port || !values.creds) {
    console.log(USAGE);
    Deno.exit(values.help ? 0 : 2);
  }
  const [width, height] = values.viewport.split("x").map(Number);
  const tiles = Number(values.tiles);
  const origin = `https://127.0.0.1:${values.port}`;
  const creds = await loadBenchCreds(values.creds);
  const cred = viewerCred(creds, 0);

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await browser.close().catch(() => {});
    Deno.exit(code);
  };
  const deadline = setTimeout(() => {
    emit({ type: "error", message: `Deadline of ${values["deadline-s"]} s reached` });
    void stop(3);
  }, Number(values["deadline-s"]) * 1000);
  const commands = new CommandReader(() => void stop(0));
  try {
    const context = await browser.newContext({
      // Playwright's client-certificate proxy checks the hub against public roots only, so
      // the bench CA's server certificate needs this; the hub still verifies our certificate.
      ignoreHTTPSErrors: true,
      clientCertificates: [{
        origin,
        cert: Buffer.from(cred.chainPem),
        key: Buffer.from(cred.keyPem),
      }],
      viewport: { width, height },
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.addInitScript(instrument);
    const res = await page.goto(`${origin}/`, { waitUntil: "load", timeout: 30_000 });
    if (!res || res.status() !== 200) throw new Error(`The wall answered ${res?.status()}`);
    await page.waitForFunction(
      (n) => document.querySelectorAll("canvas").length >= n,
      tiles,
      { timeout: 30_000 },
    );
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const heapMb = async () => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      const used = metrics.find((m: { name: string }) => m.name === "JSHeapUsedSize")?.value ?? 0;
      return Math.round((used / 1024 / 1024) * 10) / 10;
    };
    emit({
      type: "ready",
      canvases: await page.evaluate(() => document.querySelectorAll("canvas").length),
    });

    const start = await commands.wait("start");
    const { measureFrom, measureTo } = start as unknown as Record<string, number>;
    await sleepUntil(measureFrom);
    const c0 = await page.evaluate(read);
    // The longest task counts from here; page load and the first decodes are warm-up.
    await page.evaluate(() =>
      (globalThis as unknown as { __bench: Counters }).__bench.longestMs = 0
    );
    const heap0 = await heapMb();
    const t0 = Date.now();
    await sleepUntil(measureTo);
    const c1 = await page.evaluate(read);
    const heap1 = await heapMb();
    const seconds = (Date.now() - t0) / 1000;
    emit({
      type: "result",
      seconds,
      viewport: values.viewport,
      canvases: await page.evaluate(() => document.querySelectorAll("canvas").length),
      tilesReceiving: c1.serials.length,
      received: c1.received - c0.received,
      receivedBytes: c1.receivedBytes - c0.receivedBytes,
      painted: c1.painted - c0.painted,
      longTasks: c1.longTasks - c0.longTasks,
      longTaskMs: Math.round(c1.longTaskMs - c0.longTaskMs),
      longestMs: Math.round(c1.longestMs),
      heapStartMb: heap0,
      heapMb: heap1,
      pageErrors: pageErrors.slice(0, 5),
    });
  } catch (err) {
    emit({ type: "error", message: err instanceof Error ? err.message : String(err) });
    clearTimeout(deadline);
    await stop(1);
  }
  clearTimeout(deadline);
  await stop(0);
}

if (import.meta.main) await main();
