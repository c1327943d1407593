import assert from "node:assert/strict";
import { Registry } from "../lib/registry.ts";
import type { CameraGroups } from "../lib/camera_groups.ts";
import { getPage, islandProps, pageState } from "../tests/page_fixture.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

function state(admins?: string[]) {
  const registry = new Registry();
  registry.connected(A);
  registry.connected(B);
  registry.rename(A, "Gate");
  registry.setHidden(A, true);
  const groups: CameraGroups = {
    list: () => [
      { name: "secret", cameras: [B], source: "policy" },
      { name: "front", cameras: [A, B], source: "hub" },
    ],
  };
  return {
    ...pageState({ registry, admins, canSee: (_viewer, serial) => serial !== B }),
    groups,
  };
}

Deno.test("GET /settings renders the cameras and groups this viewer may see", async () => {
  const res = await getPage(state(), "/settings");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<title>Settings · trustcam<\/title>/);
  assert.match(html, /<a href="\/settings"[^>]*aria-current="page"[^>]*data-nav="settings"/);
  assert.ok(!html.includes(B), "a camera the policy hides reached the page");
  assert.match(html, /data-hidden-camera="0123A1B2C3D4E5F6A7"/);
  assert.match(html, /data-show="0123A1B2C3D4E5F6A7"/);
  const [settings] = islandProps(html);
  assert.equal(settings.name, "Settings");
  assert.equal(settings.props.canManage, true);
  assert.deepEqual(settings.props.groups, [{ name: "front", cameras: [A], source: "hub" }]);
  assert.deepEqual((settings.props.cameras as { serial: string }[]).map((c) => c.serial), [A]);
});

Deno.test("GET /settings shows a non-admin the lists without the actions, and says why", async () => {
  const html = await (await getPage(state(["boss"]), "/settings")).text();
  assert.match(html, /Only admins can hide, remove or group cameras/);
  assert.doesNotMatch(html, /data-show=|data-remove=|data-hide=|data-new-group/);
  assert.match(html, /data-hidden-camera="0123A1B2C3D4E5F6A7"/);
  assert.equal(islandProps(html)[0].props.canManage, false);
});

Deno.test("Every page's header links to the settings page", async () => {
  const html = await (await getPage(state(), "/events")).text();
  assert.match(html, /<a href="\/settings"[^>]*data-nav="settings"[^>]*>Settings<\/a>/);
  assert.doesNotMatch(html, /href="\/settings"[^>]*aria-current/);
});
