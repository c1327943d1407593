import assert from "node:assert/strict";
import { Registry } from "../../lib/registry.ts";
import { TrustcamError } from "../../lib/errors.ts";
import { getPage, islandProps, pageState } from "../../tests/page_fixture.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

function state(admins?: string[]) {
  const registry = new Registry();
  registry.connected(A);
  registry.connected(B);
  registry.rename(A, "Garage <1>");
  registry.status(A, {
    fw: "trustcam-fw/1.0.0",
    uptime_s: 3600,
    rssi_dbm: -61,
    at: new Date().toISOString(),
  });
  return pageState({ registry, canSee: (_viewer, serial) => serial !== B, admins });
}

Deno.test("GET /cameras/:serial renders the camera page, escaped, with its status", async () => {
  const res = await getPage(state(), `/cameras/${A.toLowerCase()}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<title>Garage &lt;1> · trustcam<\/title>/);
  assert.match(html, /<h1 id="camera-title"[^>]*>Garage &lt;1><\/h1>/);
  assert.match(html, /trustcam-fw\/1\.0\.0/);
  assert.match(html, /-61 dBm \(good\)/);
  assert.match(html, /1 h 0 min/);
  assert.match(html, new RegExp(`href="/api/cameras/${A}/snapshot.jpg"`));
  const [view] = islandProps(html);
  assert.equal(view.name, "CameraView");
  assert.equal((view.props.camera as { serial: string }).serial, A);
});

Deno.test("GET /cameras/:serial refuses bad, hidden and unknown serials", async () => {
  const cases: [string, string][] = [
    ["/cameras/not-a-serial", "TC_ERR_BAD_SERIAL"],
    ["/cameras/%3Cscript%3E", "TC_ERR_BAD_SERIAL"],
    [`/cameras/${B}`, "TC_ERR_FORBIDDEN"],
    ["/cameras/0123FFFFFFFFFFFFFF", "TC_ERR_NOT_FOUND"],
  ];
  for (const [path, code] of cases) {
    await assert.rejects(
      () => getPage(state(), path),
      (err: unknown) => err instanceof TrustcamError && err.code === code,
      path,
    );
  }
});

Deno.test("GET /cameras/:serial shows the rename form to admins only", async () => {
  const admin = await (await getPage(state(["alice"]), `/cameras/${A}`)).text();
  assert.match(admin, /data-rename/);
  assert.equal(islandProps(admin)[0].props.canManage, true);
  const viewer = await (await getPage(state(["boss"]), `/cameras/${A}`)).text();
  assert.doesNotMatch(viewer, /data-rename|camera-name/);
  assert.equal(islandProps(viewer)[0].props.canManage, false);
});

Deno.test("GET /cameras/:serial?at= hands the island the moment to play from", async () => {
  const at = Date.now() - 60_000;
  const html = await (await getPage(state(), `/cameras/${A}?at=${at}`)).text();
  assert.equal(islandProps(html)[0].props.at, at);
  // Nonsense or the future: live, as without it.
  for (const bad of ["soon", String(Date.now() + 3_600_000)]) {
    const page = await (await getPage(state(), `/cameras/${A}?at=${bad}`)).text();
    assert.equal(islandProps(page)[0].props.at, undefined, bad);
  }
});
