/**
 * Snapshots, MJPEG and events from any hub (issue 13, item 2): a camera on hub A is served by hub
 * B's `snapshot.jpg` and `stream.mjpeg` through a bus subscription B holds only while it needs the
 * frames; policy and revocation refuse on B as they do for B's own cameras; A's stored motion
 * events and thumbnails are listed and served by B. Real nats-server, two real hubs, real TLS.
 */
import assert from "node:assert/strict";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import type { NatsBus } from "../hub/nats_bus.ts";
import { EVENT_SUBJECTS, WANT_SUBJECTS } from "../lib/bus_wire.ts";
import { concat, fakeJpeg, type TestClient, type TestHub, waitFor } from "./hub_fixture.ts";
import { type NatsServer, startNatsServer } from "./nats_fixture.ts";
import { startClusterHub } from "./cluster_fixture.ts";
import { tempPolicy } from "./admin_fixture.ts";
import { type MjpegPart, parseMjpegParts } from "./mjpeg_parts.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import type { SqliteEventStore } from "../hub/event_store.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const NOBODY = "0123C1C2C3D4E5F6C7";

const busOf = (t: TestHub) => t.hub.state.bus as NatsBus;
const busConnects = (t: TestHub) => t.log.filter((l) => l.startsWith("bus-connected")).length;

/** Waits until both hubs are on NATS and `b` subscribes there to events and wants only. */
async function bothOnNats(nats: NatsServer, a: TestHub, b: TestHub): Promise<void> {
  await waitFor(() => busConnects(a) === 1 && busConnects(b) === 1, 5000, "both hubs on NATS");
  await idleInNats(nats, b);
}

/** Waits until `t`'s bus connection subscribes in NATS to events and wants only. */
function idleInNats(nats: NatsServer, t: TestHub): Promise<void> {
  return nats.untilSubscriptions(`trustcam-hub-${busOf(t).hubId}`, [
    EVENT_SUBJECTS,
    WANT_SUBJECTS,
  ]);
}

/** Sends a frame every 20 ms, a different fill each (at most 251), until disposed. */
function stream(device: TestClient): { sent: Uint8Array[]; [Symbol.dispose](): void } {
  const sent: Uint8Array[] = [];
  const timer = setInterval(() => {
    const jpeg = fakeJpeg(2000, sent.length % 251);
    sent.push(jpeg);
    device.ws.send(jpeg);
  }, 20);
  return { sent, [Symbol.dispose]: () => clearInterval(timer) };
}

const sameBytes = (x: Uint8Array, y: Uint8Array) =>
  x.byteLength === y.byteLength && x.every((v, i) => v === y[i]);

interface OpenMjpeg extends AsyncDisposable {
  status: number;
  parts(): MjpegPart[];
  ended: Promise<void>;
}

/** Opens `GET /api/cameras/:serial/stream.mjpeg` on `t` and collects what arrives. */
function mjpeg(t: TestHub, serial: string, cert: IssuedCert): Promise<OpenMjpeg> {
  return new Promise((resolve, reject) => {
    const req = https.get({
      host: "127.0.0.1",
      port: t.port,
      path: `/api/cameras/${serial}/stream.mjpeg`,
      ca: t.pki.caPem,
      cert: cert.chainPem,
      key: cert.keyPem,
      agent: false,
    }, (res: IncomingMessage) => {
      const chunks: Uint8Array[] = [];
      res.on("data", (c: Uint8Array) => chunks.push(c));
      const ended = new Promise<void>((r) => {
        res.once("end", r);
        res.once("close", r);
        res.once("error", () => r());
      });
      resolve({
        status: res.statusCode ?? 0,
        parts: () => parseMjpegParts(concat(chunks)),
        ended,
        async [Symbol.asyncDispose]() {
          req.destroy();
          await ended;
        },
      });
    });
    req.on("error", reject);
  });
}

Deno.test("Cluster: snapshot.jpg of a camera on hub A is served by hub B, byte-exact, with no bus subscription left", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await bothOnNats(nats, a, b);
  const subscriptionsBefore = busOf(b).size;
  using frames = stream(await a.device(CAM));
  await waitFor(() => a.hub.relay.devices.has(CAM), 5000, "the camera on A");
  assert.equal(b.hub.relay.devices.has(CAM), false);

  const res = await b.request(`/api/cameras/${CAM}/snapshot.jpg`);
  assert.equal(res.status, 200, res.text());
  assert.equal(res.headers["content-type"], "image/jpeg");
  assert.equal(res.headers["content-length"], String(res.body.byteLength));
  assert.ok(frames.sent.some((jpeg) => sameBytes(jpeg, res.body)), "one of the camera's frames");
  const etag = res.headers["etag"];
  assert.ok(typeof etag === "string" && etag.startsWith('"'), `strong ETag: ${etag}`);
  assert.ok(res.headers["last-modified"], "Last-Modified");

  assert.equal(busOf(b).size, subscriptionsBefore, "the snapshot's bus subscription is gone");
  assert.deepEqual(busOf(b).remoteSerials, []);
  await idleInNats(nats, b);

  // A camera no hub holds: 404 after the bounded wait, and nothing left subscribed either.
  const t0 = performance.now();
  const none = await b.request(`/api/cameras/${NOBODY}/snapshot.jpg`);
  assert.equal(none.status, 404);
  assert.deepEqual((none.json() as { error: unknown }).error, {
    code: "TC_ERR_NOT_FOUND",
    message: `Unknown camera: "${NOBODY}"`,
  });
  assert.ok(performance.now() - t0 < 5000, "answered within the wait's bound");
  assert.equal(busOf(b).size, subscriptionsBefore);
  assert.deepEqual(busOf(b).remoteSerials, []);
});

Deno.test("Cluster: stream.mjpeg of a camera on hub A streams from hub B while B's bus subscription lasts", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await bothOnNats(nats, a, b);
  const subscriptionsBefore = busOf(b).size;
  using frames = stream(await a.device(CAM));
  await waitFor(() => a.hub.relay.devices.has(CAM), 5000, "the camera on A");

  {
    await using live = await mjpeg(b, CAM, await b.pki.viewer("bob"));
    assert.equal(live.status, 200);
    await waitFor(() => live.parts().length >= 3, 5000, "three parts from B");
    for (const part of live.parts().slice(0, 3)) {
      assert.equal(part.headers["content-type"], "image/jpeg");
      assert.ok(frames.sent.some((jpeg) => sameBytes(jpeg, part.body)), "one of the frames");
      assert.ok(!Number.isNaN(Date.parse(part.headers["x-timestamp"])), "X-Timestamp");
    }
    assert.deepEqual(busOf(b).remoteSerials, [CAM]);
    assert.equal(b.hub.state.streams.size, 1);
  }
  await waitFor(() => b.hub.state.streams.size === 0, 5000, "the stream unregistered");
  await waitFor(() => busOf(b).size === subscriptionsBefore, 5000, "its bus subscription gone");
  assert.deepEqual(busOf(b).remoteSerials, []);
  await idleInNats(nats, b);
});

Deno.test("Cluster: hub B refuses a camera on A to a viewer its policy hides or it revoked, and ends the revoked one's MJPEG", async () => {
  await using policy = await tempPolicy({ viewers: { guard: [], "*": "*" } });
  const policyFile = policy.path;
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats, { policyFile });
  await bothOnNats(nats, a, b);
  const subscriptionsBefore = busOf(b).size;
  using _frames = stream(await a.device(CAM));
  await waitFor(() => a.hub.relay.devices.has(CAM), 5000, "the camera on A");

  // The policy hides the camera: 403 at once, as for a camera of B's own.
  const guard = await b.pki.viewer("guard");
  for (const path of ["snapshot.jpg", "stream.mjpeg"]) {
    const res = await b.request(`/api/cameras/${CAM}/${path}`, { cert: guard });
    assert.equal(res.status, 403, path);
    assert.equal((res.json() as { error: { code: string } }).error.code, "TC_ERR_FORBIDDEN");
  }
  assert.equal(busOf(b).size, subscriptionsBefore);

  const mallory = await b.pki.viewer("mallory");
  await using live = await mjpeg(b, CAM, mallory);
  assert.equal(live.status, 200);
  await waitFor(() => live.parts().length >= 1, 5000, "mallory's stream from B");
  await Deno.writeTextFile(`${b.pki.dir}/revoked.txt`, `sha256:${mallory.fingerprint256}\n`);
  const t0 = performance.now();
  await live.ended;
  assert.ok(performance.now() - t0 < 5000, "ended within 5 s of the revocation");
  assert.ok(b.log.some((l) => l.startsWith("stream-ended") && l.includes("why=revoked")));
  await waitFor(() => busOf(b).size === subscriptionsBefore, 5000, "its bus subscription gone");
  assert.deepEqual(busOf(b).remoteSerials, []);

  const refused = await b.request(`/api/cameras/${CAM}/snapshot.jpg`, { cert: mallory });
  assert.equal(refused.status, 403);
  assert.equal(busOf(b).size, subscriptionsBefore);
});

Deno.test("Cluster: after a camera moved from hub B to hub A, B's snapshot.jpg is A's frame, not B's cache", async () => {
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats);
  await bothOnNats(nats, a, b);
  const old = fakeJpeg(2000, 0xee);
  const onB = await b.device(CAM);
  onB.ws.send(old);
  await waitFor(() => b.hub.state.latestJpeg(CAM) !== undefined, 5000, "a frame cached on B");

  using frames = stream(await a.device(CAM));
  assert.equal((await onB.closed).code, 4000);
  await waitFor(() => !b.hub.relay.devices.has(CAM), 5000, "B to drop the camera");
  assert.ok(b.hub.state.registry.get(CAM), "B's registry still knows the camera");
  const res = await b.request(`/api/cameras/${CAM}/snapshot.jpg`);
  assert.equal(res.status, 200, res.text());
  assert.ok(frames.sent.some((jpeg) => sameBytes(jpeg, res.body)), "one of A's frames");
  assert.equal(sameBytes(old, res.body), false);
});

Deno.test("Cluster: hub B lists the motion events hub A stored of a camera, and serves their thumbnails", async () => {
  await using policy = await tempPolicy({ viewers: { guard: [], "*": "*" } });
  const policyFile = policy.path;
  await using nats = await startNatsServer();
  await using a = await startClusterHub(nats);
  await using b = await startClusterHub(nats, { policyFile });
  await bothOnNats(nats, a, b);
  const store = a.hub.state.events as SqliteEventStore;
  const box = { x: 0.25, y: 0.25, w: 0.5, h: 0.5 };
  const startedAt = Date.parse("2026-11-27T10:00:00.000Z");
  const id = store.start({ serial: CAM, startedAt, score: 0.4, peakAt: startedAt, box });
  store.end(id, {
    serial: CAM,
    startedAt,
    score: 0.4,
    peakAt: startedAt,
    box,
    endedAt: startedAt + 5000,
  });
  const thumb = fakeJpeg(300, 0x44);
  store.setThumbnail(id, thumb);
  const event = {
    id,
    camera: CAM,
    startedAt: "2026-11-27T10:00:00.000Z",
    endedAt: "2026-11-27T10:00:05.000Z",
    score: 0.4,
    box,
    thumbnail: `/api/events/${id}/thumbnail.jpg`,
  };

  for (const path of [`/api/cameras/${CAM}/events`, `/api/events?camera=${CAM}`]) {
    const res = await b.request(path);
    assert.equal(res.status, 200, `${path}: ${res.text()}`);
    assert.deepEqual(res.json(), { events: [event] }, path);
  }
  const image = await b.request(event.thumbnail);
  assert.equal(image.status, 200);
  assert.deepEqual(image.body, thumb);

  // B's policy decides, as for its own cameras: hidden, the events and thumbnails are not there.
  const guard = await b.pki.viewer("guard");
  assert.equal((await b.request(`/api/cameras/${CAM}/events`, { cert: guard })).status, 403);
  assert.equal((await b.request(event.thumbnail, { cert: guard })).status, 404);
  // A camera no hub knows, an event no hub has.
  const none = await b.request(`/api/cameras/${NOBODY}/events`);
  assert.equal(none.status, 404);
  assert.equal((none.json() as { error: { code: string } }).error.code, "TC_ERR_NOT_FOUND");
  assert.equal((await b.request("/api/events/nope/thumbnail.jpg")).status, 404);
});
