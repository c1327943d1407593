/**
 * The one answer a connection without a verified client certificate gets, as nginx gives
 * with `ssl_verify_client optional`: what is wrong and how to fix it, for people (HTML) and
 * for tools (JSON). No camera data, no script, no asset: everything it shows is in the page.
 */
import type { Unverified } from "./peer.ts";
import { escapeHtml } from "../lib/web/escape_html.ts";

const WHY: Record<Unverified, string> = {
  no_certificate: "This hub only talks to people and cameras holding a client certificate " +
    "it issued, and your browser presented none.",
  expired: "The client certificate your browser presented has expired.",
  not_yet_valid: "The client certificate your browser presented is not valid yet " +
    "(check this computer's clock).",
  untrusted: "The client certificate your browser presented was not issued by this hub's " +
    "certificate authority.",
};

const MESSAGE: Record<Unverified, string> = {
  no_certificate: "A client certificate is required",
  expired: "Client certificate expired",
  not_yet_valid: "Client certificate not yet valid",
  untrusted: "Client certificate not issued by this hub",
};

const STYLE = `body{background:#0b0f14;color:#e6edf3;font:16px/1.5 system-ui,sans-serif;` +
  `margin:0;padding:2rem}main{max-width:40rem;margin:auto}h1{font-size:1.5rem}` +
  `code{background:#161b22;padding:.1rem .3rem;border-radius:.2rem}li{margin:.4rem 0}` +
  `.muted{color:#8b949e;font-size:.9rem}`;

/** The page's CSP: its own `<style>` and nothing else, not even images. */
export const CERTIFICATE_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";

export function certificateRequiredResponse(reason: Unverified, accept: string | null): Response {
  const headers = new Headers({
    "cache-control": "no-store",
    "connection": "close",
    "x-content-type-options": "nosniff",
    "cross-origin-resource-policy": "same-origin",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  });
  if (!(accept ?? "").includes("text/html")) {
    headers.set("content-type", "application/json");
    const error = { code: "TC_ERR_CERTIFICATE_REQUIRED", message: MESSAGE[reason], reason };
    return new Response(JSON.stringify({ error }), { status: 403, headers });
  }
  headers.set("content-type", "text/html; charset=utf-8");
  headers.set("content-security-policy", CERTIFICATE_PAGE_CSP);
  return new Response(page(reason), { status: 403, headers });
}

function page(reason: Unverified): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(MESSAGE[reason])} · trustcam</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escapeHtml(MESSAGE[reason])}</h1><p>${escapeHtml(WHY[reason])}</p>` +
    `<h2>To watch the cameras</h2><ol>` +
    `<li>Ask the hub's administrator for a browser certificate: a <code>.p12</code> file and ` +
    `its password (they create it with <code>deno task certs viewer YOUR-NAME</code>).</li>` +
    `<li>Import it. Chrome and Edge: Settings › Privacy and security › Security › Manage ` +
    `certificates › Your certificates › Import. Firefox: Settings › Privacy &amp; Security › ` +
    `Certificates › View Certificates › Your Certificates › Import. macOS: double-click the ` +
    `file and enter the password in Keychain Access.</li>` +
    `<li>Restart the browser (it remembers the choice it made without a certificate), open ` +
    `this address again and pick the certificate when asked.</li></ol>` +
    `<p class="muted">Nothing else on this hub answers without a certificate.</p>` +
    `</main></body></html>`;
}
