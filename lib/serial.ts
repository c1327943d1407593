import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";

/** The seed's device identity: an ATECC608 serial, 9 bytes as 18 hex characters. */
export const DEFAULT_SERIAL_PATTERN = "^0123[0-9A-Fa-f]{14}$";

/** Compiles a device serial pattern; serials must be 18 characters to fit the trailer. */
export function serialMatcher(pattern: string = DEFAULT_SERIAL_PATTERN): (s: string) => boolean {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (cause) {
    throw new TypeError(`Invalid serial pattern: "${pattern}"`, { cause });
  }
  return (s) => s.length === 18 && /^[\x21-\x7e]+$/.test(s) && re.test(s);
}

/** Canonical form of a serial: upper case, as ATECC608 serials are printed. */
export function canonicalSerial(s: string): string {
  return s.toUpperCase();
}

/** Validates a serial from a URL or a message before any use. */
export function parseSerial(raw: string, isSerial: (s: string) => boolean): string {
  if (!isSerial(raw)) {
    // quote(): a URL segment can be long or hold control characters; echo it safely.
    throw new TrustcamError("TC_ERR_BAD_SERIAL", `Invalid camera serial: ${quote(raw)}`);
  }
  return canonicalSerial(raw);
}
