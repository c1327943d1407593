import assert from "node:assert/strict";
import { join } from "node:path";
import { HubGroups } from "./group_store.ts";
import type { CameraGroup } from "../lib/camera_groups.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

Deno.test("HubGroups keeps hub groups across close and reopen, after the policy's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "groups.db");
    let policy: CameraGroup[] = [{ name: "entrance", cameras: [A], source: "policy" }];
    let changes = 0;
    const open = () =>
      new HubGroups({ path, policyGroups: () => policy, onChange: () => changes++ });
    const g1 = open();
    assert.deepEqual(g1.define("yard", [B, A]), { name: "yard", cameras: [B, A], source: "hub" });
    g1.define("attic", [A]);
    g1.define("attic", [B]);
    assert.equal(g1.remove("nothing"), false);
    assert.equal(changes, 3);
    g1.close();
    const g2 = open();
    assert.deepEqual(g2.list(), [
      { name: "entrance", cameras: [A], source: "policy" },
      { name: "attic", cameras: [B], source: "hub" },
      { name: "yard", cameras: [B, A], source: "hub" },
    ]);
    assert.equal(g2.isPolicyGroup("entrance"), true);
    assert.equal(g2.isPolicyGroup("yard"), false);
    // The policy file gains "yard": its group wins while it has it.
    policy = [...policy, { name: "yard", cameras: [A], source: "policy" }];
    assert.deepEqual(g2.list().map((g) => `${g.source}:${g.name}`), [
      "policy:entrance",
      "policy:yard",
      "hub:attic",
    ]);
    assert.equal(g2.remove("attic"), true);
    g2.close();
    const g3 = open();
    assert.deepEqual(g3.list().map((g) => g.name), ["entrance", "yard"]);
    g3.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
