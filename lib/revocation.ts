/**
 * The revocation list (`deno task certs revoke` writes it; the hub reloads it on change). One
 * entry per line, `#` starts a comment:
 *
 * ```
 * cn:0123A1B2C3D4E5F6A7          # a device or viewer by certificate CN (any case)
 * sha256:AB:CD:...               # a certificate by SHA-256 fingerprint (colons optional)
 * serial:01f3                    # a certificate by its serial number (leading zeros ignored)
 * 3fa0...64 hex...               # bare: a fingerprint when 64 hex digits, otherwise a CN
 * ```
 *
 * The signed CRL beside it (lib/crl.ts) adds serial numbers; {@link RevocationList.union}
 * combines the two into the one list the hub enforces.
 */
import { quote } from "./quote.ts";

/** The parts of a peer certificate that revocation looks at (as node:tls reports them). */
export interface PeerIdentity {
  cn: string;
  /** SHA-256 fingerprint, any case, colons optional. */
  fingerprint256: string;
  /** Certificate serial number in hex, any case. */
  serialNumber: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;
// A list that turned to binary garbage must not load as a list of odd CNs (and so revoke
// nothing it used to): control characters and U+FFFD (undecodable bytes) are never in a CN.
// deno-lint-ignore no-control-regex
const GARBLED = /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/;

function normalizeFingerprint(s: string): string {
  return s.replaceAll(":", "").toLowerCase();
}

function normalizeSerial(s: string): string {
  const hex = s.replaceAll(":", "").toLowerCase();
  const trimmed = hex.replace(/^0+/, "");
  return trimmed === "" && hex !== "" ? "0" : trimmed;
}

export class RevocationList {
  static readonly EMPTY: RevocationList = new RevocationList(new Set(), new Set(), new Set());

  #cns: ReadonlySet<string>;
  #fingerprints: ReadonlySet<string>;
  #serials: ReadonlySet<string>;

  private constructor(cns: Set<string>, fingerprints: Set<string>, serials: Set<string>) {
    this.#cns = cns;
    this.#fingerprints = fingerprints;
    this.#serials = serials;
  }

  /** Parses a list; a malformed `sha256:` or `serial:` entry is a SyntaxError naming its line. */
  static parse(text: string): RevocationList {
    const cns = new Set<string>();
    const fingerprints = new Set<string>();
    const serials = new Set<string>();
    const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      // A comment starts the line or follows whitespace, so a CN may still contain "#".
      const entry = lines[i].replace(/(^|\s)#.*$/, "").trim();
      if (entry === "") continue;
      const invalid = () =>
        new SyntaxError(`Invalid revocation entry on line ${i + 1}: ${quote(entry, 100)}`);
      if (GARBLED.test(entry)) throw invalid();
      const colon = entry.indexOf(":");
      const prefix = colon > 0 ? entry.slice(0, colon).toLowerCase() : "";
      const value = colon > 0 ? entry.slice(colon + 1).trim() : "";
      if (prefix === "cn") {
        if (value === "") throw invalid();
        cns.add(value.toLowerCase());
      } else if (prefix === "sha256") {
        const fp = normalizeFingerprint(value);
        if (!HEX64.test(fp)) throw invalid();
        fingerprints.add(fp);
      } else if (prefix === "serial") {
        const hex = value.replaceAll(":", "").toLowerCase();
        if (!HEX.test(hex)) throw invalid();
        serials.add(normalizeSerial(hex));
      } else {
        const fp = normalizeFingerprint(entry);
        if (HEX64.test(fp)) fingerprints.add(fp);
        else cns.add(entry.toLowerCase());
      }
    }
    return new RevocationList(cns, fingerprints, serials);
  }

  /** A list of certificate serial numbers (hex, any case, colons and leading zeros ignored). */
  static fromSerials(serials: Iterable<string>): RevocationList {
    const set = new Set<string>();
    for (const s of serials) {
      const hex = s.replaceAll(":", "").toLowerCase();
      if (!HEX.test(hex)) throw new SyntaxError(`Invalid serial number: ${quote(s, 100)}`);
      set.add(normalizeSerial(hex));
    }
    return new RevocationList(new Set(), new Set(), set);
  }

  /** Every entry of every list: a certificate any of them revokes is revoked. */
  static union(...lists: RevocationList[]): RevocationList {
    const cns = new Set<string>(), fingerprints = new Set<string>(), serials = new Set<string>();
    for (const l of lists) {
      l.#cns.forEach((v) => cns.add(v));
      l.#fingerprints.forEach((v) => fingerprints.add(v));
      l.#serials.forEach((v) => serials.add(v));
    }
    return new RevocationList(cns, fingerprints, serials);
  }

  /** The serial numbers on the list, lower-case hex without leading zeros. */
  get serials(): readonly string[] {
    return [...this.#serials];
  }

  /** Whether any of the peer's CN, fingerprint or serial number is on the list. */
  isRevoked(p: PeerIdentity): boolean {
    if (this.size === 0) return false;
    // Fields may be missing on a malformed certificate; a missing field matches nothing.
    return (!!p.cn && this.#cns.has(p.cn.toLowerCase())) ||
      (!!p.fingerprint256 && this.#fingerprints.has(normalizeFingerprint(p.fingerprint256))) ||
      (!!p.serialNumber && this.#serials.has(normalizeSerial(p.serialNumber)));
  }

  /** Number of distinct entries. */
  get size(): number {
    return this.#cns.size + this.#fingerprints.size + this.#serials.size;
  }
}
