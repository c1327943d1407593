/**
 * Revocation in the certificates directory: `certs list` shows each certificate's state and
 * `certs revoke` appends entries to revoked.txt. Both read the file with the hub's own
 * reader (lib/revocation.ts), so what they say is what the hub enforces.
 */
import { join } from "node:path";
import { type CertInfo, describeCert } from "../lib/pki.ts";
import { PkiError } from "../lib/pki_error.ts";
import { type PeerIdentity, RevocationList } from "../lib/revocation.ts";
import { serialMatcher } from "../lib/serial.ts";
import { CERT_FILES, exists, REVOKED_HEADER } from "./cert_dir.ts";

export type CertKind = "root" | "signer" | "server" | "device" | "viewer";

export interface CertListing extends CertInfo {
  kind: CertKind;
  revoked: boolean;
  path: string;
}

type Found = Omit<CertListing, "revoked">;

/** revoked.txt as the hub reads it; `text` is null when the file is missing. */
async function readRevocations(
  dir: string,
): Promise<{ text: string | null; list: RevocationList }> {
  const path = join(dir, CERT_FILES.revoked);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { text: null, list: RevocationList.EMPTY };
    throw err;
  }
  try {
    return { text, list: RevocationList.parse(text) };
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
    let pem: string;
    try {
      pem = await Deno.readTextFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    const { cn, serialNumber, fingerprint256, notAfter } = await describeCert(pem);
    out.push({ kind, cn, serialNumber, fingerprint256, notAfter, path });
  }
  return out;
}

function isClient(c: Found): boolean {
  return c.kind === "device" || c.kind === "viewer";
}

/** Every certificate in `dir` (CAs, server, devices, viewers) with its revocation state. */
export async function listCertificates(dir: string): Promise<CertListing[]> {
  const { list } = await readRevocations(dir);
  // The hub checks client certificates only; a CA or server entry would never apply.
  return (await findCertificates(dir)).map((c) => ({
    kind: c.kind,
    cn: c.cn,
    serialNumber: c.serialNumber,
    fingerprint256: c.fingerprint256,
    notAfter: c.notAfter,
    revoked: isClient(c) && list.isRevoked(c),
    path: c.path,
  }));
}

const FINGERPRINT = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;

function sameSerial(a: string, b: string): boolean {
  return a.replace(/^0+/, "") === b.replace(/^0+/, "");
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

/**
 * Adds `target` to `dir`/revoked.txt. The target is a CN (device serial or viewer name), a
 * certificate serial number or a SHA-256 fingerprint (hex, colons optional). A CN with issued
 * certificates here also gets their fingerprints added. `added` leaves out entries the list
 * already holds, judged as the hub judges them.
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
  const certs = (await findCertificates(dir)).filter(isClient);
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
  const { text: onDisk, list } = await readRevocations(dir);
  const current = onDisk ?? REVOKED_HEADER;
  const fresh = entries.filter((e) => !listed(list, e));
  const sep = current === "" || current.endsWith("\n") ? "" : "\n";
  const stamp = `# ${new Date().toISOString()} revoked ${target}\n`;
  const text = current + sep + (fresh.length ? stamp + fresh.join("\n") + "\n" : "");
  if (text !== current || onDisk === null) {
    // Write a sibling then rename, so the hub never reads a half-written list.
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(tmp, text, { mode: 0o644 });
    await Deno.rename(tmp, path);
  }
  return { entry: entries[0], entries, added: fresh, matched };
}
