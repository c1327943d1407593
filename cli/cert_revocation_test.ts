import assert from "node:assert/strict";
import { join } from "node:path";
import { CERT_FILES, initPki, issueDevice, issueViewer, loadSigner } from "./cert_dir.ts";
import { listCertificates, refreshCrl, revoke } from "./cert_revocation.ts";
import { RevocationList } from "../lib/revocation.ts";
import { createCrl, readCrl } from "../lib/crl.ts";
import { createRootCa, createSignerCa } from "../lib/pki.ts";
import { assertPkiError, openssl, withDir } from "../tests/cert_checks.ts";

async function crlOf(dir: string) {
  return readCrl(
    await Deno.readTextFile(join(dir, CERT_FILES.crl)),
    await Deno.readTextFile(join(dir, CERT_FILES.signerCa)),
  );
}

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

    // Certificates known here are revoked by serial number, whatever names them.
    let r = await revoke(dir, "0123a1b2c3d4e5f6a7");
    assert.equal(r.entry, `serial:${d.cert.serialNumber}`);
    assert.deepEqual(r.entries, [`serial:${d.cert.serialNumber}`]);
    assert.deepEqual(r.matched, [d.certPath]);

    const colons = v.cert.fingerprint256.toUpperCase().match(/../g)!.join(":");
    r = await revoke(dir, colons);
    assert.equal(r.entry, `serial:${v.cert.serialNumber}`);
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
      `serial:${d.cert.serialNumber}`,
      `serial:${v.cert.serialNumber}`,
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

Deno.test("listCertificates() judges revoked.txt as the hub does: any-case cn, bare fingerprint", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const d = await issueDevice(dir, "0123A1B2C3D4E5F6A7");
    await issueViewer(dir, "alice");
    await issueViewer(dir, "bob");
    const colons = d.cert.fingerprint256.toUpperCase().match(/../g)!.join(":");
    const text = `# by hand\ncn:Alice\n${colons}\n`;
    await Deno.writeTextFile(join(dir, CERT_FILES.revoked), text);
    const hub = RevocationList.parse(text);
    const list = await listCertificates(dir);
    for (const c of list.filter((c) => c.kind === "device" || c.kind === "viewer")) {
      assert.equal(c.revoked, hub.isRevoked(c), c.cn);
    }
    assert.deepEqual(list.map((c) => [c.kind, c.cn, c.revoked]), [
      ["root", "trustcam root CA", false],
      ["signer", "trustcam signer CA", false],
      ["server", "localhost", false],
      ["device", "0123A1B2C3D4E5F6A7", true],
      ["viewer", "alice", true],
      ["viewer", "bob", false],
    ]);
  });
});

Deno.test("listCertificates() and revoke() refuse a revoked.txt the hub would refuse", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    await issueViewer(dir, "alice");
    const path = join(dir, CERT_FILES.revoked);
    const text = "cn:bob\nsha256:not-a-fingerprint\n";
    await Deno.writeTextFile(path, text);
    assert.throws(() => RevocationList.parse(text), SyntaxError);
    const message = /^Invalid revocation list: ".*revoked\.txt": .*line 2: "sha256:not-a-/;
    await assertPkiError(listCertificates(dir), "PKI_BAD_REVOCATIONS", message);
    // An entry appended to a file the hub ignores would revoke nothing: say so instead.
    await assertPkiError(revoke(dir, "alice"), "PKI_BAD_REVOCATIONS", message);
    assert.equal(await Deno.readTextFile(path), text);
  });
});

Deno.test("revoke() counts an entry as present when the hub's rules already match it", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const v = await issueViewer(dir, "alice");
    const path = join(dir, CERT_FILES.revoked);
    const bare = v.cert.fingerprint256.toUpperCase();
    await Deno.writeTextFile(path, `CN:ALICE\n${bare}\n`);
    const r = await revoke(dir, "alice");
    assert.deepEqual(r.entries, [`serial:${v.cert.serialNumber}`]);
    assert.deepEqual(r.added, []);
    assert.equal(await Deno.readTextFile(path), `CN:ALICE\n${bare}\n`);
  });
});

Deno.test("revoke() signs a CRL that openssl verifies and uses to refuse the revoked certificate", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const alice = await issueViewer(dir, "alice");
    const bob = await issueViewer(dir, "bob");
    const r = await revoke(dir, "alice");
    assert.deepEqual(r.crl, {
      written: true,
      path: join(dir, CERT_FILES.crl),
      number: 2n,
      revoked: 1,
    });
    const crlPath = join(dir, CERT_FILES.crl);
    const signer = join(dir, CERT_FILES.signerCa);
    let o = await openssl(["crl", "-in", crlPath, "-CAfile", signer, "-verify", "-noout"]);
    assert.equal(o.code, 0, o.out);
    assert.match(o.out, /verify OK/);
    o = await openssl(["crl", "-in", crlPath, "-noout", "-text"]);
    assert.match(o.out, /Version 2 \(0x1\)/);
    assert.match(o.out, /Issuer: CN = trustcam signer CA, O = trustcam/);
    assert.match(o.out, /Last Update: .*GMT\n\s+Next Update: .*GMT/);
    assert.match(o.out, /X509v3 CRL Number: \n\s+2\n/);
    assert.match(o.out, /X509v3 Authority Key Identifier: \n\s+[0-9A-F:]{59}\n/);
    assert.match(o.out, new RegExp(`Serial Number: ${alice.cert.serialNumber.toUpperCase()}`));

    // openssl's -crl_check wants the CRL of the leaf's issuer: the signer CA.
    const trust = join(dir, "trust.pem");
    await Deno.writeTextFile(
      trust,
      (await Deno.readTextFile(join(dir, CERT_FILES.rootCa))) + (await Deno.readTextFile(signer)),
    );
    const check = (crt: string) =>
      openssl(["verify", "-crl_check", "-CAfile", trust, "-CRLfile", crlPath, crt]);
    o = await check(alice.certPath);
    assert.notEqual(o.code, 0, o.out);
    assert.match(o.out, /certificate revoked/);
    o = await check(bob.certPath);
    assert.equal(o.code, 0, o.out);
    assert.match(o.out, /: OK/);

    // Each change is a new CRL number; revocation dates carry on.
    const first = await crlOf(dir);
    await revoke(dir, "bob");
    const second = await crlOf(dir);
    assert.equal(second.number, 3n);
    assert.deepEqual(
      second.entries.find((e) => e.serialNumber === first.entries[0].serialNumber),
      first.entries[0],
    );
    assert.equal(second.entries.length, 2);
    assert.notEqual((await check(bob.certPath)).code, 0);
    // Nothing new: no new CRL.
    assert.deepEqual((await revoke(dir, "bob")).crl, {
      written: false,
      path: crlPath,
      reason: "unchanged",
    });
    assert.equal((await crlOf(dir)).number, 3n);
  });
});

Deno.test("revoke() then reissuing the same name yields a valid certificate; the old one stays revoked", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const old = await issueViewer(dir, "alice");
    await revoke(dir, "alice");
    const fresh = await issueViewer(dir, "alice", { force: true });
    const listed = await listCertificates(dir);
    assert.deepEqual(
      listed.filter((c) => c.kind === "viewer").map((c) => [c.cn, c.serialNumber, c.revoked]),
      [["alice", fresh.cert.serialNumber, false]],
    );
    const text = await Deno.readTextFile(join(dir, CERT_FILES.revoked));
    const hub = RevocationList.union(RevocationList.parse(text), (await crlOf(dir)).list);
    assert.equal(hub.isRevoked(old.cert), true);
    assert.equal(hub.isRevoked(fresh.cert), false);
    assert.deepEqual((await crlOf(dir)).entries.map((e) => e.serialNumber), [
      old.cert.serialNumber.replace(/^0+/, ""),
    ]);
  });
});

Deno.test("revoke() with cn bans the name for good: its certificates now and any issued later", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const v = await issueViewer(dir, "mallory");
    const r = await revoke(dir, "mallory", { cn: true });
    assert.deepEqual(r.entries, ["cn:mallory", `serial:${v.cert.serialNumber}`]);
    assert.deepEqual(r.added, r.entries);
    await assertPkiError(
      issueViewer(dir, "mallory", { force: true }),
      "PKI_BANNED",
      /^Name revoked for good: "mallory": ".*revoked\.txt" bans it/,
    );
    // A name with no certificate here can be banned too, and a device serial is upper-cased.
    assert.deepEqual((await revoke(dir, "nobody-yet", { cn: true })).entries, ["cn:nobody-yet"]);
    await revoke(dir, "0123a1b2c3d4e5f6a7", { cn: true });
    await assertPkiError(
      issueDevice(dir, "0123A1B2C3D4E5F6A7"),
      "PKI_BANNED",
      /0123A1B2C3D4E5F6A7/,
    );
    await assertPkiError(revoke(dir, "bad\nname", { cn: true }), "PKI_BAD_NAME", /bad/);
  });
});

Deno.test("listCertificates() reads crl.pem too, and refuses one the signer CA did not sign", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const v = await issueViewer(dir, "alice");
    await issueViewer(dir, "bob");
    const signer = await loadSigner(dir);
    const crlPath = join(dir, CERT_FILES.crl);
    // Only in the CRL (another tool's revocation): revoked all the same.
    await Deno.writeTextFile(
      crlPath,
      await createCrl(signer, {
        entries: [{ serialNumber: v.cert.serialNumber, revokedAt: new Date() }],
        number: 5n,
      }),
    );
    const list = await listCertificates(dir);
    assert.deepEqual(list.filter((c) => c.kind === "viewer").map((c) => [c.cn, c.revoked]), [
      ["alice", true],
      ["bob", false],
    ]);
    const foreign = await createSignerCa(await createRootCa());
    await Deno.writeTextFile(crlPath, await createCrl(foreign, { entries: [], number: 1n }));
    const message = /^Invalid CRL: ".*crl\.pem": Signature does not verify.*certs crl/;
    await assertPkiError(listCertificates(dir), "PKI_BAD_REVOCATIONS", message);
    await assertPkiError(revoke(dir, "bob"), "PKI_BAD_REVOCATIONS", message);

    // `certs crl` is the repair: it signs the list anew from revoked.txt.
    const fixed = await refreshCrl(dir);
    assert.equal(fixed.written, true);
    assert.match(fixed.replaced ?? "", /^Signature does not verify/);
    assert.equal((await crlOf(dir)).number, 1n);
    assert.equal((await refreshCrl(dir)).written && (await crlOf(dir)).number, 2n);
  });
});

Deno.test("revoke() without the signer key still revokes in revoked.txt and leaves crl.pem as it is", async () => {
  await withDir(async (dir) => {
    await initPki(dir);
    const v = await issueViewer(dir, "alice");
    const before = await Deno.readTextFile(join(dir, CERT_FILES.crl));
    await Deno.remove(join(dir, CERT_FILES.signerKey));
    const r = await revoke(dir, "alice");
    assert.deepEqual(r.added, [`serial:${v.cert.serialNumber}`]);
    assert.deepEqual(r.crl, {
      written: false,
      path: join(dir, CERT_FILES.crl),
      reason: "no_signer_key",
      keyPath: join(dir, CERT_FILES.signerKey),
    });
    assert.equal(await Deno.readTextFile(join(dir, CERT_FILES.crl)), before);
    await assertPkiError(refreshCrl(dir), "PKI_NO_CA", /signer-ca\.key" is missing/);
  });
});
