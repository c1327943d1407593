import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CERT_FILES,
  initPki,
  issueDevice,
  issueViewer,
  LEGACY_CA_KEYS,
  loadSigner,
  moveCaKeys,
} from "./cert_dir.ts";
import { readCrl } from "../lib/crl.ts";
import { assertPkiError, modeOf, openssl, verify, withDir } from "../tests/cert_checks.ts";

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

Deno.test("initPki() keeps the CA keys in ca/ (0700), apart from the files the hub reads, and signs an empty CRL", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    assert.equal(modeOf(join(dir, "ca")), 0o700);
    for (const f of Object.values(LEGACY_CA_KEYS)) {
      await assert.rejects(Deno.stat(join(dir, f)), Deno.errors.NotFound, f);
    }
    const crl = readCrl(
      await Deno.readTextFile(join(dir, CERT_FILES.crl)),
      await Deno.readTextFile(join(dir, CERT_FILES.signerCa)),
    );
    assert.equal(crl.number, 1n);
    assert.deepEqual(crl.entries, []);
    const r = await openssl([
      ...["crl", "-in", join(dir, CERT_FILES.crl), "-CAfile", join(dir, CERT_FILES.signerCa)],
      ...["-verify", "-noout"],
    ]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /verify OK/);
  });
});

Deno.test("moveCaKeys() moves CA keys an earlier version left in the hub's dir; loadSigner() reads either place", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const signerKey = await Deno.readTextFile(join(dir, CERT_FILES.signerKey));
    // The layout before ca/: both keys beside the hub's files.
    for (const k of ["rootKey", "signerKey"] as const) {
      await Deno.rename(join(dir, CERT_FILES[k]), join(dir, LEGACY_CA_KEYS[k]));
    }
    assert.equal((await loadSigner(dir)).keyPem, signerKey, "the CLI works on the old layout");
    assert.ok((await issueViewer(dir, "alice")).cert.cn === "alice");

    const moved = await moveCaKeys(dir);
    assert.deepEqual(moved, [
      { from: join(dir, LEGACY_CA_KEYS.rootKey), to: join(dir, CERT_FILES.rootKey) },
      { from: join(dir, LEGACY_CA_KEYS.signerKey), to: join(dir, CERT_FILES.signerKey) },
    ]);
    assert.equal(await Deno.readTextFile(join(dir, CERT_FILES.signerKey)), signerKey);
    assert.equal(modeOf(join(dir, CERT_FILES.signerKey)), 0o600);
    assert.deepEqual(await moveCaKeys(dir), [], "nothing left to move");

    // An identical copy left behind just goes; a different one is the operator's call.
    await Deno.copyFile(join(dir, CERT_FILES.signerKey), join(dir, LEGACY_CA_KEYS.signerKey));
    assert.equal((await moveCaKeys(dir)).length, 1);
    await Deno.writeTextFile(join(dir, LEGACY_CA_KEYS.rootKey), "another key");
    await assertPkiError(moveCaKeys(dir), "PKI_EXISTS", /^Two different CA keys: ".*root-ca\.key"/);

    // Replacing the CA also removes keys of the old one from the hub's dir.
    await initPki(dir, { force: true });
    await assert.rejects(Deno.stat(join(dir, LEGACY_CA_KEYS.rootKey)), Deno.errors.NotFound);
  });
});
