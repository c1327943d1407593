import assert from "node:assert/strict";
import { Registry } from "../lib/registry.ts";
import { getPage, islandProps, pageState } from "../tests/page_fixture.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

function state() {
  const registry = new Registry();
  registry.connected(A);
  registry.connected(B);
  registry.rename(A, "Garage <1>");
  return pageState({ registry, canSee: (_viewer, serial) => serial !== B });
}

Deno.test("GET /events renders the events page with the cameras this viewer may see", async () => {
  const res = await getPage(state(), "/events");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<title>Motion events · trustcam<\/title>/);
  assert.match(html, /<h1 id="events-title"[^>]*>Motion events/);
  assert.match(html, /<option value="0123A1B2C3D4E5F6A7">Garage &lt;1><\/option>/);
  assert.ok(!html.includes(B), "a camera the policy hides reached the page");
  // The header links here, marked as the current page.
  assert.match(html, /<a href="\/events"[^>]*aria-current="page"[^>]*data-nav="events"/);
  const [events] = islandProps(html);
  assert.equal(events.name, "Events");
  assert.deepEqual(events.props.cameras, [{ serial: A, name: "Garage <1>" }]);
  assert.equal(events.props.camera, undefined);
});

Deno.test("GET /events?camera= picks a visible camera, and ignores a hidden one", async () => {
  const one = await (await getPage(state(), `/events?camera=${A.toLowerCase()}`)).text();
  assert.equal(islandProps(one)[0].props.camera, A);
  const hidden = await (await getPage(state(), `/events?camera=${B}`)).text();
  assert.equal(islandProps(hidden)[0].props.camera, undefined);
  assert.ok(!hidden.includes(B));
});

Deno.test("Every page's header links to the events page", async () => {
  const html = await (await getPage(state(), "/")).text();
  assert.match(html, /<a href="\/events"[^>]*data-nav="events"[^>]*>Motion events<\/a>/);
  assert.doesNotMatch(html, /href="\/events"[^>]*aria-current/);
});
