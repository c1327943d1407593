import assert from "node:assert/strict";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import {
  CERT_FILES,
  createRootCa,
  createSignerCa,
  initPki,
  issueClient,
  issueDevice,
  issueServer,
  issueViewer,
  listCertificates,
  loadCa,
  loadSigner,
  PkiError,
  revoke,
} from "./pki.ts";
import { createTestPki, type TestPki } from "../tests/pki_fixture.ts";

async function openssl(args: string[], stdin?: string): Promise<{ code: number; out: string }> {
  const cmd = new Deno.Command("openssl", {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const { code, stdout, stderr } = await child.output();
  const dec = new TextDecoder();
  return { code, out: dec.decode(stdout) + dec.decode(stderr) };
}

async function verify(dir: string, leafPath: string, purpose: string) {
  return await openssl([
    "verify",
    "-CAfile",
    join(dir, CERT_FILES.rootCa),
    "-untrusted",
    join(dir, CERT_FILES.signerCa),
    "-purpose",
    purpose,
    leafPath,
  ]);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_pki_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertPkiError(p: Promise<unknown>, code: string, message: RegExp) {
  await assert.rejects(p, (err) => {
    assert.ok(err instanceof PkiError, `expected PkiError, got ${err}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

function modeOf(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

// ---------------------------------------------------------------------------------------------
// Generation

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

// ---------------------------------------------------------------------------------------------
// Certs directory

Deno.test("initPki() writes the hub's files, keys 0600, chains that openssl verifies", async () => {
  await withDir(async (dir) => {
    const { created } = await initPki(dir, { hosts: ["hub.lan", "192.168.1.10"] });
    for (const f of Object.values(CERT_FILES)) assert.ok(created.includes(join(dir, f)), f);
    for (const f of [CERT_FILES.rootKey, CERT_FILES.signerKey, CERT_FILES.serverKey]) {
      assert.equal(modeOf(join(dir, f)), 0o600, f);
      assert.match(await Deno.readTextFile(join(dir, f)), /^-----BEGIN PRIVATE KEY-----/);
    }
    const chain = join(dir, CERT_FILES.serverChain);
    assert.equal((await Deno.readTextFile(chain)).match(/BEGIN CERTIFICATE/g)?.length, 2);
    let r = await verify(dir, chain, "sslserver");
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /: OK/);
    // A server certificate must not pass as a client one.
    r = await verify(dir, chain, "sslclient");
    assert.notEqual(r.code, 0, r.out);
    const text = (await openssl(["x509", "-noout", "-text", "-in", chain])).out;
    for (const san of ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1"]) {
      assert.ok(text.includes(san), san);
    }
    assert.match(text, /DNS:hub.lan/);
    assert.match(text, /IP Address:192.168.1.10/);
  });
});

Deno.test("initPki() refuses to replace a CA unless forced", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const before = await Deno.readTextFile(join(dir, CERT_FILES.rootCa));
    await assertPkiError(initPki(dir), "PKI_EXISTS", /root-ca\.(crt|key)".*--force/);
    assert.equal(await Deno.readTextFile(join(dir, CERT_FILES.rootCa)), before);
    // Only the key left behind still counts as an existing CA.
    await Deno.remove(join(dir, CERT_FILES.rootCa));
    await assertPkiError(initPki(dir), "PKI_EXISTS", /root-ca\.key/);
    await Deno.chmod(join(dir, CERT_FILES.serverKey), 0o644);
    await initPki(dir, { force: true });
    assert.notEqual(await Deno.readTextFile(join(dir, CERT_FILES.rootCa)), before);
    // chmod as well as mode: the file already existed.
    assert.equal(modeOf(join(dir, CERT_FILES.serverKey)), 0o600);
  });
});

Deno.test("loadSigner() names the missing file and the init command", async () => {
  await withDir(async (dir) => {
    await assertPkiError(
      loadSigner(dir),
      "PKI_NO_CA",
      /signer-ca\.crt" is missing: run `deno task certs init`/,
    );
    await assertPkiError(issueDevice(dir, "0123A1B2C3D4E5F6A7"), "PKI_NO_CA", /certs init/);
  });
});

Deno.test("issueDevice() writes an upper-case serial certificate that verifies as a client", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const d = await issueDevice(dir, "0123a1b2c3d4e5f6a7");
    assert.equal(d.cert.cn, "0123A1B2C3D4E5F6A7");
    assert.equal(d.certPath, join(dir, "devices", "0123A1B2C3D4E5F6A7.crt"));
    assert.equal(modeOf(d.keyPath), 0o600);
    let r = await verify(dir, d.certPath, "sslclient");
    assert.equal(r.code, 0, r.out);
    r = await verify(dir, d.certPath, "sslserver");
    assert.notEqual(r.code, 0, "a client certificate must not verify as a server");
    const subject = (await openssl(["x509", "-noout", "-subject", "-in", d.certPath])).out;
    assert.match(subject, /CN = 0123A1B2C3D4E5F6A7/);
    await assertPkiError(
      issueDevice(dir, "0123A1B2C3D4E5F6A7"),
      "PKI_EXISTS",
      /0123A1B2C3D4E5F6A7\.crt/,
    );
    const again = await issueDevice(dir, "0123A1B2C3D4E5F6A7", { force: true });
    assert.notEqual(again.cert.fingerprint256, d.cert.fingerprint256);
  });
});

Deno.test("issueDevice() rejects serials outside the device pattern", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    for (
      const bad of ["", "0123", "9999A1B2C3D4E5F6A7", "0123A1B2C3D4E5F6A", "0123G1B2C3D4E5F6A7"]
    ) {
      await assertPkiError(
        issueDevice(dir, bad),
        "PKI_BAD_SERIAL",
        new RegExp(`^Invalid device serial: "${bad}": must match`),
      );
    }
    await assertPkiError(issueDevice(dir, "../../etc/x"), "PKI_BAD_SERIAL", /Invalid device/);
  });
});

Deno.test("issueViewer() writes a certificate, chain and a .p12 openssl opens", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const v = await issueViewer(dir, "alice@home");
    assert.equal(v.cert.cn, "alice@home");
    assert.match(v.password, /^[A-Za-z0-9_-]{20}$/);
    assert.equal(modeOf(v.keyPath), 0o600);
    assert.equal(modeOf(v.p12Path), 0o600);
    let r = await verify(dir, v.certPath, "sslclient");
    assert.equal(r.code, 0, r.out);
    r = await openssl([
      "pkcs12",
      "-info",
      "-noout",
      "-in",
      v.p12Path,
      "-passin",
      `pass:${v.password}`,
    ]);
    assert.equal(r.code, 0, r.out);
    r = await openssl(["pkcs12", "-info", "-noout", "-in", v.p12Path, "-passin", "pass:nope"]);
    assert.notEqual(r.code, 0);
    const other = await issueViewer(dir, "bob");
    assert.notEqual(other.password, v.password);
  });
});

Deno.test("issueViewer() rejects bad names and names that look like device serials", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    for (const bad of ["", "a b", "x".repeat(65), "../x", "a/b", "..", "é"]) {
      await assertPkiError(
        issueViewer(dir, bad),
        "PKI_BAD_NAME",
        /^Invalid viewer name: ".*": 1 to 64/,
      );
    }
    await assertPkiError(
      issueViewer(dir, "0123A1B2C3D4E5F6A7"),
      "PKI_BAD_NAME",
      /matches the device pattern/,
    );
  });
});

Deno.test("listCertificates() lists every certificate with its revocation state", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const d = await issueDevice(dir, "0123A1B2C3D4E5F6A7");
    await issueViewer(dir, "alice");
    await revoke(dir, "alice");
    const list = await listCertificates(dir);
    assert.deepEqual(list.map((c) => [c.kind, c.cn, c.revoked]), [
      ["root", "trustcam root CA", false],
      ["signer", "trustcam signer CA", false],
      ["server", "localhost", false],
      ["device", "0123A1B2C3D4E5F6A7", false],
      ["viewer", "alice", true],
    ]);
    const dev = list.find((c) => c.kind === "device")!;
    assert.equal(dev.fingerprint256, d.cert.fingerprint256);
    assert.equal(dev.serialNumber, d.cert.serialNumber);
    assert.equal(dev.path, d.certPath);
  });
});

Deno.test("revoke() writes the documented entry lines", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const d = await issueDevice(dir, "0123A1B2C3D4E5F6A7");
    const v = await issueViewer(dir, "alice");
    const w = await issueViewer(dir, "carol");
    const path = join(dir, CERT_FILES.revoked);

    let r = await revoke(dir, "0123a1b2c3d4e5f6a7");
    assert.equal(r.entry, "cn:0123A1B2C3D4E5F6A7");
    assert.deepEqual(r.entries, ["cn:0123A1B2C3D4E5F6A7", `sha256:${d.cert.fingerprint256}`]);
    assert.deepEqual(r.matched, [d.certPath]);

    const colons = v.cert.fingerprint256.toUpperCase().match(/../g)!.join(":");
    r = await revoke(dir, colons);
    assert.equal(r.entry, `sha256:${v.cert.fingerprint256}`);
    assert.deepEqual(r.matched, [v.certPath]);

    r = await revoke(dir, w.cert.serialNumber.toUpperCase());
    assert.equal(r.entry, `serial:${w.cert.serialNumber}`);
    assert.deepEqual(r.matched, [w.certPath]);

    // A camera provisioned elsewhere (rainbowtype) has no file here but can still be revoked.
    r = await revoke(dir, "0123FFFFFFFFFFFFFF");
    assert.deepEqual(r.entries, ["cn:0123FFFFFFFFFFFFFF"]);
    assert.deepEqual(r.matched, []);

    // An unknown fingerprint is still a valid entry.
    r = await revoke(dir, "ab".repeat(32));
    assert.equal(r.entry, `sha256:${"ab".repeat(32)}`);

    await assertPkiError(revoke(dir, "mallory"), "PKI_NOT_FOUND", /^Nothing to revoke: "mallory"/);
    await assertPkiError(revoke(dir, "abcd"), "PKI_NOT_FOUND", /"abcd"/);

    const before = await Deno.readTextFile(path);
    await revoke(dir, "0123A1B2C3D4E5F6A7"); // already there: nothing appended
    const text = await Deno.readTextFile(path);
    assert.equal(text, before);
    const entries = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    assert.deepEqual(entries, [
      "cn:0123A1B2C3D4E5F6A7",
      `sha256:${d.cert.fingerprint256}`,
      `sha256:${v.cert.fingerprint256}`,
      `serial:${w.cert.serialNumber}`,
      "cn:0123FFFFFFFFFFFFFF",
      `sha256:${"ab".repeat(32)}`,
    ]);
    for (const e of entries) assert.match(e, /^(cn:.+|sha256:[0-9a-f]{64}|serial:[0-9a-f]+)$/);
    assert.match(text, /^# /);
  });
});

Deno.test("revoke() creates revoked.txt with a header when it is missing", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    await Deno.remove(join(dir, CERT_FILES.revoked));
    await revoke(dir, "0123A1B2C3D4E5F6A7");
    const text = await Deno.readTextFile(join(dir, CERT_FILES.revoked));
    assert.match(text, /^# trustcam revocation list/);
    assert.match(text, /\ncn:0123A1B2C3D4E5F6A7\n$/);
  });
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
