import assert from "node:assert/strict";
import { NatsBus } from "./nats_bus.ts";
import { type NatsLink, openNatsLink } from "./nats_link.ts";
import type { BusEvent, BusFrame } from "../lib/bus.ts";
import { buildViewerFrame } from "../lib/trailer.ts";
import { type NatsServer, startNatsServer } from "../tests/nats_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";

const CAM = "0123A1B2C3D4E5F6A7";

/** Two buses ("hubs") on one server, closed with the returned disposer. */
async function twoBuses(nats: NatsServer, now?: () => number, wantAllB = false) {
  const links: NatsLink[] = [];
  const buses = ["hub-a", "hub-b"].map((hubId) => {
    const link = openNatsLink({
      settings: {
        servers: [`127.0.0.1:${nats.port}`],
        tls: false,
        caFile: null,
        certFile: null,
        keyFile: null,
        user: null,
        password: null,
        credsFile: null,
      },
      name: `trustcam-hub-${hubId}`,
      log: () => {},
    });
    links.push(link);
    return new NatsBus({ link, hubId, log: () => {}, now, wantAll: wantAllB && hubId === "hub-b" });
  });
  await waitFor(() => links.every((l) => l.connected), 5000, "both links up");
  return {
    a: buses[0],
    b: buses[1],
    async [Symbol.asyncDispose]() {
      for (const bus of buses) await bus.close();
      for (const link of links) await link.close();
    },
  };
}

const frame = (fill: number): BusFrame => {
  const jpeg = new Uint8Array([0xff, 0xd8, fill, 0xff, 0xd9]);
  return { serial: CAM, data: buildViewerFrame(jpeg, CAM), jpegLength: 5, receivedAt: 1 };
};

Deno.test("NatsBus delivers events to the other hub and ignores its own coming back", async () => {
  await using nats = await startNatsServer();
  await using hubs = await twoBuses(nats);
  const { a, b } = hubs;
  const atA: BusEvent[] = [];
  const atB: BusEvent[] = [];
  a.subscribe("*", { event: (e) => atA.push(e) });
  b.subscribe("*", { event: (e) => atB.push(e) });
  await nats.untilSubscriptions("trustcam-hub-hub-b", ["trustcam.event.>", "trustcam.want.>"]);

  a.publishEvent({ serial: CAM, payload: { type: "camera", event: "online" } });
  await waitFor(() => atB.length === 1 && a.counters.ownIgnored === 1, 5000, "the event");
  assert.deepEqual(atB[0].payload, { type: "camera", event: "online" });
  assert.equal(atB[0].origin, "hub-a");
  assert.equal(atA.length, 1, "A's own event once, in process");
  assert.equal(atA[0].origin, undefined);
});

Deno.test("NatsBus hands one received buffer to every subscriber, stamped with its own clock", async () => {
  await using nats = await startNatsServer();
  await using hubs = await twoBuses(nats, () => 42);
  const { a, b } = hubs;
  const got: BusFrame[] = [];
  const offs = [1, 2].map(() => b.subscribe(CAM, { frame: (f) => got.push(f) }));
  const wild: BusFrame[] = [];
  b.subscribe("*", { frame: (f) => wild.push(f) });
  await nats.untilSubscriptions("trustcam-hub-hub-b", [
    "trustcam.event.>",
    "trustcam.want.>",
    `trustcam.frame.${CAM}`,
  ]);
  // A publishes a camera's frames only once it has heard that another hub wants them.
  await waitFor(() => a.wanted(CAM), 5000, "B's announcement at A");

  const sent = frame(7);
  a.publishFrame(sent);
  await waitFor(() => got.length === 2, 5000, "the frame on B");
  assert.equal(got[0].data, got[1].data, "the same bytes, not a copy per subscriber");
  assert.deepEqual([...got[0].data], [...sent.data]);
  assert.deepEqual([got[0].jpegLength, got[0].receivedAt, got[0].origin], [5, 42, "hub-a"]);
  assert.equal(wild.length, 1, "the wildcard gets the watched remote camera too");

  for (const off of offs) off();
  await nats.untilSubscriptions("trustcam-hub-hub-b", ["trustcam.event.>", "trustcam.want.>"]);
  assert.deepEqual(b.remoteSerials, []);
});

Deno.test("NatsBus publishes a camera's frames only while another hub wants them", async () => {
  let now = 1_000;
  await using nats = await startNatsServer();
  await using hubs = await twoBuses(nats, () => now);
  const { a, b } = hubs;
  // Nobody else watches: the frame stays on A (its own subscribers still get it).
  const local: BusFrame[] = [];
  a.subscribe("*", { frame: (f) => local.push(f) });
  a.publishFrame(frame(1));
  assert.deepEqual([a.counters.framesOut, a.counters.framesUnwanted, local.length], [0, 1, 1]);

  const got: BusFrame[] = [];
  const off = b.subscribe(CAM, { frame: (f) => got.push(f) });
  await waitFor(() => a.wanted(CAM), 5000, "B's announcement at A");
  a.publishFrame(frame(2));
  await waitFor(() => got.length === 1, 5000, "the wanted frame on B");
  assert.equal(a.counters.framesOut, 1);

  // B stops watching: its announcements stop, and once the last one has expired A stops too.
  off();
  now += 6_000;
  assert.equal(a.wanted(CAM), false);
  a.publishFrame(frame(3));
  assert.deepEqual([a.counters.framesOut, a.counters.framesUnwanted], [1, 2]);
});

Deno.test("NatsBus with wantAll receives every camera's frames without subscribing to one", async () => {
  await using nats = await startNatsServer();
  await using hubs = await twoBuses(nats, undefined, true);
  const { a, b } = hubs;
  const got: BusFrame[] = [];
  b.subscribe("*", { frame: (f) => got.push(f) });
  await nats.untilSubscriptions("trustcam-hub-hub-b", [
    "trustcam.event.>",
    "trustcam.want.>",
    "trustcam.frame.>",
  ]);
  await waitFor(() => a.wanted(CAM) && a.wanted("0123A1B2C3D4E5F6FF"), 5000, "want-all at A");
  a.publishFrame(frame(7));
  await waitFor(() => got.length === 1, 5000, "the frame on B");
  assert.equal(got[0].origin, "hub-a");
  assert.equal(got[0].data[2], 7);
  assert.deepEqual(b.remoteSerials, []);
});
