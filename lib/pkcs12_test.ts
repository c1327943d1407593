import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { PKCS12_ITERATIONS, toPkcs12 } from "./pkcs12.ts";
import { createTestPki, type TestPki } from "../tests/pki_fixture.ts";

async function openssl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command("openssl", {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code, out: dec.decode(stdout), err: dec.decode(stderr) };
}

async function withP12(
  fn: (pki: TestPki, p12Path: string, password: string) => Promise<void>,
): Promise<void> {
  const pki = await createTestPki();
  try {
    const viewer = await pki.viewer("alice");
    const password = "correct horse";
    const p12 = await toPkcs12(viewer, password, { rootPem: pki.root.certPem });
    const path = join(pki.dir, "alice.p12");
    await Deno.writeFile(path, p12);
    await fn(pki, path, password);
  } finally {
    await pki.cleanup();
  }
}

function pemBlocks(text: string, label: string): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[^-]+-----END ${label}-----`, "g");
  return (text.match(re) ?? []).map((b) => b.replace(/\s+/g, ""));
}

Deno.test("toPkcs12() output opens with openssl using PBES2/AES-256 and a SHA-256 MAC", async () => {
  await withP12(async (_pki, path, password) => {
    const r = await openssl([
      "pkcs12",
      "-info",
      "-noout",
      "-in",
      path,
      "-passin",
      `pass:${password}`,
    ]);
    assert.equal(r.code, 0, r.err);
    const info = r.out + r.err;
    assert.match(info, /MAC: sha256, Iteration 2048/);
    assert.match(
      info,
      new RegExp(
        `Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration ${PKCS12_ITERATIONS}, PRF hmacWithSHA256`,
      ),
    );
    assert.match(info, /Encrypted data: PBES2, PBKDF2, AES-256-CBC/);
    assert.equal(info.match(/Certificate bag/g)?.length, 3);
  });
});

Deno.test("toPkcs12() output refuses a wrong password", async () => {
  await withP12(async (_pki, path) => {
    const r = await openssl(["pkcs12", "-info", "-noout", "-in", path, "-passin", "pass:wrong"]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /Mac verify error/);
  });
});

Deno.test("toPkcs12() round-trips the leaf, the chain and the matching key", async () => {
  const pki = await createTestPki();
  try {
    const viewer = await pki.viewer("bob");
    const path = join(pki.dir, "bob.p12");
    await Deno.writeFile(path, await toPkcs12(viewer, "pw", { rootPem: pki.root.certPem }));
    const r = await openssl(["pkcs12", "-in", path, "-nodes", "-passin", "pass:pw"]);
    assert.equal(r.code, 0, r.err);
    const certs = pemBlocks(r.out, "CERTIFICATE");
    const want = [viewer.certPem, pki.signer.certPem, pki.root.certPem].map((p) =>
      pemBlocks(p, "CERTIFICATE")[0]
    );
    assert.deepEqual(certs, want);
    // The leaf and the key are paired by friendlyName/localKeyId, which importers rely on.
    assert.equal(r.out.match(/friendlyName: bob/g)?.length, 2);
    assert.equal(r.out.match(/localKeyID: ([0-9A-F ]+)/g)?.length, 2);
    const keyPem = pemBlocks(r.out, "PRIVATE KEY")[0];
    assert.ok(keyPem, "no private key in the openssl output");
    const keyFile = join(pki.dir, "k.pem"), certFile = join(pki.dir, "c.pem");
    await Deno.writeTextFile(keyFile, r.out.slice(r.out.indexOf("-----BEGIN PRIVATE KEY")));
    await Deno.writeTextFile(certFile, viewer.certPem);
    const fromKey = await openssl(["pkey", "-in", keyFile, "-pubout"]);
    const fromCert = await openssl(["x509", "-in", certFile, "-noout", "-pubkey"]);
    assert.equal(fromKey.code, 0, fromKey.err);
    assert.equal(fromKey.out, fromCert.out);
  } finally {
    await pki.cleanup();
  }
});

Deno.test("toPkcs12() without rootPem carries leaf and signer only, and a friendlyName", async () => {
  const pki = await createTestPki();
  try {
    const viewer = await pki.viewer("carol");
    const path = join(pki.dir, "carol.p12");
    await Deno.writeFile(path, await toPkcs12(viewer, "pw", { friendlyName: "trustcam carol" }));
    const r = await openssl(["pkcs12", "-in", path, "-nokeys", "-passin", "pass:pw"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(pemBlocks(r.out, "CERTIFICATE").length, 2);
    assert.match(r.out, /friendlyName: trustcam carol/);
  } finally {
    await pki.cleanup();
  }
});

Deno.test("toPkcs12() output is strict DER: it authenticates a real mutual TLS handshake", async () => {
  // Deno's node:tls parses .p12 with a DER-only reader, stricter than openssl; browsers and
  // macOS Keychain are strict too.
  await withP12(async (pki, path, password) => {
    const server = tls.createServer({
      key: pki.server.keyPem,
      cert: pki.server.chainPem,
      ca: pki.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const seen = new Promise<string>((resolve, reject) => {
      server.on("secureConnection", (s) => {
        resolve(`${s.authorized} ${s.getPeerCertificate().subject?.CN}`);
        s.end();
      });
      server.on("tlsClientError", reject);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const sock = tls.connect({
        host: "127.0.0.1",
        port: (server.address() as AddressInfo).port,
        servername: "localhost",
        ca: pki.caPem,
        pfx: Buffer.from(await Deno.readFile(path)),
        passphrase: password,
      });
      const closed = new Promise<void>((r) => sock.on("close", () => r()));
      sock.on("error", () => {});
      sock.resume();
      assert.equal(await seen, "true alice");
      await closed;
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
