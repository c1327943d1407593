import assert from "node:assert/strict";
import { type BusFrame, InProcessBus, ownTraffic } from "./bus.ts";

const frame = (serial: string): BusFrame => ({
  serial,
  data: new Uint8Array([1]),
  jpegLength: 1,
  receivedAt: 0,
});

Deno.test("InProcessBus delivers a camera's frames to its subscribers and to '*'", () => {
  const bus = new InProcessBus();
  const got: string[] = [];
  const offA = bus.subscribe("A", { frame: (f) => got.push(`a:${f.serial}`) });
  bus.subscribe("*", { frame: (f) => got.push(`all:${f.serial}`) });
  bus.publishFrame(frame("A"));
  bus.publishFrame(frame("B"));
  offA();
  bus.publishFrame(frame("A"));
  assert.deepEqual(got, ["a:A", "all:A", "all:B", "all:A"]);
});

Deno.test("InProcessBus passes the same buffer to every subscriber", () => {
  const bus = new InProcessBus();
  const seen: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) bus.subscribe("*", { frame: (f) => seen.push(f.data) });
  const f = frame("A");
  bus.publishFrame(f);
  assert.equal(seen.length, 3);
  for (const d of seen) assert.equal(d, f.data);
});

Deno.test("InProcessBus keeps delivering when a handler throws", () => {
  const errors: unknown[] = [];
  const bus = new InProcessBus({ onError: (e) => errors.push(e) });
  let after = 0;
  bus.subscribe("*", {
    event: () => {
      throw new Error("boom");
    },
  });
  bus.subscribe("*", { event: () => after++ });
  bus.publishEvent({ serial: "A", payload: {} });
  assert.equal(after, 1);
  assert.equal(errors.length, 1);
});

Deno.test("InProcessBus forgets empty camera subscriptions", () => {
  const bus = new InProcessBus();
  const off = bus.subscribe("A", {});
  assert.equal(bus.size, 1);
  off();
  off();
  assert.equal(bus.size, 0);
});

Deno.test("InProcessBus.count() counts one camera's subscriptions apart from '*'", () => {
  const bus = new InProcessBus();
  const handler = { frame: () => {} };
  const offA = bus.subscribe("A", handler);
  const offB = bus.subscribe("B", handler);
  bus.subscribe("*", handler);
  assert.equal(bus.count("A"), 1);
  assert.equal(bus.count("B"), 1);
  assert.equal(bus.count("C"), 0);
  assert.equal(bus.count("*"), 1);
  offA();
  offB();
  assert.equal(bus.count("A"), 0);
  assert.equal(bus.size, 1);
});

Deno.test("ownTraffic() passes on this hub's frames and events, not those from other hubs", () => {
  const bus = new InProcessBus();
  const got: string[] = [];
  const off = ownTraffic(bus).subscribe("*", {
    frame: (f) => got.push(`frame:${f.origin ?? "own"}`),
    event: (e) => got.push(`event:${e.origin ?? "own"}`),
  });
  bus.publishFrame(frame("A"));
  bus.publishFrame({ ...frame("A"), origin: "hub-b" });
  bus.publishEvent({ serial: "A", payload: {} });
  bus.publishEvent({ serial: "A", payload: {}, origin: "hub-b" });
  assert.deepEqual(got, ["frame:own", "event:own"]);
  off();
  assert.equal(bus.size, 0);
});
