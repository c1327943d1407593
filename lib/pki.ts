/**
 * trustcam's certificate authority: a root CA, a signer CA under it (the seed's rainbowtype
 * layout), a server certificate for the hub and client certificates for devices and viewers.
 * ECDSA P-256 + SHA-256 throughout, since that is all the ATECC608 on the cameras speaks, and
 * X.509 v3 throughout, since rustls refuses v1 certificates.
 *
 * Generation functions are pure (WebCrypto only); the functions below "Certs directory" read
 * and write the files the hub loads.
 */
import * as x509 from "@peculiar/x509";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { join } from "node:path";
import { toPkcs12 } from "./pkcs12.ts";
import { DEFAULT_SERIAL_PATTERN, serialMatcher } from "./serial.ts";

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

export type PkiErrorCode =
  | "PKI_EXISTS"
  | "PKI_NO_CA"
  | "PKI_BAD_NAME"
  | "PKI_BAD_SERIAL"
  | "PKI_BAD_HOST"
  | "PKI_BAD_KEY"
  | "PKI_NOT_FOUND";

/** A PKI failure with a stable code; the message is meant for the operator. */
export class PkiError extends Error {
  override name = "PkiError";
  readonly code: PkiErrorCode;
  constructor(code: PkiErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
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

// ---------------------------------------------------------------------------------------------
// Certs directory

/** File names in a certs directory; the first four are the seed's (what the hub reads). */
export const CERT_FILES = {
  serverKey: "server.key",
  serverChain: "server.chain",
  signerCa: "signer-ca.crt",
  rootCa: "root-ca.crt",
  rootKey: "root-ca.key",
  signerKey: "signer-ca.key",
  revoked: "revoked.txt",
} as const;

export const DEFAULT_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;

const REVOKED_HEADER = `# trustcam revocation list: the hub re-reads this file when it changes.
# One entry per line: cn:<common name>, sha256:<certificate fingerprint>, serial:<cert serial>.
`;

/** Whether a path exists (a dangling link counts); other errors propagate. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

async function writePublic(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text, { mode: 0o644 });
}

/** Private keys are 0600; chmod too, since `mode` only applies when the file is created. */
export async function writeSecret(path: string, data: string | Uint8Array): Promise<void> {
  if (typeof data === "string") await Deno.writeTextFile(path, data, { mode: 0o600 });
  else await Deno.writeFile(path, data, { mode: 0o600 });
  await Deno.chmod(path, 0o600);
}

/**
 * Creates a root CA, a signer CA and the hub's server certificate in `dir`. Refuses to replace
 * an existing root CA (every issued certificate would stop working) unless `force`.
 */
export async function initPki(
  dir: string,
  opts: { hosts?: string[]; force?: boolean } = {},
): Promise<{ created: string[] }> {
  if (!opts.force) {
    for (const f of [CERT_FILES.rootCa, CERT_FILES.rootKey]) {
      const path = join(dir, f);
      if (await exists(path)) {
        throw new PkiError(
          "PKI_EXISTS",
          `CA already exists: "${path}": pass --force to replace it (every issued certificate stops working)`,
        );
      }
    }
  }
  const hosts = [...new Set([...DEFAULT_HOSTS, ...(opts.hosts ?? [])])];
  hosts.forEach(hostToSan); // fail on a bad host before writing anything
  const root = await createRootCa();
  const signer = await createSignerCa(root);
  const server = await issueServer(signer, { hosts });
  return { created: await writePki(dir, root, signer, server) };
}

/** Writes the CA pair and the server certificate under the names the hub reads. */
export async function writePki(
  dir: string,
  root: Ca,
  signer: Ca,
  server: IssuedCert,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const created: string[] = [];
  const put = async (f: string, text: string, secret: boolean) => {
    const path = join(dir, f);
    await (secret ? writeSecret(path, text) : writePublic(path, text));
    created.push(path);
  };
  await put(CERT_FILES.rootKey, root.keyPem, true);
  await put(CERT_FILES.rootCa, root.certPem, false);
  await put(CERT_FILES.signerKey, signer.keyPem, true);
  await put(CERT_FILES.signerCa, signer.certPem, false);
  await put(CERT_FILES.serverKey, server.keyPem, true);
  await put(CERT_FILES.serverChain, server.chainPem, false);
  if (!(await exists(join(dir, CERT_FILES.revoked)))) {
    await put(CERT_FILES.revoked, REVOKED_HEADER, false);
  }
  return created;
}

/** The signer CA of `dir`, ready to issue certificates. */
export async function loadSigner(dir: string): Promise<Ca> {
  const certPath = join(dir, CERT_FILES.signerCa);
  const keyPath = join(dir, CERT_FILES.signerKey);
  const read = async (path: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new PkiError(
          "PKI_NO_CA",
          `No signer CA: "${path}" is missing: run \`deno task certs init\` first`,
        );
      }
      throw err;
    }
  };
  return await loadCa(await read(certPath), await read(keyPath));
}

async function writeLeaf(
  dir: string,
  base: string,
  cert: IssuedCert,
  force: boolean,
): Promise<{ certPath: string; keyPath: string; chainPath: string }> {
  const certPath = `${base}.crt`, keyPath = `${base}.key`, chainPath = `${base}.chain`;
  if (!force && await exists(certPath)) {
    throw new PkiError(
      "PKI_EXISTS",
      `Certificate already exists: "${certPath}": revoke it first or pass --force to replace it`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  await writeSecret(keyPath, cert.keyPem);
  await writePublic(certPath, cert.certPem);
  await writePublic(chainPath, cert.chainPem);
  return { certPath, keyPath, chainPath };
}

/** Issues a device client certificate; the CN is the upper-cased ATECC608 serial. */
export async function issueDevice(
  dir: string,
  serial: string,
  opts: { force?: boolean } = {},
): Promise<{ cert: IssuedCert; certPath: string; keyPath: string; chainPath: string }> {
  if (!serialMatcher()(serial)) {
    throw new PkiError(
      "PKI_BAD_SERIAL",
      `Invalid device serial: "${serial}": must match ${DEFAULT_SERIAL_PATTERN}`,
    );
  }
  const cn = serial.toUpperCase();
  const signer = await loadSigner(dir);
  const cert = await issueClient(signer, { cn });
  const sub = join(dir, "devices");
  return { cert, ...await writeLeaf(sub, join(sub, cn), cert, opts.force ?? false) };
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

function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

/** Issues a viewer client certificate plus a password-protected .p12 for browsers. */
export async function issueViewer(
  dir: string,
  viewer: string,
  opts: { force?: boolean } = {},
): Promise<{
  cert: IssuedCert;
  certPath: string;
  keyPath: string;
  chainPath: string;
  p12Path: string;
  password: string;
}> {
  validateViewerName(viewer);
  const signer = await loadSigner(dir);
  const cert = await issueClient(signer, { cn: viewer });
  const sub = join(dir, "viewers");
  const paths = await writeLeaf(sub, join(sub, viewer), cert, opts.force ?? false);
  const password = randomPassword();
  let rootPem: string | undefined;
  try {
    rootPem = await Deno.readTextFile(join(dir, CERT_FILES.rootCa));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const p12 = await toPkcs12(cert, password, { friendlyName: `trustcam ${viewer}`, rootPem });
  const p12Path = join(sub, `${viewer}.p12`);
  await writeSecret(p12Path, p12);
  return { cert, ...paths, p12Path, password };
}

// ---------------------------------------------------------------------------------------------
// Listing and revocation

export type CertKind = "root" | "signer" | "server" | "device" | "viewer";

export interface CertListing {
  kind: CertKind;
  cn: string;
  serialNumber: string;
  fingerprint256: string;
  notAfter: Date;
  revoked: boolean;
  path: string;
}

interface RevokedSet {
  cn: Set<string>;
  sha256: Set<string>;
  serial: Set<string>;
}

async function readRevoked(dir: string): Promise<RevokedSet> {
  const set: RevokedSet = { cn: new Set(), sha256: new Set(), serial: new Set() };
  let text = "";
  try {
    text = await Deno.readTextFile(join(dir, CERT_FILES.revoked));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const i = line.indexOf(":");
    const kind = line.slice(0, i), value = line.slice(i + 1);
    if (kind === "cn") set.cn.add(value);
    else if (kind === "sha256") set.sha256.add(value.toLowerCase());
    else if (kind === "serial") set.serial.add(value.toLowerCase());
  }
  return set;
}

function cnOf(cert: x509.X509Certificate): string {
  return cert.subjectName.getField("CN")[0] ?? "";
}

async function listDir(path: string, ext: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(path)) {
      if (e.isFile && e.name.endsWith(ext)) out.push(join(path, e.name));
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort();
}

/** Every certificate in `dir` (CAs, server, devices, viewers) with its revocation state. */
export async function listCertificates(dir: string): Promise<CertListing[]> {
  const revoked = await readRevoked(dir);
  const files: Array<[CertKind, string]> = [
    ["root", join(dir, CERT_FILES.rootCa)],
    ["signer", join(dir, CERT_FILES.signerCa)],
    ["server", join(dir, CERT_FILES.serverChain)],
    ...(await listDir(join(dir, "devices"), ".crt")).map((p): [CertKind, string] => ["device", p]),
    ...(await listDir(join(dir, "viewers"), ".crt")).map((p): [CertKind, string] => ["viewer", p]),
  ];
  const out: CertListing[] = [];
  for (const [kind, path] of files) {
    let pem: string;
    try {
      pem = await Deno.readTextFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    // A chain file lists the leaf first.
    const cert = new x509.X509Certificate(x509.PemConverter.decode(pem)[0]);
    const cn = cnOf(cert);
    const fingerprint256 = await fingerprintOf(cert);
    const serialNumber = cert.serialNumber.toLowerCase();
    out.push({
      kind,
      cn,
      serialNumber,
      fingerprint256,
      notAfter: cert.notAfter,
      revoked: (kind === "device" || kind === "viewer") &&
        (revoked.cn.has(cn) || revoked.sha256.has(fingerprint256) ||
          revoked.serial.has(serialNumber)),
      path,
    });
  }
  return out;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;

function sameSerial(a: string, b: string): boolean {
  return a.replace(/^0+/, "") === b.replace(/^0+/, "");
}

/**
 * Adds `target` to `dir`/revoked.txt. The target is a CN (device serial or viewer name), a
 * certificate serial number or a SHA-256 fingerprint (hex, colons optional). A CN with issued
 * certificates here also gets their fingerprints added. `added` leaves out entries already listed.
 */
export async function revoke(
  dir: string,
  target: string,
): Promise<{ entry: string; entries: string[]; added: string[]; matched: string[] }> {
  if (!(await exists(dir))) {
    throw new PkiError(
      "PKI_NO_CA",
      `No certificates directory: "${dir}": run \`deno task certs init\` first`,
    );
  }
  const certs = (await listCertificates(dir)).filter((c) =>
    c.kind === "device" || c.kind === "viewer"
  );
  const hex = target.replaceAll(":", "").toLowerCase();
  const isDevice = serialMatcher()(target);
  const cn = isDevice ? target.toUpperCase() : target;
  let entries: string[];
  let matched: string[];
  const byCn = certs.filter((c) => c.cn === cn);
  if (FINGERPRINT.test(hex)) {
    entries = [`sha256:${hex}`];
    matched = certs.filter((c) => c.fingerprint256 === hex).map((c) => c.path);
  } else if (byCn.length > 0) {
    entries = [`cn:${cn}`, ...byCn.map((c) => `sha256:${c.fingerprint256}`)];
    matched = byCn.map((c) => c.path);
  } else if (HEX.test(hex) && certs.some((c) => sameSerial(c.serialNumber, hex))) {
    const bySerial = certs.filter((c) => sameSerial(c.serialNumber, hex));
    entries = [`serial:${bySerial[0].serialNumber}`];
    matched = bySerial.map((c) => c.path);
  } else if (isDevice) {
    // Cameras usually get their certificate from the ATECC608 provisioning tool, not from us.
    entries = [`cn:${cn}`];
    matched = [];
  } else {
    throw new PkiError(
      "PKI_NOT_FOUND",
      `Nothing to revoke: "${target}": not a device serial, a known viewer, a certificate serial or a SHA-256 fingerprint`,
    );
  }
  const path = join(dir, CERT_FILES.revoked);
  let current = "";
  try {
    current = await Deno.readTextFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    current = REVOKED_HEADER;
  }
  const have = new Set(current.split("\n").map((l) => l.trim()));
  const fresh = entries.filter((e) => !have.has(e));
  const sep = current === "" || current.endsWith("\n") ? "" : "\n";
  const stamp = `# ${new Date().toISOString()} revoked ${target}\n`;
  const text = current + sep + (fresh.length ? stamp + fresh.join("\n") + "\n" : "");
  if (text !== current || !(await exists(path))) {
    // Write a sibling then rename, so the hub never reads a half-written list.
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(tmp, text, { mode: 0o644 });
    await Deno.rename(tmp, path);
  }
  return { entry: entries[0], entries, added: fresh, matched };
}
