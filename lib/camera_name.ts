/**
 * What a camera name may be. A name is shown on every viewer's wall and in logs, so it must be
 * one line of text that reads as it is stored: no controls, nothing that reorders or hides
 * text, and one normal form so that "é" typed two ways is one name.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";

/** Longest camera name, in characters (code points, after NFC). */
export const MAX_NAME_LENGTH = 64;

// C0/C1 controls and the line/paragraph separators: a name is one line of plain text.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
// Embeddings, overrides, isolates and marks: "cam\u202Egpj.exe" reads as "camexe.jpg".
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
// Invisible characters that make two names look alike.
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/u;
// Both of the above, escaped when a refused name is quoted back.
const INVISIBLE = /[\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `U+202E` for the code point of `c` (a lone surrogate is its own code unit). */
function codePointOf(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * {@link quote}, with the invisible characters a name may hold escaped as well: the error
 * message goes back to the browser and into the log, where an override would reorder it.
 */
function quoteName(name: string): string {
  return quote(name).replace(
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function refuse(name: string, why: string): never {
  throw new TrustcamError("TC_ERR_BAD_NAME", `Invalid camera name: ${quoteName(name)} ${why}`);
}

/**
 * The name to store for `name`: NFC-normalized and trimmed, 1-{@link MAX_NAME_LENGTH}
 * characters. Throws TC_ERR_BAD_NAME naming the problem for anything else: not a string, a
 * lone surrogate, a control, bidirectional or zero-width character (anywhere, also at the ends,
 * since trimming would silently drop U+FEFF), empty, too long.
 */
export function normalizeCameraName(name: unknown): string {
  if (typeof name !== "string") {
    throw new TrustcamError(
      "TC_ERR_BAD_NAME",
      `Invalid camera name: ${quote(name)} is not a string`,
    );
  }
  const lone = LONE_SURROGATE.exec(name);
  if (lone) refuse(name, `has a lone surrogate (${codePointOf(lone[0])})`);
  const normal = name.normalize("NFC");
  if (CONTROL.test(normal)) refuse(name, "has control characters");
  const bidi = BIDI.exec(normal);
  if (bidi) refuse(name, `has a bidirectional formatting character (${codePointOf(bidi[0])})`);
  const invisible = ZERO_WIDTH.exec(normal);
  if (invisible) refuse(name, `has a zero-width character (${codePointOf(invisible[0])})`);
  const trimmed = normal.trim();
  const length = [...trimmed].length;
  if (length === 0) refuse(name, "is empty");
  if (length > MAX_NAME_LENGTH) refuse(name, `is ${length} characters > ${MAX_NAME_LENGTH}`);
  return trimmed;
}
