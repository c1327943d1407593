import assert from "node:assert/strict";
import { join } from "node:path";
import { CERT_FILES, initPki, issueDevice, issueViewer } from "./cert_dir.ts";
import { listCertificates, revoke } from "./cert_revocation.ts";
import { RevocationList } from "../lib/revocation.ts";
import { assertPkiError, withDir } from "../tests/cert_checks.ts";

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
