/**
 * Revocation in the certificates directory: `certs list` shows each certificate's state,
 * `certs revoke` appends entries to revoked.txt and signs crl.pem from it, `certs crl`
 * re-signs crl.pem. They read both files with the hub's own readers (lib/revocation.ts,
 * lib/crl.ts), so what they say is what the hub enforces.
 */
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { type Ca, type CertInfo, describeCert } from "../lib/pki.ts";
import { canonicalSerial, createCrl, type Crl, type CrlEntry, readCrl } from "../lib/crl.ts";
import { PkiError } from "../lib/pki_error.ts";
import { type PeerIdentity, RevocationList } from "../lib/revocation.ts";
import { serialMatcher } from "../lib/serial.ts";
import { CERT_FILES, exists, loadSigner, REVOKED_HEADER, signerKeyPath } from "./cert_dir.ts";

export type CertKind = "root" | "signer" | "server" | "device" | "viewer";

export interface CertListing extends CertInfo {
  kind: CertKind;
  revoked: boolean;
  path: string;
}

type Found = Omit<CertListing, "revoked"> & { issuer: string };

interface Revocations {
  /** revoked.txt as written; null when the file is missing. */
  text: string | null;
  /** revoked.txt's entries. */
  list: RevocationList;
  /** crl.pem, verified with the signer CA; null when missing. */
  crl: Crl | null;
  /** Both, as the hub enforces them. */
  all: RevocationList;
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** revoked.txt and crl.pem as the hub reads them; a file the hub would refuse is an error. */
async function readRevocations(dir: string): Promise<Revocations> {
  const { text, list } = await readRevokedList(dir);
  const crl = await readCrlFile(dir);
  return { text, list, crl, all: crl ? RevocationList.union(list, crl.list) : list };
}

/** revoked.txt, parsed by the hub's reader; absent is empty, malformed is an error. */
async function readRevokedList(
  dir: string,
): Promise<{ text: string | null; list: RevocationList }> {
  const path = join(dir, CERT_FILES.revoked);
  const text = await readOptional(path);
  try {
    return { text, list: text === null ? RevocationList.EMPTY : RevocationList.parse(text) };
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    // The hub refuses this file too (it will not start, or keeps its previous list).
    throw new PkiError(
      "PKI_BAD_REVOCATIONS",
      `Invalid revocation list: "${path}": ${err.message}`,
      {
        cause: err,
      },
    );
  }
}

async function readCrlFile(dir: string): Promise<Crl | null> {
  const path = join(dir, CERT_FILES.crl);
  const pem = await readOptional(path);
  if (pem === null) return null;
  const signerPath = join(dir, CERT_FILES.signerCa);
  const signerPem = await readOptional(signerPath);
  if (signerPem === null) {
    throw new PkiError("PKI_NO_CA", `No signer CA to check "${path}" with: "${signerPath}"`);
  }
  try {
    return readCrl(pem, signerPem);
  } catch (err) {
    if (!(err instanceof PkiError)) throw err;
    throw new PkiError(
      "PKI_BAD_REVOCATIONS",
      `Invalid CRL: "${path}": ${err.message}: run \`deno task certs crl\` to sign it anew`,
      { cause: err },
    );
  }
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

async function findCertificates(dir: string): Promise<Found[]> {
  const files: Array<[CertKind, string]> = [
    ["root", join(dir, CERT_FILES.rootCa)],
    ["signer", join(dir, CERT_FILES.signerCa)],
    ["server", join(dir, CERT_FILES.serverChain)],
    ...(await listDir(join(dir, "devices"), ".crt")).map((p): [CertKind, string] => ["device", p]),
    ...(await listDir(join(dir, "viewers"), ".crt")).map((p): [CertKind, string] => ["viewer", p]),
  ];
  const out: Found[] = [];
  for (const [kind, path] of files) {
    const pem = await readOptional(path);
    if (pem === null) continue;
    const { cn, serialNumber, fingerprint256, notAfter } = await describeCert(pem);
    const issuer = new x509.X509Certificate(x509.PemConverter.decode(pem)[0]).issuer;
    out.push({ kind, cn, serialNumber, fingerprint256, notAfter, path, issuer });
  }
  return out;
}

function isClient(c: Found): boolean {
  return c.kind === "device" || c.kind === "viewer";
}

/** Every certificate in `dir` (CAs, server, devices, viewers) with its revocation state. */
export async function listCertificates(dir: string): Promise<CertListing[]> {
  const { all } = await readRevocations(dir);
  // The hub checks client certificates only; a CA or server entry would never apply.
  return (await findCertificates(dir)).map((c) => ({
    kind: c.kind,
    cn: c.cn,
    serialNumber: c.serialNumber,
    fingerprint256: c.fingerprint256,
    notAfter: c.notAfter,
    revoked: isClient(c) && all.isRevoked(c),
    path: c.path,
  }));
}

/** What `certs revoke` and `certs crl` did to crl.pem. */
export type CrlOutcome =
  | { written: true; path: string; number: bigint; revoked: number }
  | { written: false; path: string; reason: "unchanged" | "no_signer_key"; keyPath?: string };

/**
 * Signs crl.pem from revoked.txt: every `serial:` entry, and the serial of every client
 * certificate here, issued by this signer CA, that an entry revokes. Revocation dates and
 * the CRL number carry on from the previous CRL; an unchanged list is not re-signed unless
 * `force`. Without the signer key (the hub's machine) the CRL is left as it is.
 */
async function publishCrl(
  dir: string,
  list: RevocationList,
  previous: Crl | null,
  force: boolean,
): Promise<CrlOutcome> {
  const path = join(dir, CERT_FILES.crl);
  const keyPath = await signerKeyPath(dir);
  if (!(await exists(keyPath))) return { written: false, path, reason: "no_signer_key", keyPath };
  const signer: Ca = await loadSigner(dir);
  const serials = new Set(list.serials);
  for (const c of (await findCertificates(dir)).filter(isClient)) {
    if (c.issuer === signer.cert.subject && list.isRevoked(c)) {
      serials.add(canonicalSerial(c.serialNumber));
    }
  }
  const before = new Map(previous?.entries.map((e) => [e.serialNumber, e.revokedAt]));
  const same = previous !== null && before.size === serials.size &&
    [...serials].every((s) => before.has(s));
  if (same && !force) return { written: false, path, reason: "unchanged" };
  const now = new Date();
  const entries: CrlEntry[] = [...serials].sort().map((serialNumber) => ({
    serialNumber,
    revokedAt: before.get(serialNumber) ?? now,
  }));
  const number = (previous?.number ?? 0n) + 1n;
  const pem = await createCrl(signer, { entries, number, thisUpdate: now });
  // Write a sibling then rename, so the hub never reads a half-written list.
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(tmp, pem, { mode: 0o644 });
  await Deno.rename(tmp, path);
  return { written: true, path, number, revoked: entries.length };
}

/**
 * `certs crl`: signs crl.pem anew from revoked.txt (a fresh nextUpdate, the next number).
 * Also the repair for a CRL that no longer verifies; its dates are then lost.
 */
export async function refreshCrl(dir: string): Promise<CrlOutcome & { replaced?: string }> {
  const { list } = await readRevokedList(dir);
  let previous: Crl | null = null;
  let replaced: string | undefined;
  try {
    previous = await readCrlFile(dir);
  } catch (err) {
    if (!(err instanceof PkiError) || err.code !== "PKI_BAD_REVOCATIONS") throw err;
    replaced = (err.cause as Error).message;
  }
  const outcome = await publishCrl(dir, list, previous, true);
  if (!outcome.written) {
    throw new PkiError(
      "PKI_NO_CA",
      `No signer CA key: "${outcome.keyPath}" is missing: sign the CRL where the CA key is`,
    );
  }
  return { ...outcome, replaced };
}

const FINGERPRINT = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;

function sameSerial(a: string, b: string): boolean {
  return canonicalSerial(a) === canonicalSerial(b);
}

/** Whether `list` already holds `entry` (one of ours: cn:, sha256: or serial:), by its rules. */
function listed(list: RevocationList, entry: string): boolean {
  const i = entry.indexOf(":");
  const kind = entry.slice(0, i), value = entry.slice(i + 1);
  const only: PeerIdentity = {
    cn: kind === "cn" ? value : "",
    fingerprint256: kind === "sha256" ? value : "",
    serialNumber: kind === "serial" ? value : "",
  };
  return list.isRevoked(only);
}

export interface RevokeResult {
  /** The first entry (the one that names the target). */
  entry: string;
  entries: string[];
  /** Entries appended (those whose certificate the list did not already revoke). */
  added: string[];
  /** Certificate files here that the entries revoke. */
  matched: string[];
  crl: CrlOutcome;
}

/**
 * Revokes `target` in `dir`: a viewer name or device serial with issued certificates here, a
 * certificate serial number or a SHA-256 fingerprint (hex, colons optional). Certificates
 * known here are revoked by serial number, so the name stays free for a new certificate;
 * `cn` (or a camera with no certificate file here) bans the name itself with a `cn:` entry.
 * Then crl.pem is signed anew when its list changed.
 */
export async function revoke(
  dir: string,
  target: string,
  opts: { cn?: boolean } = {},
): Promise<RevokeResult> {
  if (!(await exists(dir))) {
    throw new PkiError(
      "PKI_NO_CA",
      `No certificates directory: "${dir}": run \`deno task certs init\` first`,
    );
  }
  const certs = (await findCertificates(dir)).filter(isClient);
  const hex = target.replaceAll(":", "").toLowerCase();
  const isDevice = serialMatcher()(target);
  const cn = isDevice ? target.toUpperCase() : target;
  const bySerial = (found: Found[]) => [...new Set(found.map((c) => `serial:${c.serialNumber}`))];
  let entries: string[];
  let found: Found[];
  const byCn = certs.filter((c) => c.cn === cn);
  if (FINGERPRINT.test(hex) && !opts.cn) {
    found = certs.filter((c) => c.fingerprint256 === hex);
    // Unknown here: the fingerprint is all there is to go by.
    entries = found.length ? bySerial(found) : [`sha256:${hex}`];
  } else if (opts.cn) {
    if (!/^[^\s#][^\r\n]*$/.test(cn) || /\s#/.test(cn) || cn.length > 64) {
      throw new PkiError("PKI_BAD_NAME", `Invalid name to ban: "${target}"`);
    }
    found = byCn;
    entries = [`cn:${cn}`, ...bySerial(found)];
  } else if (byCn.length > 0) {
    found = byCn;
    entries = bySerial(found);
  } else if (HEX.test(hex) && certs.some((c) => sameSerial(c.serialNumber, hex))) {
    found = certs.filter((c) => sameSerial(c.serialNumber, hex));
    entries = bySerial(found);
  } else if (isDevice) {
    // Cameras usually get their certificate from the ATECC608 provisioning tool, not from us:
    // without its serial number here, the name is all there is to revoke.
    found = [];
    entries = [`cn:${cn}`];
  } else {
    throw new PkiError(
      "PKI_NOT_FOUND",
      `Nothing to revoke: "${target}": not a device serial, a known viewer, a certificate serial or a SHA-256 fingerprint`,
    );
  }
  const path = join(dir, CERT_FILES.revoked);
  const { text: onDisk, list, crl } = await readRevocations(dir);
  const current = onDisk ?? REVOKED_HEADER;
  const fresh = entries.filter((e) => {
    if (listed(list, e)) return false;
    // A certificate the list already revokes (by name or fingerprint) needs no serial line.
    const cert = e.startsWith("serial:") && found.find((c) => `serial:${c.serialNumber}` === e);
    return !(cert && list.isRevoked(cert));
  });
  const sep = current === "" || current.endsWith("\n") ? "" : "\n";
  const stamp = `# ${new Date().toISOString()} revoked ${target}\n`;
  const text = current + sep + (fresh.length ? stamp + fresh.join("\n") + "\n" : "");
  if (text !== current || onDisk === null) {
    // Write a sibling then rename, so the hub never reads a half-written list.
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(tmp, text, { mode: 0o644 });
    await Deno.rename(tmp, path);
  }
  const outcome = await publishCrl(dir, RevocationList.parse(text), crl, false);
  return {
    entry: entries[0],
    entries,
    added: fresh,
    matched: found.map((c) => c.path),
    crl: outcome,
  };
}
