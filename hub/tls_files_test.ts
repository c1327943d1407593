import assert from "node:assert/strict";
import { createTestPki } from "../tests/pki_fixture.ts";
import { createRootCa, createSignerCa, issueServer } from "../lib/pki.ts";
import { loadTlsMaterial } from "./tls_files.ts";

async function expectStartError(mutate: (dir: string) => Promise<void>, message: RegExp) {
  const pki = await createTestPki();
  try {
    await mutate(pki.dir);
    assert.throws(() => loadTlsMaterial(pki.dir), (err: Error & { path?: string }) => {
      assert.equal(err.name, "HubStartError");
      assert.match(err.message, message);
      assert.ok(err.path?.startsWith(pki.dir), "names the file");
      return true;
    });
  } finally {
    await pki.cleanup();
  }
}

Deno.test("loadTlsMaterial() reads the seed's four files", async () => {
  const pki = await createTestPki();
  try {
    const tls = loadTlsMaterial(pki.dir);
    assert.equal(tls.ca.length, 2);
    assert.ok(tls.serverNotAfter > new Date());
  } finally {
    await pki.cleanup();
  }
});

Deno.test("loadTlsMaterial() names a missing file", async () => {
  await expectStartError(
    (dir) => Deno.remove(`${dir}/signer-ca.crt`),
    /^Cannot read ".*\/signer-ca\.crt": missing$/,
  );
});

Deno.test("loadTlsMaterial() names a key that does not match the server certificate", async () => {
  const other = await issueServer(await createSignerCa(await createRootCa()), {
    hosts: ["localhost"],
  });
  await expectStartError(
    (dir) => Deno.writeTextFile(`${dir}/server.key`, other.keyPem),
    /^Key ".*\/server\.key" does not match the first certificate in ".*\/server\.chain"$/,
  );
});

Deno.test("loadTlsMaterial() names a server certificate from another CA", async () => {
  const other = await issueServer(await createSignerCa(await createRootCa()), {
    hosts: ["localhost"],
  });
  await expectStartError(async (dir) => {
    await Deno.writeTextFile(`${dir}/server.key`, other.keyPem);
    await Deno.writeTextFile(`${dir}/server.chain`, other.certPem);
  }, /^Server certificate in ".*\/server\.chain" is not issued by ".*\/signer-ca\.crt"$/);
});

Deno.test("loadTlsMaterial() names a file that holds no certificate", async () => {
  await expectStartError(
    (dir) => Deno.writeTextFile(`${dir}/root-ca.crt`, "not a certificate\n"),
    /^No PEM certificate in ".*\/root-ca\.crt"$/,
  );
});

Deno.test("loadTlsMaterial() refuses a CA private key in the hub's directory and says where it belongs", async () => {
  for (const name of ["signer-ca.key", "root-ca.key"]) {
    await expectStartError(
      (dir) => Deno.writeTextFile(`${dir}/${name}`, "-----BEGIN PRIVATE KEY-----\n"),
      new RegExp(
        `^CA private key in the hub's certificates directory: ".*/${name}": move it to ` +
          `".*/ca/${name}" .* or off this machine`,
      ),
    );
  }
});
