/**
 * Reads the hub's certificates under the seed's file names and checks them before listening,
 * so a wrong file stops start-up with one message naming it instead of failing handshakes.
 * A CA private key beside them is refused: the hub never needs one, and whoever reads the
 * hub's directory (a container volume, a backup) must not be able to issue certificates.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { HubStartError } from "./start_error.ts";

export const TLS_FILES = {
  key: "server.key",
  chain: "server.chain",
  signer: "signer-ca.crt",
  root: "root-ca.crt",
} as const;

export interface TlsMaterial {
  key: string;
  chain: string;
  ca: string[];
  /** The server certificate's notAfter, for the start-up banner. */
  serverNotAfter: Date;
}

function read(dir: string, name: string): string {
  const path = `${dir}/${name}`;
  try {
    return Deno.readTextFileSync(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "missing"
      : err instanceof Deno.errors.PermissionDenied
      ? "not readable"
      : (err as Error).message;
    throw new HubStartError(`Cannot read "${path}": ${why}`, path, { cause: err });
  }
}

function certs(pem: string, path: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new HubStartError(`No PEM certificate in "${path}"`, path);
  }
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch (cause) {
      throw new HubStartError(`Unreadable certificate in "${path}"`, path, { cause });
    }
  });
}

/** CA keys as earlier versions (and the seed's instructions) left them in the hub's dir. */
export const CA_KEY_FILES = ["root-ca.key", "signer-ca.key"] as const;

/** Where a CA key belongs instead: `ca/` beside the hub's files, or another machine. */
function refuseCaKeys(dir: string): void {
  for (const name of CA_KEY_FILES) {
    const path = `${dir}/${name}`;
    let found = false;
    try {
      Deno.lstatSync(path);
      found = true;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (found) {
      throw new HubStartError(
        `CA private key in the hub's certificates directory: "${path}": move it to ` +
          `"${dir}/ca/${name}" (\`deno task start\` in demo mode does it for a dev PKI) or off ` +
          "this machine; the hub needs only server.key, server.chain, signer-ca.crt and root-ca.crt",
        path,
      );
    }
  }
}

export function loadTlsMaterial(dir: string, now = new Date()): TlsMaterial {
  refuseCaKeys(dir);
  const keyPath = `${dir}/${TLS_FILES.key}`;
  const chainPath = `${dir}/${TLS_FILES.chain}`;
  const key = read(dir, TLS_FILES.key);
  const chain = read(dir, TLS_FILES.chain);
  const signer = read(dir, TLS_FILES.signer);
  const root = read(dir, TLS_FILES.root);

  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (cause) {
    throw new HubStartError(`Unreadable private key in "${keyPath}"`, keyPath, { cause });
  }
  const [leaf, ...rest] = certs(chain, chainPath);
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new HubStartError(
      `Key "${keyPath}" does not match the first certificate in "${chainPath}"`,
      keyPath,
    );
  }
  const notAfter = new Date(leaf.validTo);
  if (notAfter < now) {
    throw new HubStartError(
      `Server certificate in "${chainPath}" expired on ${notAfter.toISOString()}`,
      chainPath,
    );
  }
  const signerPath = `${dir}/${TLS_FILES.signer}`;
  const rootPath = `${dir}/${TLS_FILES.root}`;
  const [signerCert] = certs(signer, signerPath);
  const [rootCert] = certs(root, rootPath);
  if (!signerCert.checkIssued(rootCert) || !signerCert.verify(rootCert.publicKey)) {
    throw new HubStartError(
      `Signer CA "${signerPath}" is not issued by the root CA "${rootPath}"`,
      signerPath,
    );
  }
  const issuer = rest[0] ?? signerCert;
  if (!leaf.checkIssued(issuer) || !leaf.verify(issuer.publicKey)) {
    throw new HubStartError(
      `Server certificate in "${chainPath}" is not issued by "${signerPath}"`,
      chainPath,
    );
  }
  return { key, chain, ca: [signer, root], serverNotAfter: notAfter };
}
