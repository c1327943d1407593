/**
 * Hiding and removing cameras over real TLS (issue 14): admins only, persisted, viewers told,
 * a camera online refused, recordings kept, a removed camera back as new on reconnect.
 */
import assert from "node:assert/strict";
import { fakeJpeg, startTestHub, type TestHub } from "./hub_fixture.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import { listSegments } from "../hub/archive_reader.ts";
import { withPolicy } from "./admin_fixture.ts";
import { until } from "./wait_for.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const CAM_B = "0123B1B2C3D4E5F6B7";

interface ErrorJson {
  error: { code: string; message: string };
}
interface CameraJson {
  serial: string;
  name: string;
  state: string;
  hidden: boolean;
  frames: number;
}
type Text = { type: string; event?: string; camera?: CameraJson; cameras?: CameraJson[] };

const POLICY = { viewers: { "*": "*" }, admins: ["boss"] };

function hide(t: TestHub, hidden: unknown, cert?: IssuedCert, serial = CAM) {
  return t.request(`/api/cameras/${serial}/hidden`, {
    method: "PUT",
    body: JSON.stringify({ hidden }),
    cert,
  });
}

function remove(t: TestHub, cert?: IssuedCert, serial = CAM, headers?: Record<string, string>) {
  return t.request(`/api/cameras/${serial}`, { method: "DELETE", cert, headers });
}

function send(ws: { send(d: Uint8Array, cb: (err?: Error) => void): void }, data: Uint8Array) {
  return new Promise<void>((resolve, reject) => ws.send(data, (e) => e ? reject(e) : resolve()));
}

const cameraEvents = (texts: unknown[], event: string) =>
  (texts as Text[]).filter((m) => m.type === "camera" && m.event === event);

Deno.test("hub hides a camera for admins only, tells viewers, keeps it across a restart", async () => {
  await withPolicy(POLICY, async (policyFile) => {
    await using t = await startTestHub({ policyFile });
    const boss = await t.pki.viewer("boss");
    const guard = await t.pki.viewer("guard");
    const dev = await t.device(CAM);
    const watcher = await t.viewer("watcher");
    await watcher.until(() => (watcher.texts as Text[]).some((m) => m.type === "hello"));

    const refused = await hide(t, true, guard);
    assert.equal(refused.status, 403);
    assert.deepEqual((refused.json() as ErrorJson).error, {
      code: "TC_ERR_FORBIDDEN",
      message: "Hiding cameras needs an admin certificate",
    });
    const bad = await hide(t, "yes", boss);
    assert.equal(bad.status, 400);
    assert.deepEqual((bad.json() as ErrorJson).error, {
      code: "TC_ERR_BAD_REQUEST",
      message: 'Request body needs "hidden": true or false',
    });
    const foreign = await t.request(`/api/cameras/${CAM}/hidden`, {
      method: "PUT",
      body: '{"hidden":true}',
      cert: boss,
      headers: { origin: "https://evil.example" },
    });
    assert.equal(foreign.status, 403, "another site's page may not hide cameras");
    assert.equal((foreign.json() as ErrorJson).error.code, "TC_ERR_ORIGIN");
    const listed = (await t.request("/api/cameras")).json() as { cameras: CameraJson[] };
    assert.deepEqual(listed.cameras.map((c) => [c.serial, c.hidden]), [[CAM, false]]);

    const ok = await hide(t, true, boss);
    assert.equal(ok.status, 200);
    assert.equal((ok.json() as CameraJson).hidden, true);
    await watcher.until(() => cameraEvents(watcher.texts, "hidden").length === 1);
    assert.equal(cameraEvents(watcher.texts, "hidden")[0].camera?.hidden, true);
    assert.equal(((await t.request(`/api/cameras/${CAM}`)).json() as CameraJson).hidden, true);

    await dev.close();
    await watcher.close();
    await t.restart();
    const after = (await t.request(`/api/cameras/${CAM}`)).json() as CameraJson;
    assert.equal(after.hidden, true, "hidden survives a restart on the same data dir");
    const next = await t.viewer("watcher");
    await next.until(() => (next.texts as Text[]).some((m) => m.type === "hello"));
    const hello = (next.texts as Text[]).find((m) => m.type === "hello")!;
    assert.deepEqual(hello.cameras?.map((c) => [c.serial, c.hidden]), [[CAM, true]]);

    assert.equal((await hide(t, false, boss)).status, 200);
    await next.until(() => cameraEvents(next.texts, "hidden").length === 1);
    assert.equal(cameraEvents(next.texts, "hidden")[0].camera?.hidden, false);
    await t.restart();
    assert.equal(((await t.request(`/api/cameras/${CAM}`)).json() as CameraJson).hidden, false);
  });
});

Deno.test("hub removes an offline camera only, keeps its recordings, and takes it back as new", async () => {
  await withPolicy(POLICY, async (policyFile) => {
    await using t = await startTestHub({ policyFile, record: "continuous" });
    const boss = await t.pki.viewer("boss");
    const guard = await t.pki.viewer("guard");
    const watcher = await t.viewer("watcher");
    const dev = await t.device(CAM);
    for (let i = 1; i <= 5; i++) await send(dev.ws, fakeJpeg(300, i));
    await watcher.until(() => watcher.binary.length === 5);
    assert.equal(
      (await t.request(`/api/cameras/${CAM}`, {
        method: "PATCH",
        body: '{"name":"Gate"}',
        cert: boss,
      })).status,
      200,
    );

    const online = await remove(t, boss);
    assert.equal(online.status, 409);
    assert.deepEqual((online.json() as ErrorJson).error, {
      code: "TC_ERR_CAMERA_ONLINE",
      message:
        `Camera "Gate" (${CAM}) is online: disconnect it or revoke its certificate before removing it`,
    });
    const notAdmin = await remove(t, guard);
    assert.equal(notAdmin.status, 403);
    assert.equal(
      (notAdmin.json() as ErrorJson).error.message,
      "Removing cameras needs an admin certificate",
    );
    const unknown = await remove(t, boss, CAM_B);
    assert.equal(unknown.status, 404);
    assert.deepEqual((unknown.json() as ErrorJson).error, {
      code: "TC_ERR_NOT_FOUND",
      message: `Unknown camera: "${CAM_B}"`,
    });

    await dev.close();
    await until(
      async () => {
        const c = (await t.request(`/api/cameras/${CAM}`)).json() as CameraJson;
        return c.state === "offline";
      },
      5000,
      "camera offline",
    );
    // The recorder writes on the hub's one-second tick: wait for the segment, then remove.
    const dir = `${t.dataDir}/recordings/${CAM}`;
    await until(async () => (await listSegments(dir).catch(() => [])).length > 0, 5000, "segment");
    const segments = await listSegments(dir);
    const snapshot = `${t.dataDir}/snapshots/${CAM}.jpg`;
    await until(() => Deno.stat(snapshot).then(() => true, () => false), 5000, "snapshot file");

    const foreign = await remove(t, boss, CAM, { origin: "https://evil.example" });
    assert.equal(foreign.status, 403);
    assert.equal((foreign.json() as ErrorJson).error.code, "TC_ERR_ORIGIN");

    const group = (name: string, cameras: string[]) =>
      t.request(`/api/groups/${name}`, {
        method: "PUT",
        body: JSON.stringify({ cameras }),
        cert: boss,
      });
    assert.equal((await group("Outside", [CAM, CAM_B])).status, 200);
    assert.equal((await group("Gate", [CAM])).status, 200);

    const gone = await remove(t, boss);
    assert.equal(gone.status, 200);
    // It leaves the hub's groups; one left empty goes.
    assert.deepEqual((await t.request("/api/groups", { cert: boss })).json(), {
      groups: [{ name: "Outside", cameras: [CAM_B], source: "hub" }],
    });
    assert.equal((gone.json() as CameraJson).name, "Gate");
    await watcher.until(() => cameraEvents(watcher.texts, "removed").length === 1);
    assert.equal(cameraEvents(watcher.texts, "removed")[0].camera?.serial, CAM);
    assert.deepEqual((await t.request("/api/cameras")).json(), { cameras: [] });
    assert.equal((await t.request(`/api/cameras/${CAM}`)).status, 404);
    const later = await t.viewer("later");
    await later.until(() => (later.texts as Text[]).some((m) => m.type === "hello"));
    assert.deepEqual((later.texts as Text[]).find((m) => m.type === "hello")?.cameras, []);
    assert.deepEqual(await listSegments(dir), segments, "recordings are kept");
    await until(() => Deno.stat(snapshot).then(() => false, () => true), 5000, "snapshot gone");

    await t.restart({ record: "off" });
    assert.deepEqual((await t.request("/api/cameras")).json(), { cameras: [] }, "still gone");
    const back = await t.device(CAM);
    await until(async () => (await t.request(`/api/cameras/${CAM}`)).status === 200, 5000);
    const fresh = (await t.request(`/api/cameras/${CAM}`)).json() as CameraJson;
    assert.deepEqual([fresh.name, fresh.frames, fresh.hidden], [CAM, 0, false], "back as new");
    const picture = await t.request(`/api/cameras/${CAM}/snapshot.jpg`);
    assert.equal(picture.status, 404, "no old picture before its first frame");
    await back.close();
  });
});
