/**
 * The certificates directory: the files the hub loads (server key and chain, the CAs,
 * revoked.txt, crl.pem) and the device and viewer certificates `deno task certs` issues into
 * it. The CA private keys live apart, in its `ca/` subdirectory, which the hub never reads.
 * The certificates themselves come from lib/pki.ts; this module only reads and writes files.
 */
import { dirname, join } from "node:path";
import {
  type Ca,
  createRootCa,
  createSignerCa,
  issueClient,
  type IssuedCert,
  issueServer,
  loadCa,
  validateHost,
  validateViewerName,
} from "../lib/pki.ts";
import { createCrl } from "../lib/crl.ts";
import { RevocationList } from "../lib/revocation.ts";
import { PkiError } from "../lib/pki_error.ts";
import { toPkcs12 } from "../lib/pkcs12.ts";
import { DEFAULT_SERIAL_PATTERN, serialMatcher } from "../lib/serial.ts";

/**
 * File names in a certs directory; the first four are the seed's. The hub reads those, the
 * revocation list and the CRL; the CA keys sit in `ca/`, out of its way.
 */
export const CERT_FILES = {
  serverKey: "server.key",
  serverChain: "server.chain",
  signerCa: "signer-ca.crt",
  rootCa: "root-ca.crt",
  rootKey: "ca/root-ca.key",
  signerKey: "ca/signer-ca.key",
  revoked: "revoked.txt",
  crl: "crl.pem",
} as const;

/** Where CA keys used to be (and where the seed's users put the signer key): the hub's dir. */
export const LEGACY_CA_KEYS = {
  rootKey: "root-ca.key",
  signerKey: "signer-ca.key",
} as const;

export const DEFAULT_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;

export const REVOKED_HEADER =
  `# trustcam revocation list: the hub re-reads this file when it changes.
# One entry per line: serial:<cert serial>, sha256:<certificate fingerprint>, cn:<common name>.
# A cn: line bans the name for good. \`deno task certs revoke\` also signs crl.pem from this list.
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
    for (const f of [CERT_FILES.rootCa, CERT_FILES.rootKey, LEGACY_CA_KEYS.rootKey]) {
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
  hosts.forEach(validateHost); // fail on a bad host before writing anything
  const root = await createRootCa();
  const signer = await createSignerCa(root);
  const server = await issueServer(signer, { hosts });
  return { created: await writePki(dir, root, signer, server) };
}

/**
 * Writes the CA pair and the server certificate under the names the hub reads, the CA keys
 * under `ca/`, and an empty CRL signed by the new signer CA.
 */
export async function writePki(
  dir: string,
  root: Ca,
  signer: Ca,
  server: IssuedCert,
): Promise<string[]> {
  await Deno.mkdir(join(dir, "ca"), { recursive: true, mode: 0o700 });
  await Deno.chmod(join(dir, "ca"), 0o700);
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
  // A CRL from a replaced CA would not verify; the new CA starts with an empty one.
  await put(CERT_FILES.crl, await createCrl(signer, { entries: [], number: 1n }), false);
  // Keys of a replaced CA left where the hub reads would stop it from starting.
  for (const f of Object.values(LEGACY_CA_KEYS)) {
    await Deno.remove(join(dir, f)).catch(ignoreMissing);
  }
  return created;
}

function ignoreMissing(err: unknown): void {
  if (!(err instanceof Deno.errors.NotFound)) throw err;
}

/**
 * Moves CA keys from where earlier versions wrote them (the hub's directory) to `ca/`, so
 * an existing dev PKI keeps working once the hub refuses CA keys beside its own files.
 * Returns the moves made; an identical copy already in `ca/` just replaces the old file.
 */
export async function moveCaKeys(dir: string): Promise<Array<{ from: string; to: string }>> {
  const moved: Array<{ from: string; to: string }> = [];
  for (const k of ["rootKey", "signerKey"] as const) {
    const from = join(dir, LEGACY_CA_KEYS[k]), to = join(dir, CERT_FILES[k]);
    if (!(await exists(from))) continue;
    if (await exists(to)) {
      if ((await Deno.readTextFile(from)) !== (await Deno.readTextFile(to))) {
        throw new PkiError(
          "PKI_EXISTS",
          `Two different CA keys: "${from}" and "${to}": keep the right one in "${dirname(to)}"`,
        );
      }
      await Deno.remove(from);
    } else {
      await Deno.mkdir(dirname(to), { recursive: true, mode: 0o700 });
      await Deno.rename(from, to);
    }
    moved.push({ from, to });
  }
  return moved;
}

/** The signer CA's key file in `dir`: `ca/signer-ca.key`, or where earlier versions put it. */
export async function signerKeyPath(dir: string): Promise<string> {
  const legacy = join(dir, LEGACY_CA_KEYS.signerKey);
  const current = join(dir, CERT_FILES.signerKey);
  return !(await exists(current)) && await exists(legacy) ? legacy : current;
}

/** The signer CA of `dir`, ready to issue certificates. */
export async function loadSigner(dir: string): Promise<Ca> {
  const certPath = join(dir, CERT_FILES.signerCa);
  const keyPath = await signerKeyPath(dir);
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

/**
 * A `cn:` entry bans a name for good (`certs revoke --cn`): a certificate issued to it would
 * be refused the moment it is used, so refuse to issue it and say why.
 */
async function refuseBannedName(dir: string, cn: string): Promise<void> {
  const path = join(dir, CERT_FILES.revoked);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  let list: RevocationList;
  try {
    list = RevocationList.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new PkiError(
      "PKI_BAD_REVOCATIONS",
      `Invalid revocation list: "${path}": ${err.message}`,
      {
        cause: err,
      },
    );
  }
  if (list.isRevoked({ cn, fingerprint256: "", serialNumber: "" })) {
    throw new PkiError(
      "PKI_BANNED",
      `Name revoked for good: "${cn}": "${path}" bans it (a cn: line); a certificate issued to it would be refused. Remove that line first if the ban should end`,
    );
  }
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
  await refuseBannedName(dir, cn);
  const signer = await loadSigner(dir);
  const cert = await issueClient(signer, { cn });
  const sub = join(dir, "devices");
  return { cert, ...await writeLeaf(sub, join(sub, cn), cert, opts.force ?? false) };
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
  await refuseBannedName(dir, viewer);
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
