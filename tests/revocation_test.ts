/**
 * Revocation against a real hub: reissuing a revoked name, and the list failing closed when
 * revoked.txt or crl.pem disappears or turns to junk while the hub runs.
 */
import assert from "node:assert/strict";
import { startTestHub, type TestHub, waitFor } from "./hub_fixture.ts";
import { createTestPki, type IssuedCert } from "./pki_fixture.ts";
import { issueViewer } from "../cli/cert_dir.ts";
import { revoke } from "../cli/cert_revocation.ts";
import { createCrl } from "../lib/crl.ts";
import { createRootCa, createSignerCa } from "../lib/pki.ts";
import { startHub } from "../hub/server.ts";
import { manifest } from "../manifest.gen.ts";

async function assertRefused(t: TestHub, cert: IssuedCert, why: string) {
  await assert.rejects(t.viewer(cert.cn, "", cert), /Upgrade refused: 403/, why);
  assert.equal((await t.request("/api/cameras", { cert })).status, 403, why);
}

async function assertAdmitted(t: TestHub, cert: IssuedCert) {
  await using client = await t.viewer(cert.cn, "", cert);
  assert.equal(client.ws.readyState, client.ws.OPEN);
  assert.equal((await t.request("/api/cameras", { cert })).status, 200);
}

/** Waits for the hub to log a line starting `event` that mentions `path` and `text`. */
function logged(t: TestHub, event: string, path: string, text: string): Promise<void> {
  return waitFor(
    () =>
      t.log.filter((l) => l.startsWith(`${event} `) && l.includes(path) && l.includes(text))
        .length > 0,
    5000,
    `${event} ${text}`,
  );
}

/** Replaces a file in one step, as editors and `certs revoke` do. */
async function replace(path: string, text: string) {
  await Deno.writeTextFile(`${path}.tmp`, text);
  await Deno.rename(`${path}.tmp`, path);
}

Deno.test("hub admits a viewer certificate reissued after `certs revoke` and still refuses the revoked one", async () => {
  await using t = await startTestHub();
  const dir = t.pki.dir;
  const old = (await issueViewer(dir, "alice")).cert;
  const open = await t.viewer("alice", "", old);
  await revoke(dir, "alice");
  assert.deepEqual(await open.closed, { code: 1008, reason: "Certificate revoked" });

  const fresh = (await issueViewer(dir, "alice", { force: true })).cert;
  await assertAdmitted(t, fresh);
  await assertRefused(t, old, "the revoked certificate");
});

Deno.test("hub keeps refusing a revoked viewer when revoked.txt is deleted, emptied, truncated or garbled", async () => {
  await using t = await startTestHub();
  const path = `${t.pki.dir}/revoked.txt`;
  const eve = await t.pki.viewer("eve");
  const bob = await t.pki.viewer("bob");
  await replace(path, `# test\nserial:${eve.serialNumber}\nsha256:${bob.fingerprint256}\n`);
  await logged(t, "revocations", path, "entries=2");
  await assertRefused(t, eve, "revoked");

  const cases: Array<[string, () => Promise<void>, string]> = [
    ["deleted", () => Deno.remove(path), "File missing"],
    ["emptied", () => replace(path, ""), "File empty"],
    [
      "truncated",
      () =>
        replace(
          path,
          `# test\nserial:${eve.serialNumber}\nsha256:${bob.fingerprint256.slice(0, 9)}`,
        ),
      "line 3",
    ],
    [
      "garbled",
      () => Deno.writeFile(path, new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 0xff])),
      "line 1",
    ],
  ];
  for (const [what, damage, error] of cases) {
    await damage();
    await logged(t, "revocations-invalid level=error", path, error);
    await assertRefused(t, eve, `revoked.txt ${what}`);
    await assertRefused(t, bob, `revoked.txt ${what}`);
  }
  // A good list again is read again.
  await replace(path, `serial:${eve.serialNumber}\n`);
  await logged(t, "revocations", path, "entries=1");
  await assertRefused(t, eve, "still listed");
  await assertAdmitted(t, bob);
});

Deno.test("hub keeps refusing a certificate listed in crl.pem when the CRL is deleted, truncated or re-signed by another CA", async () => {
  await using t = await startTestHub();
  const path = `${t.pki.dir}/crl.pem`;
  const eve = await t.pki.viewer("eve");
  await replace(
    path,
    await createCrl(t.pki.signer, {
      entries: [{ serialNumber: eve.serialNumber, revokedAt: new Date() }],
      number: 2n,
    }),
  );
  await logged(t, "revocations", path, "entries=1");
  await assertRefused(t, eve, "in the CRL");
  const good = await Deno.readTextFile(path);
  // Same subject name as ours, another key.
  const other = await createCrl(await createSignerCa(await createRootCa()), {
    entries: [],
    number: 3n,
  });

  const cases: Array<[string, () => Promise<void>, string]> = [
    ["deleted", () => Deno.remove(path), "File missing"],
    ["truncated", () => replace(path, good.slice(0, good.length / 2)), "No PEM CRL"],
    ["signed by another CA", () => replace(path, other), "Signature does not verify"],
  ];
  for (const [what, damage, error] of cases) {
    await damage();
    await logged(t, "revocations-invalid level=error", path, error);
    await assertRefused(t, eve, `crl.pem ${what}`);
  }
});

Deno.test("startHub() refuses a CRL the signer CA did not sign, naming the file", async () => {
  const pki = await createTestPki();
  const data = await Deno.makeTempDir({ prefix: "trustcam_data_" });
  try {
    const stranger = await createSignerCa(await createRootCa());
    await Deno.writeTextFile(
      `${pki.dir}/crl.pem`,
      await createCrl(stranger, { entries: [], number: 1n }),
    );
    await assert.rejects(
      startHub({ certsDir: pki.dir, dataDir: data, host: "127.0.0.1", port: 0 }, {
        manifest,
        log: () => {},
      }),
      (err: Error & { path?: string }) => {
        assert.equal(err.name, "HubStartError");
        assert.match(
          err.message,
          /^Invalid certificate revocation list ".*\/crl\.pem": Signature does not verify/,
        );
        assert.equal(err.path, `${pki.dir}/crl.pem`);
        return true;
      },
    );
  } finally {
    await Deno.remove(data, { recursive: true });
    await pki.cleanup();
  }
});
