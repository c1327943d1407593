import assert from "node:assert/strict";
import { Registry } from "../lib/registry.ts";
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
