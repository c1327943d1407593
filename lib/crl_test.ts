import assert from "node:assert/strict";
import { createRootCa, createSignerCa, issueClient } from "./pki.ts";
import { canonicalSerial, createCrl, readCrl } from "./crl.ts";
import { PkiError } from "./pki_error.ts";

const root = await createRootCa();
const signer = await createSignerCa(root);

function assertBadCrl(fn: () => unknown, message: RegExp) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof PkiError, `expected PkiError, got ${err}`);
    assert.equal(err.code, "PKI_BAD_REVOCATIONS");
    assert.match(err.message, message);
    return true;
  });
}

Deno.test("createCrl() signs a v2 CRL that readCrl() reads back with its entries and number", async () => {
  const alice = await issueClient(signer, { cn: "alice" });
  const at = new Date("2026-01-02T03:04:05Z");
  const thisUpdate = new Date("2026-02-01T00:00:00Z");
  const pem = await createCrl(signer, {
    entries: [
      { serialNumber: alice.serialNumber, revokedAt: at },
      { serialNumber: "00FF01", revokedAt: at },
      { serialNumber: "ff01", revokedAt: thisUpdate }, // same serial: listed once
    ],
    number: 41n,
    thisUpdate,
  });
  assert.match(pem, /^-----BEGIN X509 CRL-----\n/);
  const crl = readCrl(pem, signer.certPem);
  assert.equal(crl.number, 41n);
  assert.equal(crl.thisUpdate.toISOString(), thisUpdate.toISOString());
  assert.equal(crl.nextUpdate?.getTime(), thisUpdate.getTime() + 365 * 86_400_000);
  assert.deepEqual(crl.entries, [
    { serialNumber: canonicalSerial(alice.serialNumber), revokedAt: at },
    { serialNumber: "ff01", revokedAt: at },
  ]);
  assert.equal(crl.list.isRevoked({ cn: "", fingerprint256: "", serialNumber: "FF01" }), true);
  assert.equal(
    crl.list.isRevoked({ cn: "alice", fingerprint256: "", serialNumber: alice.serialNumber }),
    true,
  );
  assert.equal(crl.list.isRevoked({ cn: "alice", fingerprint256: "", serialNumber: "01" }), false);
});

Deno.test("createCrl() with no entries leaves revokedCertificates out", async () => {
  const crl = readCrl(await createCrl(signer, { entries: [], number: 1n }), signer.certPem);
  assert.deepEqual(crl.entries, []);
  assert.equal(crl.list.size, 0);
  assert.equal(crl.number, 1n);
});

Deno.test("readCrl() refuses a CRL from another CA, a tampered one and garbage", async () => {
  const otherSigner = await createSignerCa(await createRootCa());
  const foreign = await createCrl(otherSigner, { entries: [], number: 1n });
  assertBadCrl(() => readCrl(foreign, signer.certPem), /^Signature does not verify/);
  const otherName = await createSignerCa(root, { cn: "someone else" });
  const misnamed = await createCrl(otherName, { entries: [], number: 1n });
  assertBadCrl(
    () => readCrl(misnamed, signer.certPem),
    /^Issued by ".*someone else.*", not by the signer CA/,
  );
  // One bit of the signed part changed: the crlNumber.
  const pem = await createCrl(signer, { entries: [], number: 7n });
  const der = Uint8Array.from(atob(pem.split("\n").slice(1, -2).join("")), (c) => c.charCodeAt(0));
  const at = der.findIndex((_, i) =>
    der[i] === 0x04 && der[i + 1] === 3 && der[i + 2] === 2 && der[i + 3] === 1 && der[i + 4] === 7
  );
  assert.ok(at > 0);
  der[at + 4] = 8;
  const tampered = `-----BEGIN X509 CRL-----\n${
    btoa(String.fromCharCode(...der))
  }\n-----END X509 CRL-----\n`;
  assertBadCrl(() => readCrl(tampered, signer.certPem), /^Signature does not verify/);
  assertBadCrl(() => readCrl("", signer.certPem), /^No PEM CRL/);
  assertBadCrl(
    () => readCrl(pem.slice(0, 120) + pem.slice(-26), signer.certPem),
    /^Unreadable CRL/,
  );
});
