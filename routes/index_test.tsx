import assert from "node:assert/strict";
import { Registry } from "../lib/registry.ts";
import type { HubState } from "../lib/hub_state.ts";
import { DEFAULT_WALL_PREFS } from "../lib/wall_prefs.ts";
import { getPage, islandProps, pageState } from "../tests/page_fixture.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

Deno.test("GET / renders the wall with the cameras this viewer may see", async () => {
  const registry = new Registry();
  registry.connected(A);
  registry.connected(B);
  registry.rename(A, `Front <door> & "porch"`);
  const state = pageState({
    registry,
    canSee: (viewer, serial) => viewer === "alice" && serial === A,
  });
  const res = await getPage(state, "/");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-security-policy")!, /script-src 'self'/);
  const html = await res.text();
  assert.match(html, /<title>Wall · trustcam<\/title>/);
  // Server-rendered tile, escaped, before any script runs.
  assert.ok(html.includes(`Front &lt;door> &amp; &quot;porch&quot;`));
  assert.ok(html.includes(`href="/cameras/${A}"`));
  assert.ok(!html.includes(B), "a camera the policy hides reached the page");
  const [wall] = islandProps(html);
  assert.equal(wall.name, "Wall");
  const cams = wall.props.cameras as { serial: string; name: string }[];
  assert.deepEqual(cams.map((c) => [c.serial, c.name]), [[A, `Front <door> & "porch"`]]);
  assert.match(html, /<script type="module" src="\/_trustcam\/islands-0{16}\.js"><\/script>/);
  assert.match(html, /data-viewer>alice</);
});

Deno.test("GET / on an empty hub explains how to connect a camera", async () => {
  const html = await (await getPage(pageState(), "/")).text();
  assert.match(html, /No cameras yet/);
  assert.match(html, /firmware\//);
  assert.match(html, /deno task cameras/);
  assert.match(html, /deno task certs device SERIAL/);
});

Deno.test("GET / renders the viewer's saved layout and its groups, without hidden cameras", async () => {
  const C = "0123C1B2C3D4E5F6C7";
  const registry = new Registry();
  for (const s of [A, B, C]) registry.connected(s);
  registry.rename(A, "Alpha");
  registry.rename(B, "Bravo");
  registry.rename(C, "Charlie");
  const saved = {
    ...DEFAULT_WALL_PREFS,
    columns: 2 as const,
    sort: "custom" as const,
    order: [C, A],
    favourites: [B],
  };
  const asked: string[] = [];
  const base = pageState({ registry, canSee: (_viewer, serial) => serial !== B });
  const state: HubState = {
    ...base,
    wallPrefs: {
      get(cn) {
        asked.push(cn);
        return saved;
      },
      set() {},
    },
    groups: {
      list: () => [
        { name: "Outside", cameras: [A, B], source: "policy" },
        { name: "Secret", cameras: [B], source: "hub" },
        { name: "Lobby", cameras: [C], source: "hub" },
      ],
    },
  };
  const html = await (await getPage(state, "/")).text();
  assert.deepEqual(asked, ["alice"]);
  const [wall] = islandProps(html);
  assert.deepEqual(wall.props.prefs, saved);
  // Members the viewer may not see are gone, and so is a group left empty by that.
  assert.deepEqual(wall.props.groups, [
    { name: "Outside", cameras: [A] },
    { name: "Lobby", cameras: [C] },
  ]);
  // The first paint is the saved layout: two columns, custom order.
  assert.match(html, /class="grid grid-cols-2 gap-4"/);
  const tiles = [...html.matchAll(/data-tile="([0-9A-F]+)"/g)].map((m) => m[1]);
  assert.deepEqual(tiles, [C, A]);
  assert.match(html, /aria-pressed="true"[^>]*data-columns="2"/);

  // Hidden by an admin (ADMIN's registry sets the flag): out of the page.
  const hiddenState: HubState = {
    ...state,
    registry: Object.assign(Object.create(registry), {
      list: () => registry.list().map((c) => c.serial === C ? { ...c, hidden: true } : c),
    }),
  };
  const hiddenHtml = await (await getPage(hiddenState, "/")).text();
  // Its serial stays in the saved order (harmless), but no tile or camera entry has it.
  assert.ok(!hiddenHtml.includes(`data-tile="${C}"`), "a hidden camera's tile reached the page");
  const [hiddenWall] = islandProps(hiddenHtml);
  assert.deepEqual(
    (hiddenWall.props.cameras as { serial: string }[]).map((c) => c.serial),
    [A],
  );
});

Deno.test("GET / without stored preferences renders the defaults and no group filter", async () => {
  const registry = new Registry();
  registry.connected(A);
  const html = await (await getPage(pageState({ registry }), "/")).text();
  const [wall] = islandProps(html);
  assert.deepEqual(wall.props.prefs, DEFAULT_WALL_PREFS);
  assert.deepEqual(wall.props.groups, []);
  assert.ok(!html.includes("data-group-filter"));
  assert.match(html, /data-columns="auto"/);
});
