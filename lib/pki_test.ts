import assert from "node:assert/strict";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import {
  createRootCa,
  createSignerCa,
  describeCert,
  issueClient,
  issueServer,
  loadCa,
  validateHost,
  validateViewerName,
} from "./pki.ts";
import { PkiError } from "./pki_error.ts";
import { createTestPki, type TestPki } from "../tests/pki_fixture.ts";
import { assertPkiError, openssl, verify, withDir } from "../tests/cert_checks.ts";

Deno.test("createRootCa() makes a v3 self-signed P-256 CA with critical constraints", async () => {
  const root = await createRootCa();
  const text = (await openssl(["x509", "-noout", "-text"], root.certPem)).out;
  assert.match(text, /Version: 3 \(0x2\)/);
  assert.match(text, /Subject: CN = trustcam root CA/);
  assert.match(text, /ecdsa-with-SHA256/);
  assert.match(text, /NIST CURVE: P-256/);
  assert.match(text, /X509v3 Basic Constraints: critical\s+CA:TRUE/);
  assert.match(text, /X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
  assert.match(text, /X509v3 Subject Key Identifier/);
  assert.ok(await root.cert.isSelfSigned());
  const days = (root.cert.notAfter.getTime() - root.cert.notBefore.getTime()) / 86_400_000;
  assert.ok(days >= 3650 && days < 3651, `root valid for ${days} days`);
});

Deno.test("createSignerCa() links to its root by key identifier", async () => {
  const root = await createRootCa({ cn: "r" });
  const signer = await createSignerCa(root, { cn: "s", days: 10 });
  assert.equal(signer.cert.issuer, root.cert.subject);
  const ski = root.cert.getExtension(x509.SubjectKeyIdentifierExtension)!;
  const aki = signer.cert.getExtension(x509.AuthorityKeyIdentifierExtension)!;
  assert.equal(aki.keyId, ski.keyId);
  assert.ok(await signer.cert.verify({ publicKey: root.cert.publicKey, signatureOnly: true }));
  const bc = signer.cert.getExtension(x509.BasicConstraintsExtension)!;
  assert.equal(bc.ca, true);
  assert.equal(bc.critical, true);
  assert.equal(bc.pathLength, 0);
});

Deno.test("issueServer() puts DNS names and IPv4/IPv6 addresses in the SANs", async () => {
  const root = await createRootCa();
  const signer = await createSignerCa(root);
  const server = await issueServer(signer, {
    hosts: ["hub.example", "127.0.0.1", "::1", "[fe80::1]"],
  });
  assert.equal(server.cn, "hub.example");
  const text = (await openssl(["x509", "-noout", "-text"], server.certPem)).out;
  assert.match(text, /DNS:hub.example/);
  assert.match(text, /IP Address:127.0.0.1/);
  assert.match(text, /IP Address:0:0:0:0:0:0:0:1/);
  assert.match(text, /IP Address:FE80:0:0:0:0:0:0:1/);
  assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text, /Key Usage: critical\s+Digital Signature/);
  assert.match(text, /TLS Web Server Authentication/);
  await assertPkiError(
    issueServer(signer, { hosts: ["bad host"] }),
    "PKI_BAD_HOST",
    /^Invalid host: "bad host"/,
  );
  await assertPkiError(issueServer(signer, { hosts: [] }), "PKI_BAD_HOST", /needs a host/);
});

Deno.test("issueClient() draws random positive 16-byte serials and a matching fingerprint", async () => {
  const root = await createRootCa();
  const signer = await createSignerCa(root);
  const a = await issueClient(signer, { cn: "a" });
  const b = await issueClient(signer, { cn: "a" });
  for (const c of [a, b]) {
    assert.match(c.serialNumber, /^[0-7][0-9a-f]{31}$/);
    assert.notEqual(c.serialNumber.slice(0, 2), "00");
    const der = x509.PemConverter.decode(c.certPem)[0];
    const fp = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", der)),
      (x) => x.toString(16).padStart(2, "0"),
    ).join("");
    assert.equal(c.fingerprint256, fp);
    assert.ok(c.chainPem.startsWith(c.certPem));
    assert.ok(c.chainPem.endsWith(signer.certPem));
  }
  assert.notEqual(a.serialNumber, b.serialNumber);
  assert.notEqual(a.fingerprint256, b.fingerprint256);
  const days = (a.notAfter.getTime() - a.notBefore.getTime()) / 86_400_000;
  assert.ok(days >= 825 && days < 826, `client valid for ${days} days`);
  const text = (await openssl(["x509", "-noout", "-text"], a.certPem)).out;
  assert.match(text, /TLS Web Client Authentication/);
  assert.doesNotMatch(text, /TLS Web Server Authentication/);
});

Deno.test("issueClient() honours notBefore/notAfter overrides and rejects an empty CN", async () => {
  const signer = await createSignerCa(await createRootCa());
  const notBefore = new Date("2020-01-01T00:00:00Z");
  const notAfter = new Date("2020-01-02T00:00:00Z");
  const c = await issueClient(signer, { cn: "old", notBefore, notAfter });
  assert.equal(c.notBefore.getTime(), notBefore.getTime());
  assert.equal(c.notAfter.getTime(), notAfter.getTime());
  await assertPkiError(issueClient(signer, { cn: "" }), "PKI_BAD_NAME", /common name/);
});

Deno.test("loadCa() round-trips a CA and rejects a key of another CA", async () => {
  const root = await createRootCa();
  const loaded = await loadCa(root.certPem, root.keyPem);
  const signer = await createSignerCa(loaded);
  assert.ok(await signer.cert.verify({ publicKey: root.cert.publicKey, signatureOnly: true }));
  const other = await createRootCa();
  await assertPkiError(loadCa(root.certPem, other.keyPem), "PKI_BAD_KEY", /does not match/);
  await assertPkiError(loadCa(root.certPem, "junk"), "PKI_BAD_KEY", /PRIVATE KEY/);
});

Deno.test("loadCa() accepts an openssl-made CA with a SEC1 key and issues under it", async () => {
  await withDir(async (dir) => {
    const key = join(dir, "ca.key"), crt = join(dir, "ca.crt"), leaf = join(dir, "leaf.crt");
    let r = await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
    assert.equal(r.code, 0, r.out);
    r = await openssl([
      ...["req", "-x509", "-new", "-key", key, "-out", crt, "-days", "30", "-subj", "/CN=ext CA"],
      ...["-addext", "basicConstraints=critical,CA:TRUE"],
      ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ]);
    assert.equal(r.code, 0, r.out);
    const keyPem = await Deno.readTextFile(key);
    assert.match(keyPem, /BEGIN EC PRIVATE KEY/);
    const ca = await loadCa(await Deno.readTextFile(crt), keyPem);
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----/);
    const c = await issueClient(ca, { cn: "0123A1B2C3D4E5F6A7" });
    await Deno.writeTextFile(leaf, c.certPem);
    r = await openssl(["verify", "-CAfile", crt, "-purpose", "sslclient", leaf]);
    assert.equal(r.code, 0, r.out);
  });
});
Deno.test("describeCert() reads the leaf of a chain in the forms revocation entries use", async () => {
  const signer = await createSignerCa(await createRootCa());
  const c = await issueClient(signer, { cn: "0123A1B2C3D4E5F6A7" });
  assert.deepEqual(await describeCert(c.chainPem), {
    cn: "0123A1B2C3D4E5F6A7",
    serialNumber: c.serialNumber,
    fingerprint256: c.fingerprint256,
    notAfter: c.notAfter,
  });
});

Deno.test("validateHost() and validateViewerName() throw typed errors, pure of any file", () => {
  validateHost("hub.example");
  validateHost("[fe80::1]");
  assert.throws(() => validateHost("bad host"), (err) => {
    assert.ok(err instanceof PkiError);
    assert.equal(err.code, "PKI_BAD_HOST");
    return true;
  });
  validateViewerName("alice@home");
  assert.throws(() => validateViewerName("0123A1B2C3D4E5F6A7"), /matches the device pattern/);
});

// ---------------------------------------------------------------------------------------------
// Real TLS handshakes (node:tls on rustls, as the hub uses)

type Outcome =
  | { ok: true; authorized: boolean; cn: string | undefined }
  | { ok: false; error: string };

async function handshake(
  pki: TestPki,
  client: { chainPem: string; keyPem: string } | undefined,
): Promise<Outcome> {
  const server = tls.createServer({
    key: pki.server.keyPem,
    cert: pki.server.chainPem,
    ca: pki.caPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const outcome = new Promise<Outcome>((resolve) => {
    server.on("secureConnection", (s) => {
      const peer = s.getPeerCertificate();
      const cn = peer.subject?.CN;
      resolve({ ok: true, authorized: s.authorized, cn: Array.isArray(cn) ? cn[0] : cn });
      s.end();
    });
    server.on("tlsClientError", (err) => resolve({ ok: false, error: err.message }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const { port } = server.address() as AddressInfo;
    const sock = tls.connect({
      host: "127.0.0.1",
      port,
      servername: "localhost",
      ca: pki.caPem,
      ...(client ? { key: client.keyPem, cert: client.chainPem } : {}),
    });
    const closed = new Promise<void>((r) => sock.on("close", () => r()));
    sock.on("error", () => {}); // a refused client sees a reset or an alert; the server decides
    sock.resume();
    const result = await outcome;
    await closed;
    return result;
  } finally {
    await new Promise((r) => server.close(r));
  }
}

Deno.test("a device certificate completes mutual TLS with its serial as the peer CN", async () => {
  const pki = await createTestPki();
  try {
    const device = await pki.device("0123A1B2C3D4E5F6A7");
    const r = await handshake(pki, device);
    assert.deepEqual(r, { ok: true, authorized: true, cn: "0123A1B2C3D4E5F6A7" });
    const viewer = await pki.viewer("alice");
    assert.deepEqual(await handshake(pki, viewer), { ok: true, authorized: true, cn: "alice" });
  } finally {
    await pki.cleanup();
  }
});

Deno.test("mutual TLS refuses a foreign-CA, an expired and a missing client certificate", async () => {
  const pki = await createTestPki();
  try {
    const foreign = await pki.foreign("0123A1B2C3D4E5F6A7");
    assert.equal((await handshake(pki, foreign)).ok, false);
    const day = 86_400_000;
    const expired = await pki.device("0123A1B2C3D4E5F6A7", {
      notBefore: new Date(Date.now() - 3 * day),
      notAfter: new Date(Date.now() - day),
    });
    assert.equal((await handshake(pki, expired)).ok, false);
    assert.equal((await handshake(pki, undefined)).ok, false);
  } finally {
    await pki.cleanup();
  }
});

Deno.test("createTestPki() gives each caller its own dir on one shared CA", async () => {
  const a = await createTestPki();
  const b = await createTestPki();
  try {
    assert.notEqual(a.dir, b.dir);
    assert.equal(a.caPem, b.caPem);
    for (const f of ["server.key", "server.chain", "signer-ca.crt", "root-ca.crt"]) {
      assert.ok((await Deno.stat(join(a.dir, f))).isFile, f);
    }
    assert.equal(a.caPem, a.root.certPem + a.signer.certPem);
    const r = await verify(a.dir, join(a.dir, "server.chain"), "sslserver");
    assert.equal(r.code, 0, r.out);
    // The fixture keeps the CN as given, so tests can exercise the hub's own checks.
    assert.equal((await a.device("0123abcdefabcdefab")).cn, "0123abcdefabcdefab");
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
  await assert.rejects(Deno.stat(a.dir), Deno.errors.NotFound);
});
