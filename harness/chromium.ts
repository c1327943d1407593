/**
 * Debian Chromium driven by playwright-core, shared by the browser tests and the benchmarks
 * (the wall scenario and the decode benchmark launch it with the same flags).
 *
 * Client certificates: playwright does not hand the certificate to Chromium; it runs a local
 * TLS proxy in this (Deno) process that answers the browser with its own certificate and
 * connects to the hub with the viewer's certificate and key (node:tls). That proxy verifies
 * the hub against the process's default roots and takes no CA option, so with our private
 * test CA it needs `ignoreHTTPSErrors: true`. The hub still requires and verifies the client
 * certificate; tests check the hub's server certificate themselves with {@link verifyServerCert}.
 */
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import https from "node:https";
import { Buffer } from "node:buffer";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Keep timers and rAF running in a page nobody looks at, as on a wall monitor.
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A browser context that presents `cert` (chain + key PEM) to `origin`. */
export function contextWithCertificate(
  browser: Browser,
  origin: string,
  cert: { chainPem: string; keyPem: string },
  opts: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    ignoreHTTPSErrors: true,
    clientCertificates: [{
      origin,
      cert: Buffer.from(cert.chainPem),
      key: Buffer.from(cert.keyPem),
    }],
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    acceptDownloads: opts.acceptDownloads ?? true,
  });
}

/**
 * Connects to the hub with the test CA and the viewer certificate and returns the status of
 * GET `path`: proof that the certificate the browser's proxy did not check is the right one.
 */
export function verifyServerCert(
  port: number,
  caPem: string,
  cert: { chainPem: string; keyPem: string },
  path = "/",
): Promise<{ status: number; subjectCn: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: "127.0.0.1",
      port,
      path,
      method: "GET",
      ca: caPem,
      cert: cert.chainPem,
      key: cert.keyPem,
      rejectUnauthorized: true,
      agent: false,
    }, (res) => {
      // deno-lint-ignore no-explicit-any
      const socket = res.socket as any;
      const peer = socket.getPeerCertificate?.();
      const out = {
        status: res.statusCode ?? 0,
        subjectCn: String(peer?.subject?.CN ?? ""),
        authorized: Boolean(socket.authorized),
      };
      res.resume();
      res.on("end", () => resolve(out));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
