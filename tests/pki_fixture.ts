/**
 * Real certificates for transport tests. The CAs and the server certificate are made once per
 * test process (key generation is the slow part) and written to a fresh temp dir per call, so
 * tests can change files (revoked.txt) without seeing each other.
 */
import {
  type Ca,
  createRootCa,
  createSignerCa,
  issueClient,
  type IssuedCert,
  issueServer,
} from "../lib/pki.ts";
import { DEFAULT_HOSTS, writePki } from "../cli/cert_dir.ts";

export type { IssuedCert };

export interface TestPki {
  /** Temp dir with the hub's files: server.key, server.chain, signer-ca.crt, root-ca.crt, revoked.txt, crl.pem (CA keys in ca/) */
  dir: string;
  /** root + signer PEM concatenated (what a client trusts) */
  caPem: string;
  root: Ca;
  signer: Ca;
  /** CN "localhost", SANs localhost, 127.0.0.1, ::1 */
  server: IssuedCert;
  /** A client certificate with CN `serial`, exactly as given (no validation, no upper-casing). */
  device(serial: string, opts?: { notBefore?: Date; notAfter?: Date }): Promise<IssuedCert>;
  /** A client certificate with CN `name`, exactly as given. */
  viewer(name: string, opts?: { notBefore?: Date; notAfter?: Date }): Promise<IssuedCert>;
  /** A client certificate from an unrelated CA (same CA names, different keys). */
  foreign(cn: string): Promise<IssuedCert>;
  /** Removes dir. */
  cleanup(): Promise<void>;
}

interface Shared {
  root: Ca;
  signer: Ca;
  server: IssuedCert;
  foreignSigner: Ca;
}

let shared: Promise<Shared> | undefined;

async function makeShared(): Promise<Shared> {
  const root = await createRootCa();
  const signer = await createSignerCa(root);
  const server = await issueServer(signer, { hosts: [...DEFAULT_HOSTS] });
  // Same subject names as ours, so a test cannot pass merely because the issuer name differs.
  const foreignSigner = await createSignerCa(await createRootCa());
  return { root, signer, server, foreignSigner };
}

/** A fresh certs dir backed by this process's test CA. */
export async function createTestPki(): Promise<TestPki> {
  shared ??= makeShared();
  const { root, signer, server, foreignSigner } = await shared;
  const dir = await Deno.makeTempDir({ prefix: "trustcam_pki_" });
  await writePki(dir, root, signer, server);
  return {
    dir,
    caPem: root.certPem + signer.certPem,
    root,
    signer,
    server,
    device: (serial, opts) => issueClient(signer, { cn: serial, ...opts }),
    viewer: (name, opts) => issueClient(signer, { cn: name, ...opts }),
    foreign: (cn) => issueClient(foreignSigner, { cn }),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}
