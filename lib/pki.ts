/**
 * trustcam's certificate authority: a root CA, a signer CA under it (the seed's rainbowtype
 * layout), a server certificate for the hub and client certificates for devices and viewers.
 * ECDSA P-256 + SHA-256 throughout, since that is all the ATECC608 on the cameras speaks, and
 * X.509 v3 throughout, since rustls refuses v1 certificates.
 *
 * Pure (WebCrypto only): cli/cert_dir.ts reads and writes the files the hub loads.
 */
import * as x509 from "@peculiar/x509";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { DEFAULT_SERIAL_PATTERN, serialMatcher } from "./serial.ts";
import { PkiError } from "./pki_error.ts";

x509.cryptoProvider.set(crypto);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;
// Clients and servers whose clocks run a little behind must still accept a fresh certificate.
const BACKDATE_MS = 5 * 60_000;

export interface Ca {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  certPem: string;
  /** PKCS#8 PEM */
  keyPem: string;
}

export interface IssuedCert {
  cn: string;
  certPem: string;
  keyPem: string;
  /** leaf + signer CA */
  chainPem: string;
  /** lower-case hex, no colons */
  fingerprint256: string;
  /** lower-case hex */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

// ---------------------------------------------------------------------------------------------
// Generation

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // Positive and exactly 16 bytes in DER: top bit clear, first byte non-zero.
  bytes[0] = (bytes[0] & 0x7f) || 0x01;
  return toHex(bytes);
}

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function name(cn: string, org?: string): x509.JsonName {
  return org ? [{ CN: [cn] }, { O: [org] }] : [{ CN: [cn] }];
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]) as CryptoKeyPair;
}

async function keyToPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY") + "\n";
}

function certToPem(cert: x509.X509Certificate): string {
  return cert.toString("pem") + "\n";
}

function validity(days: number, notBefore?: Date, notAfter?: Date): { from: Date; to: Date } {
  const from = notBefore ?? new Date(Date.now() - BACKDATE_MS);
  const to = notAfter ?? new Date(from.getTime() + BACKDATE_MS + days * DAY_MS);
  return { from, to };
}

/** The issuer's key id as its own certificate states it, so chains built by other tools link. */
async function authorityKeyId(ca: Ca): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey);
}

async function caFrom(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<Ca> {
  return { cert, keys, certPem: certToPem(cert), keyPem: await keyToPem(keys.privateKey) };
}

function caExtensions(pathLength?: number): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
      true,
    ),
  ];
}

/** A self-signed root CA. */
export async function createRootCa(opts: { cn?: string; days?: number } = {}): Promise<Ca> {
  const keys = await generateKeys();
  const { from, to } = validity(opts.days ?? 3650);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: name(opts.cn ?? "trustcam root CA", "trustcam"),
    notBefore: from,
    notAfter: to,
    signingAlgorithm: ALG,
    keys,
    extensions: [
      ...caExtensions(),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return await caFrom(cert, keys);
}

/** An intermediate CA under `root` that signs every leaf (the seed's "signer CA"). */
export async function createSignerCa(
  root: Ca,
  opts: { cn?: string; days?: number } = {},
): Promise<Ca> {
  const keys = await generateKeys();
  const { from, to } = validity(opts.days ?? 1825);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name(opts.cn ?? "trustcam signer CA", "trustcam"),
    issuer: root.cert.subjectName,
    notBefore: from,
    notAfter: to,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: root.keys.privateKey,
    extensions: [
      ...caExtensions(0),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await authorityKeyId(root),
    ],
  });
  return await caFrom(cert, keys);
}

interface LeafOpts {
  cn: string;
  usage: "serverAuth" | "clientAuth";
  sans?: x509.JsonGeneralName[];
  days: number;
  notBefore?: Date;
  notAfter?: Date;
}

async function issueLeaf(signer: Ca, opts: LeafOpts): Promise<IssuedCert> {
  const keys = await generateKeys();
  const { from, to } = validity(opts.days, opts.notBefore, opts.notAfter);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage[opts.usage]], false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await authorityKeyId(signer),
  ];
  if (opts.sans?.length) extensions.push(new x509.SubjectAlternativeNameExtension(opts.sans));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name(opts.cn),
    issuer: signer.cert.subjectName,
    notBefore: from,
    notAfter: to,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    extensions,
  });
  const certPem = certToPem(cert);
  return {
    cn: opts.cn,
    certPem,
    keyPem: await keyToPem(keys.privateKey),
    chainPem: certPem + signer.certPem,
    fingerprint256: await fingerprintOf(cert),
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
const DNS_NAME =
  /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function hostToSan(host: string): x509.JsonGeneralName {
  if (IPV4.test(host)) return { type: "ip", value: host };
  if (host.includes(":")) {
    const bare = host.replace(/^\[|\]$/g, "");
    if (IPV6.test(bare) && bare.split("::").length <= 2) return { type: "ip", value: bare };
    throw new PkiError("PKI_BAD_HOST", `Invalid host: "${host}": not an IPv6 address`);
  }
  if (host.length <= 253 && DNS_NAME.test(host)) return { type: "dns", value: host };
  throw new PkiError("PKI_BAD_HOST", `Invalid host: "${host}": not a DNS name or IP address`);
}

/** Checks a server certificate host, so a caller can fail before it writes anything. */
export function validateHost(host: string): void {
  hostToSan(host);
}

/** The hub's TLS certificate; every host becomes a SAN, the first one also the CN. */
export async function issueServer(
  signer: Ca,
  opts: { hosts: string[]; days?: number },
): Promise<IssuedCert> {
  const hosts = [...new Set(opts.hosts)];
  if (hosts.length === 0) throw new PkiError("PKI_BAD_HOST", "A server certificate needs a host");
  return await issueLeaf(signer, {
    cn: hosts[0],
    usage: "serverAuth",
    sans: hosts.map(hostToSan),
    days: opts.days ?? 825,
  });
}

/** A TLS client certificate (device or viewer; the CN decides which, see docs/protocol.md). */
export async function issueClient(
  signer: Ca,
  opts: { cn: string; days?: number; notBefore?: Date; notAfter?: Date },
): Promise<IssuedCert> {
  if (opts.cn.length === 0 || opts.cn.length > 64) {
    throw new PkiError("PKI_BAD_NAME", `Invalid common name: "${opts.cn}": 1 to 64 characters`);
  }
  return await issueLeaf(signer, {
    cn: opts.cn,
    usage: "clientAuth",
    days: opts.days ?? 825,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
  });
}

/** SHA-256 of the DER certificate, lower-case hex without colons. */
export async function fingerprintOf(cert: x509.X509Certificate): Promise<string> {
  return toHex(await cert.getThumbprint("SHA-256"));
}

/** What `certs list` shows of a certificate, in the forms revocation entries use. */
export interface CertInfo {
  cn: string;
  /** lower-case hex */
  serialNumber: string;
  /** lower-case hex, no colons */
  fingerprint256: string;
  notAfter: Date;
}

/** Describes the first certificate of `pem` (a chain file lists the leaf first). */
export async function describeCert(pem: string): Promise<CertInfo> {
  const cert = new x509.X509Certificate(x509.PemConverter.decode(pem)[0]);
  return {
    cn: cert.subjectName.getField("CN")[0] ?? "",
    serialNumber: cert.serialNumber.toLowerCase(),
    fingerprint256: await fingerprintOf(cert),
    notAfter: cert.notAfter,
  };
}

/** Reads a CA from PEM; the key may be PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"). */
export async function loadCa(certPem: string, keyPem: string): Promise<Ca> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
  } catch (cause) {
    throw new PkiError("PKI_BAD_KEY", "Invalid CA certificate: not a PEM certificate", { cause });
  }
  const privateKey = await importPrivateKey(keyPem);
  const publicKey = await cert.publicKey.export(ALG, ["verify"]);
  // A mismatched key would sign certificates that nothing can verify; catch it here.
  const probe = new Uint8Array([1, 2, 3]);
  const sig = await crypto.subtle.sign(ALG, privateKey, probe);
  if (!(await crypto.subtle.verify(ALG, publicKey, sig, probe))) {
    throw new PkiError(
      "PKI_BAD_KEY",
      `CA key does not match certificate: "${cert.subject}"`,
    );
  }
  return {
    cert,
    keys: { privateKey, publicKey },
    certPem: certToPem(cert),
    keyPem: await keyToPem(privateKey),
  };
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const m = /-----BEGIN ((?:EC )?PRIVATE KEY)-----/.exec(pem);
  if (!m) throw new PkiError("PKI_BAD_KEY", "Invalid CA key: no PRIVATE KEY PEM block");
  let der = x509.PemConverter.decode(pem)[0];
  if (m[1] === "EC PRIVATE KEY") der = sec1ToPkcs8(der);
  try {
    return await crypto.subtle.importKey("pkcs8", der, ALG, true, ["sign"]);
  } catch (cause) {
    throw new PkiError("PKI_BAD_KEY", "Invalid CA key: not an ECDSA P-256 private key", { cause });
  }
}

/** openssl's `ecparam -genkey` writes SEC1 keys; WebCrypto only imports PKCS#8. */
function sec1ToPkcs8(der: ArrayBuffer): ArrayBuffer {
  const info = new pkijs.PrivateKeyInfo({
    privateKeyAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: "1.2.840.10045.2.1",
      algorithmParams: new asn1js.ObjectIdentifier({ value: "1.2.840.10045.3.1.7" }),
    }),
    privateKey: new asn1js.OctetString({ valueHex: der }),
  });
  return info.toSchema().toBER(false);
}

const VIEWER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** Checks a viewer name; it must not look like a device serial or the hub would take it for one. */
export function validateViewerName(viewer: string): void {
  if (!VIEWER_NAME.test(viewer) || viewer === "." || viewer === "..") {
    throw new PkiError(
      "PKI_BAD_NAME",
      `Invalid viewer name: "${viewer}": 1 to 64 characters of A-Z a-z 0-9 . _ @ -`,
    );
  }
  if (serialMatcher()(viewer)) {
    throw new PkiError(
      "PKI_BAD_NAME",
      `Invalid viewer name: "${viewer}": it matches the device pattern ${DEFAULT_SERIAL_PATTERN}`,
    );
  }
}
