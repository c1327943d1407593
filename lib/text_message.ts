/**
 * One JSON text message from a peer (a viewer's control message, a device's status): its
 * size limit and its parse into an object, with TC_ERR_BAD_CONTROL for anything else.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";

/** Largest text message a peer may send, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 4096;
/** UTF-8 length of `text`, without encoding it. */
export function utf8ByteLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // 4 bytes for the pair, counted as 2 code units already
        i++;
        continue;
      }
      n += 2;
    } else n += 2;
  }
  return n;
}

/**
 * Throws TC_ERR_BAD_CONTROL when a text message is over {@link MAX_TEXT_BYTES}. `what` names
 * the message in the error ("Control message", "Status message").
 */
export function checkTextSize(text: string, what = "Control message", max = MAX_TEXT_BYTES) {
  // Every code unit is one to three bytes, so most texts need no count.
  if (text.length * 3 <= max) return;
  const bytes = utf8ByteLength(text);
  if (bytes > max) {
    throw new TrustcamError("TC_ERR_BAD_CONTROL", `${what} too large: ${bytes} bytes > ${max}`);
  }
}

/**
 * Parses one JSON text message into a JSON object, with TC_ERR_BAD_CONTROL for bad JSON or a
 * non-object. Shared by the viewer and device parsers.
 */
export function parseControlObject(
  text: string,
  what = "Control message",
): Record<string, unknown> {
  checkTextSize(text, what);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    // V8's message quotes the input, raw: escape control characters and cut it, as the
    // message goes back to the peer and into the logs.
    let detail = (cause instanceof Error ? cause.message : String(cause))
      .replace(/[\p{Cc}\u2028\u2029]/gu, (c) => JSON.stringify(c).slice(1, -1));
    if (detail.length > 120) detail = detail.slice(0, 119) + "…";
    throw new TrustcamError("TC_ERR_BAD_CONTROL", `${what} is not valid JSON: ${detail}`, {
      cause,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TrustcamError(
      "TC_ERR_BAD_CONTROL",
      `${what} must be a JSON object: ${quote(value)}`,
    );
  }
  return value as Record<string, unknown>;
}
