/**
 * The signer CA's certificate revocation list (RFC 5280 X.509 v2 CRL): what `deno task certs
 * revoke` publishes beside revoked.txt so that any TLS stack (openssl, nginx, a reverse proxy)
 * can check our client certificates the standard way, and what the hub reads back.
 *
 * Signing uses pkijs rather than @peculiar/x509's X509CrlGenerator, which writes an empty
 * crlEntryExtensions SEQUENCE into every entry (RFC 5280 says SIZE (1..MAX)); reading uses
 * @peculiar/x509. The signature check is synchronous (node:crypto) so the hub can re-read the
 * list inside its file poll.
 */
import { verify as verifySignature, X509Certificate as NodeCertificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import type { Ca } from "./pki.ts";
import { PkiError } from "./pki_error.ts";
import { RevocationList } from "./revocation.ts";

const OID_CRL_NUMBER = "2.5.29.20";
const OID_AUTHORITY_KEY_ID = "2.5.29.35";
const DAY_MS = 86_400_000;

/** How long a CRL is current; `deno task certs crl` re-signs it before then. */
export const CRL_VALIDITY_DAYS = 365;

export interface CrlEntry {
  /** lower-case hex, no leading zeros */
  serialNumber: string;
  revokedAt: Date;
}

/** A CRL whose signature the signer CA vouches for. */
export interface Crl {
  /** The crlNumber extension; null when absent (CRLs from other tools). */
  number: bigint | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
  entries: CrlEntry[];
  /** The entries as a revocation list (by serial number). */
  list: RevocationList;
}

/** Canonical form of a serial: lower-case hex, no colons, no leading zeros ("0" for zero). */
export function canonicalSerial(serial: string): string {
  const hex = serial.replaceAll(":", "").toLowerCase().replace(/^0+/, "");
  return hex === "" ? "0" : hex;
}

/** DER INTEGER content for a positive serial: whole bytes, a leading zero when the top bit is set. */
function serialBytes(serial: string): Uint8Array {
  let hex = canonicalSerial(serial);
  if (!/^[0-9a-f]+$/.test(hex)) {
    throw new PkiError("PKI_BAD_REVOCATIONS", `Invalid serial number: "${serial}"`);
  }
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}

function time(d: Date): pkijs.Time {
  // UTCTime through 2049, GeneralizedTime after, as RFC 5280 requires.
  return new pkijs.Time({ type: d.getUTCFullYear() < 2050 ? 0 : 1, value: d });
}

/**
 * Signs a CRL listing `entries` with `signer`'s key: version 2, the signer's subject as
 * issuer, thisUpdate/nextUpdate, crlNumber and authorityKeyIdentifier extensions. PEM.
 */
export async function createCrl(
  signer: Ca,
  o: { entries: CrlEntry[]; number: bigint; thisUpdate?: Date; nextUpdate?: Date },
): Promise<string> {
  const thisUpdate = o.thisUpdate ?? new Date();
  const nextUpdate = o.nextUpdate ?? new Date(thisUpdate.getTime() + CRL_VALIDITY_DAYS * DAY_MS);
  const ski = signer.cert.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = ski
    ? new x509.AuthorityKeyIdentifierExtension(ski.keyId)
    : await x509.AuthorityKeyIdentifierExtension.create(signer.keys.publicKey);
  const crl = new pkijs.CertificateRevocationList({
    version: 1, // v2
    issuer: pkijs.Certificate.fromBER(signer.cert.rawData).subject,
    thisUpdate: time(thisUpdate),
    nextUpdate: time(nextUpdate),
    crlExtensions: new pkijs.Extensions({
      extensions: [
        new pkijs.Extension({
          extnID: OID_AUTHORITY_KEY_ID,
          critical: false,
          extnValue: aki.value,
        }),
        new pkijs.Extension({
          extnID: OID_CRL_NUMBER,
          critical: false,
          extnValue: new asn1js.Integer({ valueHex: serialBytes(o.number.toString(16)) }).toBER(),
        }),
      ],
    }),
  });
  // An empty list has no revokedCertificates field at all (RFC 5280, 5.1.2.6).
  if (o.entries.length > 0) {
    const seen = new Set<string>();
    crl.revokedCertificates = [];
    for (const e of o.entries) {
      const serial = canonicalSerial(e.serialNumber);
      if (seen.has(serial)) continue;
      seen.add(serial);
      crl.revokedCertificates.push(
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ valueHex: serialBytes(serial) }),
          revocationDate: time(e.revokedAt),
        }),
      );
    }
  }
  await crl.sign(signer.keys.privateKey, "SHA-256");
  return x509.PemConverter.encode(crl.toSchema(true).toBER(), "X509 CRL") + "\n";
}

const HASHES: Record<string, string> = {
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
};

function bad(message: string, cause?: unknown): PkiError {
  return new PkiError("PKI_BAD_REVOCATIONS", message, cause ? { cause } : undefined);
}

/** The DER bytes of tbsCertList as they were signed (re-encoding could change them). */
function signedPart(der: ArrayBuffer): Uint8Array {
  const parsed = asn1js.fromBER(der);
  const outer = parsed.result;
  if (parsed.offset === -1 || !(outer instanceof asn1js.Sequence)) throw bad("Not a DER CRL");
  const tbs = outer.valueBlock.value[0];
  if (!(tbs instanceof asn1js.Sequence)) throw bad("Not a DER CRL");
  return new Uint8Array(tbs.valueBeforeDecodeView);
}

/**
 * Reads a PEM CRL and checks it was issued and signed by `signerPem` (the signer CA
 * certificate); anything else is a {@link PkiError} (PKI_BAD_REVOCATIONS). Expiry
 * (nextUpdate) is reported, not enforced: an old list still revokes what it lists.
 */
export function readCrl(pem: string, signerPem: string): Crl {
  const block = /-----BEGIN (X509 )?CRL-----[\s\S]*?-----END (X509 )?CRL-----/.exec(pem);
  if (!block) throw bad("No PEM CRL (-----BEGIN X509 CRL-----)");
  let crl: x509.X509Crl;
  let entries: CrlEntry[];
  try {
    crl = new x509.X509Crl(block[0]);
    entries = crl.entries.map((e) => ({
      serialNumber: canonicalSerial(e.serialNumber),
      revokedAt: e.revocationDate,
    }));
  } catch (cause) {
    throw bad("Unreadable CRL", cause);
  }
  const signerBlock = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(signerPem);
  if (!signerBlock) throw bad("No signer CA certificate to check the CRL with");
  const signer = new x509.X509Certificate(signerBlock[0]);
  if (crl.issuer !== signer.subject) {
    throw bad(`Issued by "${crl.issuer}", not by the signer CA "${signer.subject}"`);
  }
  const hash = HASHES[(crl.signatureAlgorithm.hash as { name?: string } | undefined)?.name ?? ""];
  const kind = crl.signatureAlgorithm.name;
  if (!hash || (kind !== "ECDSA" && kind !== "RSASSA-PKCS1-v1_5")) {
    throw bad(`Unsupported signature algorithm: "${kind}"`);
  }
  let valid = false;
  try {
    const key = new NodeCertificate(signerBlock[0]).publicKey;
    valid = verifySignature(hash, signedPart(crl.rawData), key, new Uint8Array(crl.signature));
  } catch (cause) {
    if (cause instanceof PkiError) throw cause;
    throw bad("Signature cannot be checked against the signer CA", cause);
  }
  if (!valid) throw bad("Signature does not verify with the signer CA's key");
  const ext = crl.getExtension(OID_CRL_NUMBER);
  let number: bigint | null = null;
  if (ext) {
    const int = asn1js.fromBER(ext.value).result;
    if (!(int instanceof asn1js.Integer)) throw bad("Unreadable crlNumber");
    number = BigInt(`0x${toHex(int.valueBlock.valueHexView) || "0"}`);
  }
  return {
    number,
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate ?? null,
    entries,
    list: RevocationList.fromSerials(entries.map((e) => e.serialNumber)),
  };
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
