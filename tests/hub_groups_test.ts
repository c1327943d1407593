/**
 * Camera groups over real TLS (issue 14): the policy file's groups read-only, hub groups
 * defined by admins and kept across a restart, each viewer told only the members it may see,
 * and open walls told to refetch.
 */
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "./hub_fixture.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import { withPolicy } from "./admin_fixture.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";
const C = "0123C1B2C3D4E5F6C7";

interface ErrorJson {
  error: { code: string; message: string };
}
interface Group {
  name: string;
  cameras: string[];
  source: string;
}

const POLICY = {
  groups: { entrance: [A, B] },
  viewers: { boss: "*", guard: [A], "*": "*" },
  admins: ["boss"],
};

const groupsOf = async (t: TestHub, cert?: IssuedCert) =>
  ((await t.request("/api/groups", { cert })).json() as { groups: Group[] }).groups;

function put(t: TestHub, name: string, body: unknown, cert?: IssuedCert) {
  return t.request(`/api/groups/${encodeURIComponent(name)}`, {
    method: "PUT",
    body: JSON.stringify(body),
    cert,
  });
}

Deno.test("hub groups: admins define and delete them, each viewer sees only its cameras", async () => {
  await withPolicy(POLICY, async (policyFile) => {
    await using t = await startTestHub({ policyFile });
    const boss = await t.pki.viewer("boss");
    const guard = await t.pki.viewer("guard");
    const wall = await t.viewer("guard", undefined, guard);
    await wall.until(() => wall.texts.some((m) => (m as { type: string }).type === "hello"));

    assert.deepEqual(await groupsOf(t, boss), [
      { name: "entrance", cameras: [A, B], source: "policy" },
    ]);
    const refused = await put(t, "yard", { cameras: [B] }, guard);
    assert.equal(refused.status, 403);
    assert.equal(
      (refused.json() as ErrorJson).error.message,
      "Defining groups needs an admin certificate",
    );
    const policyName = await put(t, "entrance", { cameras: [A] }, boss);
    assert.equal(policyName.status, 400);
    assert.deepEqual((policyName.json() as ErrorJson).error, {
      code: "TC_ERR_BAD_REQUEST",
      message: 'Group "entrance" is defined by the policy file: change it there',
    });
    const badName = await put(t, " ", { cameras: [A] }, boss);
    assert.equal(badName.status, 400);
    assert.equal((badName.json() as ErrorJson).error.message, 'Invalid group name: " " is empty');
    const badBody = await put(t, "yard", { cameras: [] }, boss);
    assert.equal(badBody.status, 400);
    assert.equal((badBody.json() as ErrorJson).error.message, "A group needs at least one camera");
    const foreign = await t.request("/api/groups/yard", {
      method: "PUT",
      body: JSON.stringify({ cameras: [B] }),
      cert: boss,
      headers: { origin: "https://evil.example" },
    });
    assert.equal(foreign.status, 403);
    assert.equal((foreign.json() as ErrorJson).error.code, "TC_ERR_ORIGIN");

    const made = await put(t, "  Back yard ", { cameras: [C, B, C.toLowerCase()] }, boss);
    assert.equal(made.status, 200);
    assert.deepEqual(made.json(), { name: "Back yard", cameras: [C, B], source: "hub" });
    await wall.until(() => wall.texts.some((m) => (m as { type: string }).type === "groups"));
    assert.equal((await put(t, "Mixed", { cameras: [A, C] }, boss)).status, 200);

    assert.deepEqual(await groupsOf(t, boss), [
      { name: "entrance", cameras: [A, B], source: "policy" },
      { name: "Back yard", cameras: [C, B], source: "hub" },
      { name: "Mixed", cameras: [A, C], source: "hub" },
    ]);
    // The guard sees A only: "Back yard" (C, B) is left out, and no group names B or C.
    const seen = await groupsOf(t, guard);
    assert.deepEqual(seen, [
      { name: "entrance", cameras: [A], source: "policy" },
      { name: "Mixed", cameras: [A], source: "hub" },
    ]);
    assert.ok(!JSON.stringify(seen).includes(B) && !JSON.stringify(seen).includes(C));

    await t.restart();
    assert.deepEqual((await groupsOf(t, boss)).map((g) => g.name), [
      "entrance",
      "Back yard",
      "Mixed",
    ]);

    const del = await t.request("/api/groups/Mixed", { method: "DELETE", cert: boss });
    assert.equal(del.status, 204);
    const again = await t.request("/api/groups/Mixed", { method: "DELETE", cert: boss });
    assert.equal(again.status, 404);
    assert.deepEqual((again.json() as ErrorJson).error, {
      code: "TC_ERR_NOT_FOUND",
      message: 'Unknown group: "Mixed"',
    });
    const policyDel = await t.request("/api/groups/entrance", { method: "DELETE", cert: boss });
    assert.equal(policyDel.status, 400);
    const guardDel = await t.request("/api/groups/Back%20yard", { method: "DELETE", cert: guard });
    assert.equal(guardDel.status, 403);
    await t.restart();
    assert.deepEqual((await groupsOf(t, boss)).map((g) => g.name), ["entrance", "Back yard"]);
  });
});

Deno.test("hub groups follow a policy reload and tell open walls", async () => {
  await withPolicy(POLICY, async (policyFile) => {
    await using t = await startTestHub({ policyFile });
    const wall = await t.viewer("watcher");
    await wall.until(() => wall.texts.some((m) => (m as { type: string }).type === "hello"));
    await Deno.writeTextFile(
      policyFile,
      JSON.stringify({ ...POLICY, groups: { entrance: [A], garage: [C] } }),
    );
    await wall.until(
      () => wall.texts.some((m) => (m as { type: string }).type === "groups"),
      10_000,
      "groups notice after the policy reload",
    );
    assert.deepEqual(await groupsOf(t), [
      { name: "entrance", cameras: [A], source: "policy" },
      { name: "garage", cameras: [C], source: "policy" },
    ]);
  });
});
