/**
 * `/api/prefs` over real TLS: each viewer reads and writes its own preferences only (keyed by
 * its certificate's CN), bad bodies are refused with the parser's message, another site's
 * page is refused, the body limit fits the longest valid preferences, and what was saved is
 * there after a hub restart.
 */
import assert from "node:assert/strict";
import { startTestHub } from "./hub_fixture.ts";
import { DEFAULT_WALL_PREFS, MAX_PREF_CAMERAS } from "../lib/wall_prefs.ts";
import { PREFS_MAX_BODY_BYTES } from "../routes/api/prefs.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

type Body = { prefs?: unknown; error?: { code: string; message: string } };

Deno.test("hub keeps each viewer's own preferences, across a restart", async () => {
  await using t = await startTestHub();
  const alice = await t.pki.viewer("alice");
  const bob = await t.pki.viewer("bob");
  const origin = `https://127.0.0.1:${t.port}`;

  const first = await t.request("/api/prefs", { cert: alice });
  assert.equal(first.status, 200);
  assert.equal(first.headers["cache-control"], "no-store");
  assert.deepEqual(first.json(), { prefs: DEFAULT_WALL_PREFS });

  const saved = {
    columns: 3,
    sort: "custom",
    order: [B, A.toLowerCase()],
    favourites: [A],
    group: "Outside",
    dataSaver: true,
  };
  const put = await t.request("/api/prefs", {
    cert: alice,
    method: "PUT",
    body: JSON.stringify(saved),
    headers: { origin },
  });
  assert.equal(put.status, 200, put.text());
  const stored = { ...saved, order: [B, A] };
  assert.deepEqual(put.json(), { prefs: stored });
  // Bob's are his own: the defaults still, and his save does not touch alice's.
  assert.deepEqual((await t.request("/api/prefs", { cert: bob })).json(), {
    prefs: DEFAULT_WALL_PREFS,
  });
  const bobs = await t.request("/api/prefs", {
    cert: bob,
    method: "PUT",
    body: JSON.stringify({ columns: 1 }),
  });
  assert.equal(bobs.status, 200, "a tool without Origin saves too");

  await t.restart();
  assert.deepEqual((await t.request("/api/prefs", { cert: alice })).json(), { prefs: stored });
  assert.deepEqual((await t.request("/api/prefs", { cert: bob })).json(), {
    prefs: { ...DEFAULT_WALL_PREFS, columns: 1 },
  });
});

Deno.test("hub refuses bad preferences with the parser's message, and other sites' pages", async () => {
  await using t = await startTestHub();
  const alice = await t.pki.viewer("alice");
  const put = (body: string, headers: Record<string, string> = {}) =>
    t.request("/api/prefs", { cert: alice, method: "PUT", body, headers });

  const bad = await put(JSON.stringify({ columns: 7 }));
  assert.equal(bad.status, 400);
  assert.deepEqual((bad.json() as Body).error, {
    code: "TC_ERR_BAD_PREFS",
    message: 'Invalid columns: "7" (expected "auto" or 1 to 6)',
  });
  const unknown = await put(JSON.stringify({ columns: 2, theme: "light" }));
  assert.deepEqual((unknown.json() as Body).error, {
    code: "TC_ERR_BAD_PREFS",
    message: 'Unknown preference: "theme"',
  });
  const notJson = await put("{columns");
  assert.equal(notJson.status, 400);
  assert.deepEqual((notJson.json() as Body).error, {
    code: "TC_ERR_BAD_REQUEST",
    message: "Request body is not JSON",
  });

  const foreign = await put(JSON.stringify({ columns: 2 }), { origin: "https://evil.example" });
  assert.equal(foreign.status, 403);
  assert.deepEqual((foreign.json() as Body).error, {
    code: "TC_ERR_ORIGIN",
    message: 'Requests from another site are refused: "https://evil.example"',
  });
  // Nothing of the refused requests was stored.
  assert.deepEqual((await t.request("/api/prefs", { cert: alice })).json(), {
    prefs: DEFAULT_WALL_PREFS,
  });

  // A device certificate has no wall.
  const device = await t.pki.device(A);
  const fromDevice = await t.request("/api/prefs", { cert: device });
  assert.equal(fromDevice.status, 403);
});

Deno.test("hub takes the longest valid preferences and refuses a larger body with 413", async () => {
  await using t = await startTestHub();
  const alice = await t.pki.viewer("alice");
  const many = Array.from(
    { length: MAX_PREF_CAMERAS },
    (_, i) => `0123${i.toString(16).toUpperCase().padStart(14, "0")}`,
  );
  const longest = JSON.stringify({
    columns: "auto",
    sort: "custom",
    order: many,
    favourites: many,
    group: "G".repeat(64),
    dataSaver: false,
  });
  assert.ok(longest.length > 16 * 1024, "beyond the hub's default body limit");
  const ok = await t.request("/api/prefs", { cert: alice, method: "PUT", body: longest });
  assert.equal(ok.status, 200, ok.text());
  assert.equal(
    (ok.json() as { prefs: { order: string[] } }).prefs.order.length,
    MAX_PREF_CAMERAS,
  );

  // One camera too many still reaches the parser, which names the limit.
  const tooMany = await t.request("/api/prefs", {
    cert: alice,
    method: "PUT",
    body: JSON.stringify({ order: [...many, A] }),
  });
  assert.equal(tooMany.status, 400);
  assert.equal(
    (tooMany.json() as Body).error?.message,
    `Too many cameras in order: ${MAX_PREF_CAMERAS + 1} (at most ${MAX_PREF_CAMERAS})`,
  );

  const huge = `{"order":[${`"${A}",`.repeat(PREFS_MAX_BODY_BYTES / 21)}"${A}"]}`;
  const refused = await t.request("/api/prefs", { cert: alice, method: "PUT", body: huge });
  assert.equal(refused.status, 413);
  assert.deepEqual((refused.json() as Body).error, {
    code: "TC_ERR_BODY_TOO_LARGE",
    message: `Request body too large: ${huge.length} bytes > ${PREFS_MAX_BODY_BYTES}`,
  });
  // Other routes keep the 16 KiB default.
  const rename = await t.request(`/api/cameras/${A}`, {
    method: "PATCH",
    body: JSON.stringify({ name: "x".repeat(17 * 1024) }),
  });
  assert.equal(rename.status, 413);
});

Deno.test("hub answers 429 to a viewer saving preferences in a loop", async () => {
  await using t = await startTestHub();
  const alice = await t.pki.viewer("alice");
  // At once, so the bucket cannot refill in between (2 a second) however slow the machine.
  const responses = await Promise.all(
    Array.from({ length: 45 }, (_, i) =>
      t.request("/api/prefs", {
        cert: alice,
        method: "PUT",
        body: JSON.stringify({ columns: (i % 6) + 1 }),
      })),
  );
  const ok = responses.filter((r) => r.status === 200).length;
  const limited = responses.filter((r) => r.status === 429);
  assert.ok(ok >= 30, `${ok} saves admitted`);
  assert.ok(limited.length > 0, "no save was refused");
  assert.equal(ok + limited.length, 45);
  assert.deepEqual((limited[0].json() as Body).error, {
    code: "TC_ERR_RATE",
    message: "Too many saves: at most 120 a minute after 30 at once",
  });
  // Another viewer is not held back by alice's loop.
  const bob = await t.pki.viewer("bob");
  const res = await t.request("/api/prefs", { cert: bob, method: "PUT", body: "{}" });
  assert.equal(res.status, 200);
});
