/**
 * Quotes a bad value for an error message: JSON-escaped (so control characters and quotes
 * cannot forge log lines) and cut to `max` characters, because the value may come from a peer.
 */
export function quote(value: unknown, max = 40): string {
  let s: string;
  if (typeof value === "string") s = value;
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  // Cut on code points, never inside a surrogate pair; (max + 1) * 2 code units always hold
  // max + 1 code points, enough to know whether to cut.
  const chars = Array.from(s.length > (max + 1) * 2 ? s.slice(0, (max + 1) * 2) : s);
  if (chars.length > max) s = chars.slice(0, max - 1).join("") + "…";
  return JSON.stringify(s);
}
