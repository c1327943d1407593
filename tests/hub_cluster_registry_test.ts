/**
 * One view of the cameras across hubs on a real nats-server (issue 13, item 2): a camera
 * online on hub A is listed on hub B online with its holder hub, B's viewers hear of it, and
 * it reads offline on B when A loses it.
 */
import assert from "node:assert/strict";
import { headers } from "@nats-io/transport-node";
import { type CameraInfo, Registry } from "../lib/registry.ts";
import {
  encodePresence,
  PRESENCE_SUBJECT,
  PRESENCE_TIMEOUT_MS,
  RemoteCameras,
} from "../lib/remote_cameras.ts";
import { cameraMessage } from "../lib/protocol.ts";
import { encodeEvent, eventSubject, HUB_HEADER } from "../lib/bus_wire.ts";
import type { TestHub } from "./hub_fixture.ts";
import { waitFor } from "./hub_fixture.ts";
import { type NatsServer, startNatsServer } from "./nats_fixture.ts";
import { clusterConnects, natsClient, startClusterHub } from "./cluster_fixture.ts";
import type { NatsBus } from "../hub/nats_bus.ts";

const CAM = "0123A1B2C3D4E5F6A7";

const hubIdOf = (t: TestHub) => (t.hub.state.bus as NatsBus).hubId;

/** `GET /api/cameras` on `t` once `pred` holds for the camera CAM in it, polled for `ms`. */
async function apiCameraWhen(
  t: TestHub,
  pred: (c: CameraInfo | undefined) => boolean,
  what: string,
  ms = 5000,
): Promise<CameraInfo | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const res = await t.request("/api/cameras");
    assert.equal(res.status, 200);
    const { cameras } = res.json() as { cameras: CameraInfo[] };
    const c = cameras.find((c) => c.serial === CAM);
    if (pred(c)) return c;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Two hubs on one nats-server, both connected. */
async function twoHubs(nats: NatsServer): Promise<[TestHub, TestHub]> {
  const a = await startClusterHub(nats);
  const b = await startClusterHub(nats);
  await waitFor(
    () => clusterConnects(a) === 1 && clusterConnects(b) === 1,
    5000,
    "both hubs on NATS",
  );
  return [a, b];
}

const cameraEvents = (texts: unknown[]) =>
  texts.filter((t) => (t as { type?: string }).type === "camera") as Array<
    { event: string; camera: CameraInfo }
  >;

Deno.test("Cluster registry: a camera online on hub A is listed online on hub B with hub A, then offline", async () => {
  await using nats = await startNatsServer();
  const [a, b] = await twoHubs(nats);
  await using _a = a;
  await using _b = b;
  const viewer = await b.viewer("bob");
  await viewer.until(() => viewer.texts.length >= 1, 5000, "hello on B");

  const onA = await a.device(CAM);
  const online = await apiCameraWhen(b, (c) => c?.state === "online", "CAM online on B");
  assert.equal(online?.hub, hubIdOf(a));
  assert.equal((await apiCameraWhen(a, (c) => c !== undefined, "CAM on A"))?.hub, hubIdOf(a));
  const one = await b.request(`/api/cameras/${CAM}`);
  assert.equal(one.status, 200);
  assert.equal((one.json() as CameraInfo).hub, hubIdOf(a));
  await viewer.until(
    () => cameraEvents(viewer.texts).some((e) => e.event === "online"),
    5000,
    "the online event on B",
  );
  const event = cameraEvents(viewer.texts).find((e) => e.event === "online");
  assert.equal(event?.camera.hub, hubIdOf(a));

  // A viewer connecting to B now gets the camera online in its hello.
  const late = await b.viewer("carol");
  await late.until(() => late.texts.length >= 1, 5000, "hello on B");
  const hello = late.texts[0] as { type: string; cameras: CameraInfo[] };
  assert.equal(hello.type, "hello");
  assert.equal(hello.cameras.find((c) => c.serial === CAM)?.hub, hubIdOf(a));

  await onA.close();
  const offline = await apiCameraWhen(b, (c) => c?.state !== "online", "CAM offline on B");
  // Listed offline on B as on A, though B never saw the camera itself.
  assert.equal(offline?.state, "offline");
  assert.equal(offline?.hub, undefined);
  assert.equal((await apiCameraWhen(a, (c) => c !== undefined, "CAM on A"))?.state, "offline");
  await viewer.until(
    () => cameraEvents(viewer.texts).some((e) => e.event === "offline"),
    5000,
    "the offline event on B",
  );
  assert.equal(cameraEvents(viewer.texts).at(-1)?.camera.state, "offline");
});

Deno.test("Cluster registry: a hub started after a camera came online on another lists it online", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await waitFor(() => clusterConnects(a) === 1, 5000, "hub A on NATS");
  const onA = await a.device(CAM);
  await apiCameraWhen(a, (c) => c?.state === "online", "CAM online on A");

  // B hears no event of the camera: only A's presence, and what the shared settings say. (It
  // sends no frames, so it may read stalled by then: held by A either way, not offline.)
  await using b = await startClusterHub(nats);
  await waitFor(() => clusterConnects(b) === 1, 5000, "hub B on NATS");
  const held = (c: CameraInfo | undefined) => c?.state !== "offline" && c?.hub === hubIdOf(a);
  await apiCameraWhen(b, held, "CAM held by A, listed on B");
  const viewer = await b.viewer("bob");
  await viewer.until(() => viewer.texts.length >= 1, 5000, "hello on B");
  const hello = viewer.texts[0] as { type: string; cameras: CameraInfo[] };
  assert.ok(held(hello.cameras.find((c) => c.serial === CAM)), JSON.stringify(hello.cameras));
  await onA.close();
  await apiCameraWhen(b, (c) => c?.state === "offline", "CAM offline on B");
});

Deno.test("Cluster registry: a camera that moves from A to B reads online on B's hub everywhere", async () => {
  await using nats = await startNatsServer();
  const [a, b] = await twoHubs(nats);
  await using _a = a;
  await using _b = b;
  const onA = await a.device(CAM);
  await apiCameraWhen(b, (c) => c?.hub === hubIdOf(a), "CAM held by A, seen on B");

  const viewerA = await a.viewer("bob");
  await viewerA.until(() => viewerA.texts.length >= 1, 5000, "hello on A");
  await b.device(CAM);
  assert.equal((await onA.closed).code, 4000);
  await waitFor(() => !a.hub.relay.devices.has(CAM), 5000, "A to drop the camera");
  const onB = await apiCameraWhen(a, (c) => c?.hub === hubIdOf(b), "CAM held by B, seen on A");
  assert.equal(onB?.state, "online");
  assert.equal((await apiCameraWhen(b, (c) => c !== undefined, "CAM on B"))?.hub, hubIdOf(b));
  // A's own offline (its replaced session) does not reach its viewers as the last word.
  await viewerA.until(
    () => cameraEvents(viewerA.texts).at(-1)?.camera.hub === hubIdOf(b),
    5000,
    "A's viewer to see the camera on B",
  );
  assert.ok(!cameraEvents(viewerA.texts).some((e) => e.event === "offline"));
});

/** A PATCH or PUT on `t` that must answer 200. */
async function change(t: TestHub, method: string, path: string, body: unknown): Promise<void> {
  const res = await t.request(path, { method, body: JSON.stringify(body) });
  assert.equal(res.status, 200, res.text());
}

Deno.test("Cluster registry: a rename and settings changed on hub A show on hub B", async () => {
  await using nats = await startNatsServer();
  const [a, b] = await twoHubs(nats);
  await using _a = a;
  await using _b = b;
  await a.device(CAM);
  await apiCameraWhen(b, (c) => c?.state === "online", "CAM online on B");
  const viewer = await b.viewer("bob");
  await viewer.until(() => viewer.texts.length >= 1, 5000, "hello on B");

  await change(a, "PATCH", `/api/cameras/${CAM}`, { name: "Front gate" });
  const renamed = await apiCameraWhen(b, (c) => c?.name === "Front gate", "the name on B");
  assert.equal(renamed?.state, "online");
  assert.equal(renamed?.hub, hubIdOf(a));
  await viewer.until(
    () =>
      cameraEvents(viewer.texts).some((e) =>
        e.event === "renamed" && e.camera.name === "Front gate"
      ),
    5000,
    "a renamed event with the new name on B",
  );

  await change(a, "PUT", `/api/cameras/${CAM}/recording`, { mode: "continuous" });
  await change(a, "PUT", `/api/cameras/${CAM}/motion`, { fps: 2 });
  const set = await apiCameraWhen(
    b,
    (c) => c?.recording.source === "camera" && b.hub.state.registry.motionSettingsOf(CAM).fps === 2,
    "the recording mode and motion settings on B",
  );
  assert.equal(set?.recording.mode, "continuous");
  const motion = await b.request(`/api/cameras/${CAM}/motion`);
  assert.equal((motion.json() as { fps: number }).fps, 2);
  // Applied to B's own registry, so B's store keeps it too.
  assert.equal(b.hub.state.registry.settingsOf(CAM)?.name, "Front gate");

  // And back: a rename on B, the last writer, shows on A.
  await change(b, "PATCH", `/api/cameras/${CAM}`, { name: "Back gate" });
  await waitFor(
    () => a.hub.state.registry.get(CAM)?.name === "Back gate",
    5000,
    "B's rename on A",
  );
  assert.equal(a.hub.state.registry.recordModeOf(CAM), "continuous");
});

Deno.test("Cluster registry: a rename made while NATS is down applies locally and reaches B when it returns", async () => {
  await using nats = await startNatsServer();
  const [a, b] = await twoHubs(nats);
  await using _a = a;
  await using _b = b;
  await a.device(CAM);
  await apiCameraWhen(b, (c) => c?.state === "online", "CAM online on B");

  await nats.stop("SIGKILL");
  await change(a, "PATCH", `/api/cameras/${CAM}`, { name: "Loading dock" });
  assert.equal((await apiCameraWhen(a, (c) => c !== undefined, "CAM on A"))?.name, "Loading dock");
  await nats.restart();
  await waitFor(
    () => clusterConnects(a) === 2 && clusterConnects(b) === 2,
    10_000,
    "both hubs back",
  );
  await waitFor(
    () => b.hub.state.registry.get(CAM)?.name === "Loading dock",
    10_000,
    "the rename on B",
  );
  assert.equal(a.hub.state.registry.get(CAM)?.name, "Loading dock");
});

Deno.test("Cluster registry: the cameras of a hub gone quiet read offline on B, and online when it is heard again", async () => {
  await using nats = await startNatsServer();
  await using b = await startClusterHub(nats);
  await waitFor(() => clusterConnects(b) === 1, 5000, "B on NATS");
  const viewer = await b.viewer("bob");
  await viewer.until(() => viewer.texts.length >= 1, 5000, "hello on B");
  // Hub "Z" as NATS sees it: its presence and a camera event, then silence (a killed hub).
  await using z = await natsClient(nats);
  const hdrs = headers();
  hdrs.set(HUB_HEADER, "Z");
  const onZ = new Registry({ cluster: { hub: "Z", remote: new RemoteCameras("Z") } });
  const alive = () => z.publish(PRESENCE_SUBJECT, encodePresence({ hub: "Z", cameras: [CAM] }));
  // B heard Z's last presence between these two instants: each bound below is checked
  // against the one that cannot fail it early (polling the API takes a starved second).
  const sent = performance.now();
  alive();
  const event = { serial: CAM, payload: { ...cameraMessage("online", onZ.connected(CAM)) } };
  z.publish(eventSubject(CAM), encodeEvent(event), { headers: hdrs });
  await z.flush();
  assert.equal((await apiCameraWhen(b, (c) => c?.hub === "Z", "CAM on Z"))?.state, "online");

  const quiet = performance.now();
  const off = await apiCameraWhen(b, (c) => c?.state === "offline", "CAM offline on B", 10_000);
  assert.equal(off?.hub, undefined);
  const ms = performance.now() - quiet;
  const msSinceSent = performance.now() - sent;
  assert.ok(
    msSinceSent >= PRESENCE_TIMEOUT_MS - 1000 && ms < PRESENCE_TIMEOUT_MS + 3000,
    `${ms} ms after it was listed, ${msSinceSent} ms after the presence`,
  );
  await viewer.until(
    () => cameraEvents(viewer.texts).at(-1)?.event === "offline",
    5000,
    "an offline event on B",
  );

  alive();
  await z.flush();
  assert.equal((await apiCameraWhen(b, (c) => c?.state === "online", "CAM back"))?.hub, "Z");
  await viewer.until(
    () => cameraEvents(viewer.texts).at(-1)?.event === "online",
    5000,
    "an online event on B",
  );
});
