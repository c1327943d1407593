import assert from "node:assert/strict";
import {
  decodePresence,
  encodePresence,
  mergeCamera,
  PRESENCE_INTERVAL_MS,
  PRESENCE_TIMEOUT_MS,
  remoteCameraEvents,
  RemoteCameras,
} from "./remote_cameras.ts";
import { type CameraInfo, Registry } from "./registry.ts";
import { cameraMessage } from "./protocol.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const OTHER = "0123000000000000B0";
const T0 = Date.parse("2026-11-23T10:00:00.000Z");

/** What hub `hub`'s registry announces for CAM after a device connected to it. */
function onlineOn(hub: string, name = CAM) {
  const r = new Registry({
    now: () => T0 + 1000,
    cluster: { hub, remote: new RemoteCameras(hub) },
  });
  const info = r.connected(CAM);
  return name === CAM ? info : r.rename(CAM, name);
}

Deno.test("RemoteCameras.event() keeps the last online camera per serial and its hub", () => {
  const remote = new RemoteCameras("B");
  assert.equal(remote.event("A", "online", onlineOn("A")), true);
  assert.equal(remote.get(CAM)?.hub, "A");
  assert.equal(remote.event("C", "online", onlineOn("C")), true);
  assert.equal(remote.get(CAM)?.hub, "C");
  assert.equal(remote.event("B", "online", onlineOn("B")), false, "its own hub is ignored");
  assert.equal(remote.get(CAM)?.hub, "C");
  assert.deepEqual([...remote.serials()], [CAM]);
});

Deno.test("RemoteCameras.event() turns a camera offline only on its holder's offline", () => {
  const remote = new RemoteCameras("B");
  remote.event("A", "online", onlineOn("A"));
  remote.event("C", "online", onlineOn("C"));
  // A's replaced session closes after C took the camera.
  const offOnA = { ...onlineOn("A"), state: "offline" as const };
  assert.equal(remote.event("A", "offline", offOnA), false);
  assert.equal(remote.get(CAM)?.hub, "C");
  assert.equal(remote.event("C", "offline", { ...offOnA }), true);
  assert.equal(remote.get(CAM)?.camera.state, "offline", "kept, offline");
  assert.equal(remote.get(CAM)?.camera.hub, undefined);
  assert.equal(remote.event("A", "offline", { ...offOnA }), false, "offline already");
  assert.equal(remote.size, 1);
});

Deno.test("RemoteCameras.event() treats an event with an offline camera as offline", () => {
  const remote = new RemoteCameras("B");
  remote.event("A", "online", onlineOn("A"));
  assert.equal(remote.event("A", "renamed", { ...onlineOn("A"), state: "offline" }), true);
  assert.equal(remote.get(CAM)?.camera.state, "offline");
});

Deno.test("mergeCamera() prefers a local session, else the holder's live state with its hub", () => {
  const mine = new Registry({
    now: () => T0,
    cluster: { hub: "B", remote: new RemoteCameras("B") },
  });
  mine.connected(CAM);
  mine.rename(CAM, "Door");
  const localOnline = mine.get(CAM)!;
  const held = { hub: "A", camera: onlineOn("A", "Gate"), at: 0 };
  assert.equal(mergeCamera(localOnline, held), localOnline);
  assert.equal(localOnline.hub, "B");

  const localOffline = mine.disconnected(CAM)!;
  assert.equal(localOffline.hub, undefined);
  const merged = mergeCamera(localOffline, held)!;
  assert.equal(merged.state, "online");
  assert.equal(merged.hub, "A");
  assert.equal(merged.name, "Door", "the local name and settings stay");
  assert.equal(merged.lastSeen, held.camera.lastSeen);

  assert.deepEqual(mergeCamera(undefined, held), { ...held.camera, hub: "A" });
  assert.equal(mergeCamera(localOffline, undefined), localOffline);
  assert.equal(mergeCamera(undefined, undefined), undefined);
});

Deno.test("Registry.list() merges cameras other hubs hold, in name order", () => {
  const remote = new RemoteCameras("B");
  const r = new Registry({ now: () => T0, cluster: { hub: "B", remote } });
  r.connected(OTHER);
  r.rename(OTHER, "Yard");
  assert.deepEqual(r.list().map((c) => [c.name, c.state, c.hub]), [["Yard", "online", "B"]]);

  remote.event("A", "online", onlineOn("A", "Attic"));
  assert.deepEqual(r.list().map((c) => [c.name, c.state, c.hub]), [
    ["Attic", "online", "A"],
    ["Yard", "online", "B"],
  ]);
  assert.equal(r.get(CAM)?.hub, "A");
  assert.equal(r.has(CAM), false, "has() is about the local registry");

  remote.event("A", "offline", { ...onlineOn("A", "Attic"), state: "offline" });
  assert.deepEqual(r.list().map((c) => [c.name, c.state, c.hub]), [
    ["Attic", "offline", undefined],
    ["Yard", "online", "B"],
  ]);
  assert.equal(r.get(CAM)?.state, "offline");
});

Deno.test("Registry without a cluster reports no hub field", () => {
  const r = new Registry({ now: () => T0 });
  assert.equal("hub" in r.connected(CAM), false);
  assert.equal("hub" in r.list()[0], false);
});

Deno.test("remoteCameraEvents() records the holder and hands viewers the merged camera", () => {
  const remote = new RemoteCameras("B");
  const mine = new Registry({ now: () => T0, cluster: { hub: "B", remote } });
  mine.connected(CAM);
  mine.rename(CAM, "Door");
  mine.disconnected(CAM);
  const filter = remoteCameraEvents(remote, (s) => mine.get(s));
  const online = onlineOn("A", "Gate");

  const seen = filter({
    serial: CAM,
    payload: { ...cameraMessage("online", online) },
    origin: "A",
  });
  assert.equal(remote.get(CAM)?.hub, "A");
  assert.deepEqual(seen?.payload, { ...cameraMessage("online", mine.get(CAM)!) });
  assert.equal((seen?.payload.camera as CameraInfo).name, "Door");

  // C announces a setting of the camera A holds: A stays the holder.
  const fromC = { ...cameraMessage("recording", { ...online, hub: "A" }) };
  assert.notEqual(filter({ serial: CAM, payload: fromC, origin: "C" }), null);
  assert.equal(remote.get(CAM)?.hub, "A");

  // A camera moved to C: A's late offline does not reach the viewers.
  filter({
    serial: CAM,
    payload: { ...cameraMessage("online", { ...online, hub: "C" }) },
    origin: "C",
  });
  const offA = { ...cameraMessage("offline", { ...online, state: "offline" }) };
  assert.equal(filter({ serial: CAM, payload: offA, origin: "A" }), null);
  assert.equal(mine.get(CAM)?.hub, "C");

  const motion = { serial: CAM, payload: { type: "motion", camera: CAM }, origin: "C" };
  assert.equal(filter(motion), motion, "other events pass as they are");
});

Deno.test("RemoteCameras.expire() turns the cameras of a hub gone quiet offline until it is heard again", () => {
  const remote = new RemoteCameras("B");
  remote.presence({ hub: "A", cameras: [] }, 0);
  remote.event("A", "online", onlineOn("A", "Gate"));
  assert.deepEqual(remote.expire(PRESENCE_TIMEOUT_MS - 1), []);
  const gone = remote.expire(PRESENCE_TIMEOUT_MS);
  assert.deepEqual(gone.map((c) => [c.serial, c.name, c.state, c.fps, c.hub]), [
    [CAM, "Gate", "offline", 0, undefined],
  ]);
  assert.equal(remote.get(CAM)?.camera.state, "offline");
  assert.deepEqual([...remote.serials()], [CAM]);
  assert.deepEqual(remote.expire(PRESENCE_TIMEOUT_MS * 2), [], "told once");

  const back = remote.presence({ hub: "A", cameras: [CAM] }, PRESENCE_TIMEOUT_MS * 2);
  assert.deepEqual(back.map((c) => [c.serial, c.state, c.hub]), [[CAM, "online", "A"]]);
  assert.equal(remote.get(CAM)?.hub, "A");
});

Deno.test("RemoteCameras.presence() turns the cameras a hub no longer lists offline", () => {
  const remote = new RemoteCameras("B");
  remote.event("A", "online", onlineOn("A"), 1000);
  remote.event("C", "online", { ...onlineOn("C"), serial: OTHER }, 1000);
  assert.deepEqual(remote.presence({ hub: "A", cameras: [CAM] }, 2000), []);
  // Sent before the camera's online, received after it: the camera stays.
  assert.deepEqual(remote.presence({ hub: "A", cameras: [] }, 1000 + PRESENCE_INTERVAL_MS), []);
  assert.equal(remote.get(CAM)?.hub, "A");
  const dropped = remote.presence({ hub: "A", cameras: [] }, 1001 + PRESENCE_INTERVAL_MS);
  assert.deepEqual(dropped.map((c) => [c.serial, c.state]), [[CAM, "offline"]]);
  assert.equal(remote.get(CAM)?.camera.state, "offline");
  assert.deepEqual(remote.presence({ hub: "A", cameras: [] }, 9999), [], "told once");
  assert.equal(remote.get(OTHER)?.hub, "C", "another hub's cameras stay");
  assert.deepEqual(remote.presence({ hub: "B", cameras: [] }, 9999), [], "its own is ignored");
});

Deno.test("RemoteCameras.presence() learns the cameras a hub holds that no event told of", () => {
  const remote = new RemoteCameras("B");
  const known = (serial: string) => ({ ...new Registry().placeholder(serial), name: "Porch" });
  const learnt = remote.presence({ hub: "A", cameras: [CAM] }, 1000, known);
  assert.deepEqual(learnt.map((c) => [c.serial, c.name, c.state, c.hub]), [
    [CAM, "Porch", "online", "A"],
  ]);
  assert.equal(remote.get(CAM)?.hub, "A");
  assert.deepEqual(remote.presence({ hub: "A", cameras: [CAM] }, 3000, known), [], "told once");

  // An offline event newer than the message wins; an older one does not.
  remote.event("A", "offline", onlineOn("A"), 4000);
  assert.deepEqual(
    remote.presence({ hub: "A", cameras: [CAM] }, 4000 + PRESENCE_INTERVAL_MS, known),
    [],
  );
  assert.equal(remote.get(CAM)?.camera.state, "offline");
  const again = remote.presence({ hub: "A", cameras: [CAM] }, 4001 + PRESENCE_INTERVAL_MS, known);
  assert.deepEqual(again.map((c) => [c.state, c.hub]), [["online", "A"]]);
  // Without `describe` (or knowing nothing), nothing is learnt.
  assert.deepEqual(new RemoteCameras("B").presence({ hub: "A", cameras: [CAM] }, 1000), []);
  assert.deepEqual(
    new RemoteCameras("B").presence({ hub: "A", cameras: [CAM] }, 1000, () => undefined),
    [],
  );
});

Deno.test("decodePresence() round-trips encodePresence() and rejects other shapes", () => {
  const p = { hub: "A", cameras: [CAM, OTHER] };
  assert.deepEqual(decodePresence(encodePresence(p)), p);
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  assert.throws(() => decodePresence(enc({ hub: "A" })), TypeError);
  assert.throws(() => decodePresence(enc({ hub: "A", cameras: [1] })), TypeError);
  assert.throws(() => decodePresence(enc(null)), TypeError);
});
