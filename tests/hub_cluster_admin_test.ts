/**
 * Hide and remove across hubs on a real nats-server (issue 14): an admin's change on hub A
 * reaches hub B's registry, API and viewers.
 */
import assert from "node:assert/strict";
import type { CameraInfo } from "../lib/registry.ts";
import type { TestHub } from "./hub_fixture.ts";
import { waitFor } from "./hub_fixture.ts";
import { startNatsServer } from "./nats_fixture.ts";
import { clusterConnects, startClusterHub } from "./cluster_fixture.ts";
import { until } from "./wait_for.ts";

const CAM = "0123A1B2C3D4E5F6A7";

const cameraOn = async (t: TestHub) => {
  const { cameras } = (await t.request("/api/cameras")).json() as { cameras: CameraInfo[] };
  return cameras.find((c) => c.serial === CAM);
};

const events = (texts: unknown[], event: string) =>
  texts.filter((t) => {
    const m = t as { type?: string; event?: string };
    return m.type === "camera" && m.event === event;
  }) as Array<{ camera: CameraInfo }>;

Deno.test("Cluster: hiding and removing a camera on hub A reaches hub B and its viewers", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await waitFor(() => clusterConnects(a) === 1 && clusterConnects(b) === 1, 5000, "on NATS");
  const viewer = await b.viewer("bob");
  await viewer.until(() => viewer.texts.length >= 1, 5000, "hello on B");

  const dev = await a.device(CAM);
  await until(async () => (await cameraOn(b))?.state === "online", 5000, "CAM online on B");
  const hidden = await a.request(`/api/cameras/${CAM}/hidden`, {
    method: "PUT",
    body: '{"hidden":true}',
  });
  assert.equal(hidden.status, 200);
  await until(async () => (await cameraOn(b))?.hidden === true, 5000, "CAM hidden on B");
  await viewer.until(() => events(viewer.texts, "hidden").length > 0, 5000, "hidden on B");
  assert.equal(events(viewer.texts, "hidden").at(-1)?.camera.hidden, true);

  // Online on A: B refuses the removal too, naming the state.
  const refused = await b.request(`/api/cameras/${CAM}`, { method: "DELETE" });
  assert.equal(refused.status, 409);
  await dev.close();
  await until(async () => (await cameraOn(b))?.state === "offline", 5000, "CAM offline on B");
  const removed = await a.request(`/api/cameras/${CAM}`, { method: "DELETE" });
  assert.equal(removed.status, 200);
  await until(async () => (await cameraOn(b)) === undefined, 5000, "CAM gone from B");
  await until(async () => (await cameraOn(a)) === undefined, 5000, "CAM gone from A");
  await viewer.until(() => events(viewer.texts, "removed").length > 0, 5000, "removed on B");
  assert.equal((await b.request(`/api/cameras/${CAM}`)).status, 404);
});

Deno.test("Cluster: a group an admin defines or deletes on hub A reaches hub B", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await waitFor(() => clusterConnects(a) === 1 && clusterConnects(b) === 1, 5000, "on NATS");
  const viewer = await b.viewer("bob");
  await viewer.until(() => viewer.texts.length >= 1, 5000, "hello on B");
  const groupsOn = async (t: TestHub) =>
    ((await t.request("/api/groups")).json() as { groups: { name: string; cameras: string[] }[] })
      .groups;

  const put = await a.request("/api/groups/Back%20yard", {
    method: "PUT",
    body: JSON.stringify({ cameras: [CAM] }),
  });
  assert.equal(put.status, 200);
  await until(async () => (await groupsOn(b)).some((g) => g.name === "Back yard"), 5000, "on B");
  assert.deepEqual(await groupsOn(b), [{ name: "Back yard", cameras: [CAM], source: "hub" }]);
  await viewer.until(
    () => viewer.texts.some((m) => (m as { type: string }).type === "groups"),
    5000,
    "groups notice on B",
  );

  assert.equal((await a.request("/api/groups/Back%20yard", { method: "DELETE" })).status, 204);
  await until(async () => (await groupsOn(b)).length === 0, 5000, "deleted on B");
  assert.deepEqual(await groupsOn(a), []);
});
