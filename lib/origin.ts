/**
 * Which page may speak for a viewer's certificate. Browsers present a client certificate to
 * every request for the hub's host, whoever's page started it, so a state-changing request or
 * a WebSocket from another site would act with the viewer's rights (cross-site WebSocket
 * hijacking). Browsers always send `Origin` on those; the hub admits its own origin and the
 * ones configured for reverse proxies. Tools that send no `Origin` (curl, ffmpeg, the
 * firmware's library for devices) are not browsers acting for someone else.
 */

/** `https://hub.example:5000` normalized: lower case, default port dropped. Throws on junk. */
export function normalizeOrigin(origin: string): string {
  const url = new URL(origin);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`Not an http(s) origin: "${origin}"`);
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new TypeError(`Not an origin (scheme://host[:port] only): "${origin}"`);
  }
  return url.origin;
}

/**
 * True when a request with this `Origin` header may act for a viewer: no header, the hub's
 * own origin (`https://` + the request's `Host`), or one of `allowed` (normalized origins).
 * `Origin: null` (sandboxed frames, file: pages) is never the hub's page.
 */
export function originAllowed(
  origin: string | null | undefined,
  host: string | null | undefined,
  allowed: ReadonlySet<string>,
): boolean {
  if (origin === null || origin === undefined) return true;
  let normalized: string;
  try {
    normalized = normalizeOrigin(origin);
  } catch {
    return false;
  }
  if (allowed.has(normalized)) return true;
  if (!host) return false;
  try {
    return normalized === normalizeOrigin(`https://${host}`);
  } catch {
    return false;
  }
}
