/**
 * Roles over real TLS: who may rename, read /metrics and the /healthz counts, how fast an
 * admin may rename, and which names the hub refuses.
 */
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "./hub_fixture.ts";
import { MANAGE_BURST, MANAGE_PER_MINUTE } from "../lib/roles.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import { withPolicy } from "./admin_fixture.ts";

const CAM_A = "0123A1B2C3D4E5F6A7";

interface ErrorJson {
  error: { code: string; message: string };
}

function rename(t: TestHub, cert: IssuedCert, name: string) {
  return t.request(`/api/cameras/${CAM_A}`, {
    method: "PATCH",
    body: JSON.stringify({ name }),
    cert,
  });
}

const POLICY = {
  viewers: { "*": "*" },
  admins: ["boss"],
  metrics: ["prometheus"],
};

Deno.test("hub lets only admins rename, and re-reads who they are", async () => {
  await withPolicy(POLICY, async (policyFile) => {
    await using t = await startTestHub({ policyFile });
    await using _dev = await t.device(CAM_A);
    const boss = await t.pki.viewer("boss");
    const guard = await t.pki.viewer("guard");

    const refused = await rename(t, guard, "Guard's name");
    assert.equal(refused.status, 403);
    assert.deepEqual((refused.json() as ErrorJson).error, {
      code: "TC_ERR_FORBIDDEN",
      message: "Renaming cameras needs an admin certificate",
    });
    const unknown = await t.request("/api/cameras/0123FFFFFFFFFFFFFF", {
      method: "PATCH",
      body: '{"name":"x"}',
      cert: guard,
    });
    assert.equal(unknown.status, 403, "a non-admin learns nothing about unknown serials");
    const read = (await t.request(`/api/cameras/${CAM_A}`, { cert: guard })).json() as {
      name: string;
    };
    assert.equal(read.name, CAM_A, "the refused rename changed nothing");

    const ok = await rename(t, boss, "Front door");
    assert.equal(ok.status, 200);
    assert.equal((ok.json() as { name: string }).name, "Front door");

    await Deno.writeTextFile(policyFile, JSON.stringify({ ...POLICY, admins: ["boss", "guard"] }));
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await rename(t, guard, "Gate")).status;
    }
    assert.equal(status, 200, "the re-read policy makes the guard an admin");
  });
});

Deno.test("hub serves /metrics to admins and named scrapers only", async () => {
  await withPolicy(POLICY, async (policyFile) => {
    await using t = await startTestHub({ policyFile });
    const cases: [IssuedCert, number, string | undefined][] = [
      [await t.pki.viewer("boss"), 200, undefined],
      [await t.pki.viewer("prometheus"), 200, undefined],
      [await t.pki.viewer("guard"), 403, "TC_ERR_FORBIDDEN"],
      [await t.pki.device(CAM_A), 403, "TC_ERR_WRONG_ROLE"],
    ];
    for (const [cert, status, code] of cases) {
      const res = await t.request("/metrics", { cert });
      assert.equal(res.status, status, cert.cn);
      if (code) {
        assert.equal((res.json() as ErrorJson).error.code, code, cert.cn);
        assert.doesNotMatch(res.text(), /trustcam_/, "no metric leaks into the refusal");
      } else assert.match(res.text(), /^# HELP trustcam_/m);
    }
    const refusal = (await t.request("/metrics", { cert: cases[2][0] })).json() as ErrorJson;
    assert.equal(
      refusal.error.message,
      'Reading /metrics needs an admin certificate or one named in the policy\'s "metrics"',
    );
  });
});

Deno.test("hub gives /healthz counts to admins and a bare ok to everyone else", async () => {
  await withPolicy(POLICY, async (policyFile) => {
    await using t = await startTestHub({ policyFile });
    await using _dev = await t.device(CAM_A);
    const boss = await t.request("/healthz", { cert: await t.pki.viewer("boss") });
    assert.equal(boss.status, 200);
    assert.deepEqual(boss.json(), { ok: true, cameras: 1, online: 1 });
    for (
      const cert of [
        await t.pki.viewer("guard"),
        await t.pki.viewer("prometheus"),
        await t.pki.device("0123B1B2C3D4E5F6B7"),
      ]
    ) {
      const res = await t.request("/healthz", { cert });
      assert.equal(res.status, 200, cert.cn);
      assert.equal(res.text(), '{"ok":true}', cert.cn);
    }
  });
});

Deno.test("hub without a policy file makes every viewer an admin", async () => {
  await using t = await startTestHub();
  await using _dev = await t.device(CAM_A);
  const anyone = await t.pki.viewer("anyone");
  assert.equal((await rename(t, anyone, "Porch")).status, 200);
  assert.equal((await t.request("/metrics", { cert: anyone })).status, 200);
  assert.deepEqual((await t.request("/healthz", { cert: anyone })).json(), {
    ok: true,
    cameras: 1,
    online: 1,
  });
});

Deno.test("hub refuses an admin's renames after the burst with 429, per viewer", async () => {
  await using t = await startTestHub();
  await using _dev = await t.device(CAM_A);
  const flooder = await t.pki.viewer("flooder");
  const start = performance.now();
  const answers: Awaited<ReturnType<typeof rename>>[] = [];
  // The burst and three more, and on until one is refused: a machine so slow that a token
  // comes back per three renames still meets the limit, a little later.
  const refusedYet = () => answers.some((a) => a.status !== 200);
  for (let i = 0; i < MANAGE_BURST + 3 || (!refusedYet() && i < MANAGE_BURST + 60); i++) {
    answers.push(await rename(t, flooder, `Name ${i}`));
  }
  // One token comes back every second; a slow machine sees some during the loop.
  const refilled = Math.floor(((performance.now() - start) * MANAGE_PER_MINUTE) / 60_000);
  const statuses = answers.map((a) => a.status);
  assert.deepEqual(
    statuses.slice(0, MANAGE_BURST),
    Array(MANAGE_BURST).fill(200),
    "the burst is served",
  );
  const accepted = statuses.filter((s) => s === 200).length;
  assert.ok(accepted <= MANAGE_BURST + refilled, `${accepted} renames accepted: ${statuses}`);
  assert.ok(accepted < answers.length, `the flood is refused: ${statuses}`);
  for (const a of answers.filter((a) => a.status !== 200)) {
    assert.equal(a.status, 429);
    assert.deepEqual((a.json() as ErrorJson).error, {
      code: "TC_ERR_RATE",
      message: "Too many changes: at most 60 a minute after 30 at once",
    });
  }
  const other = await rename(t, await t.pki.viewer("other"), "Mine");
  assert.equal(other.status, 200, "another viewer has its own budget");
});

Deno.test("hub refuses invisible and malformed names with TC_ERR_BAD_NAME and stores NFC", async () => {
  await using t = await startTestHub();
  await using _dev = await t.device(CAM_A);
  const cases: [string, RegExp][] = [
    ["gpj.\u202Eexe", /has a bidirectional formatting character \(U\+202E\)$/],
    ["Door\u200B1", /has a zero-width character \(U\+200B\)$/],
    ["\uD800", /has a lone surrogate \(U\+D800\)$/],
    ["a\u0007b", /has control characters$/],
    ["a\nb", /has control characters$/],
  ];
  for (const [i, [name, message]] of cases.entries()) {
    // A certificate each, so the rename budget is not what answers.
    const res = await rename(t, await t.pki.viewer(`namer${i}`), name);
    assert.equal(res.status, 400, JSON.stringify(name));
    const { error } = res.json() as ErrorJson;
    assert.equal(error.code, "TC_ERR_BAD_NAME");
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /[\u202E\u200B]/, "the message shows escapes");
  }
  const nfc = await rename(t, await t.pki.viewer("nfc"), "Caf" + "e\u0301");
  assert.equal(nfc.status, 200);
  assert.equal((nfc.json() as { name: string }).name, "Caf\u00e9");
  const stored = (await t.request(`/api/cameras/${CAM_A}`)).json() as { name: string };
  assert.equal(stored.name, "Caf\u00e9");
});
