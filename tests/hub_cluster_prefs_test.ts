/**
 * Wall preferences across hubs on a real nats-server: a layout saved through one hub is what
 * another hub serves the same CN, and a save made while NATS is away reaches the other hub
 * once it is back.
 */
import assert from "node:assert/strict";
import type { TestHub } from "./hub_fixture.ts";
import { waitFor } from "./hub_fixture.ts";
import { startNatsServer } from "./nats_fixture.ts";
import { clusterConnects, startClusterHub } from "./cluster_fixture.ts";
import { DEFAULT_WALL_PREFS, type WallPrefs } from "../lib/wall_prefs.ts";
import { prefsKey } from "../hub/cluster_prefs.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

async function prefsOn(t: TestHub, cn: string): Promise<WallPrefs> {
  const res = await t.request("/api/prefs", { cert: await t.pki.viewer(cn) });
  assert.equal(res.status, 200);
  return (res.json() as { prefs: WallPrefs }).prefs;
}

async function save(t: TestHub, cn: string, prefs: Partial<WallPrefs>): Promise<void> {
  const res = await t.request("/api/prefs", {
    cert: await t.pki.viewer(cn),
    method: "PUT",
    body: JSON.stringify(prefs),
  });
  assert.equal(res.status, 200, res.text());
}

/** Polls `GET /api/prefs` on `t` until it answers `want`. */
async function until(t: TestHub, cn: string, want: WallPrefs, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    const got = await prefsOn(t, cn);
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(got)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("prefsKey() gives every CN a valid, distinct KV key", () => {
  assert.equal(prefsKey("alice"), "cn.616c696365");
  assert.notEqual(prefsKey("a.b"), prefsKey("a b"));
  assert.match(prefsKey("Ünïcode * > name"), /^cn\.[0-9a-f]+$/);
});

Deno.test("hubs on NATS serve a viewer the layout it saved through any of them", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await waitFor(
    () => clusterConnects(a) === 1 && clusterConnects(b) === 1,
    10_000,
    "both hubs on NATS",
  );
  const layout = { ...DEFAULT_WALL_PREFS, columns: 4, sort: "custom", order: [B, A] } as WallPrefs;
  await save(a, "alice", layout);
  await until(b, "alice", layout, "alice's layout on hub B");
  // Bob's stays his own.
  assert.deepEqual(await prefsOn(b, "bob"), DEFAULT_WALL_PREFS);

  // Saved on B while NATS is away: B keeps it, and A has it once NATS is back.
  await nats.stop();
  const later = { ...layout, favourites: [A], columns: 2 } as WallPrefs;
  await save(b, "alice", later);
  assert.deepEqual(await prefsOn(b, "alice"), later);
  await nats.restart();
  await until(a, "alice", later, "the save made without NATS on hub A");

  // A hub started later reads what the others saved.
  await using c = await startClusterHub(nats);
  await until(c, "alice", later, "alice's layout on a new hub");
});
