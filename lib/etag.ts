/**
 * Validators for a picture served over HTTP (the snapshot): a strong ETag from the bytes, so a
 * poller (Home Assistant, a script, a browser) gets 304 instead of the same JPEG again.
 */

/** A strong ETag: the first 16 bytes of the SHA-256 of `bytes`, hex, quoted. */
export async function strongEtag(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  let hex = "";
  for (const b of digest.subarray(0, 16)) hex += b.toString(16).padStart(2, "0");
  return `"${hex}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag` (RFC 9110 13.1.2: weak comparison, so
 * `W/"x"` matches `"x"`; `*` matches any current representation).
 */
export function ifNoneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => bare(tag) === bare(etag));
}
