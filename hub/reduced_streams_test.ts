import assert from "node:assert/strict";
import { type BusFrame, InProcessBus } from "../lib/bus.ts";
import { buildViewerFrame, parseViewerFrame } from "../lib/trailer.ts";
import { ReducedStreams, type Resizer } from "./reduced_streams.ts";
import { waitFor } from "../tests/wait_for.ts";

const CAM = "0123A1B2C3D4E5F6A7";

/** A resizer whose answers the test releases one by one: the JPEG's first byte, doubled. */
class HeldResizer implements Resizer {
  held: Array<{ jpeg: Uint8Array; width: number; quality: number; done: () => void }> = [];
  closed = false;

  resize(jpeg: Uint8Array, width: number, quality: number): Promise<Uint8Array> {
    return new Promise((resolve) =>
      this.held.push({
        jpeg,
        width,
        quality,
        done: () => resolve(new Uint8Array([jpeg[0], jpeg[0]])),
      })
    );
  }

  /** Answers the oldest request and lets its continuation run. */
  async release(): Promise<void> {
    this.held.shift()!.done();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function frame(n: number, receivedAt: number): BusFrame {
  const jpeg = new Uint8Array([n, 0xd8, 0xff, 0xd9]);
  return { serial: CAM, data: buildViewerFrame(jpeg, CAM), jpegLength: 4, receivedAt };
}

function setup(idleMs?: number) {
  const bus = new InProcessBus();
  const resizer = new HeldResizer();
  const counts = new Map<string, number>();
  const counter = {
    inc: (labels: Record<string, string>) => {
      const k = Object.values(labels).join("/");
      counts.set(k, (counts.get(k) ?? 0) + 1);
    },
  };
  let started = 0;
  const streams = new ReducedStreams({
    bus,
    log: () => {},
    startResizer: () => {
      started++;
      return resizer;
    },
    metrics: { made: counter, skipped: counter },
    idleMs,
  });
  return { bus, resizer, counts, streams, started: () => started };
}

function collect() {
  const got: { n: number; receivedAt: number }[] = [];
  return {
    got,
    handler: {
      frame: (f: BusFrame) => {
        const { serial, jpeg } = parseViewerFrame(f.data);
        assert.equal(serial, CAM);
        assert.equal(f.jpegLength, jpeg.byteLength);
        got.push({ n: jpeg[0], receivedAt: f.receivedAt });
      },
    },
  };
}

Deno.test("ReducedStreams shares one resize per frame between viewers, keeping its receive time", async () => {
  const { bus, resizer, counts, streams, started } = setup();
  assert.equal(started(), 0);
  const a = collect();
  const b = collect();
  const offA = streams.subscribe(CAM, "tile", undefined, a.handler);
  const offB = streams.subscribe(CAM, "tile", undefined, b.handler);
  assert.equal(started(), 1, "the worker starts with the first stream, once");
  assert.equal(bus.count(CAM), 1, "one bus subscription for both");
  bus.publishFrame(frame(7, 1000));
  assert.equal(resizer.held.length, 1);
  assert.equal(resizer.held[0].width, 320);
  assert.equal(resizer.held[0].quality, 60);
  assert.deepEqual([...resizer.held[0].jpeg], [7, 0xd8, 0xff, 0xd9], "the JPEG, no trailer");
  await resizer.release();
  assert.deepEqual(a.got, [{ n: 7, receivedAt: 1000 }]);
  assert.deepEqual(b.got, [{ n: 7, receivedAt: 1000 }]);
  assert.equal(counts.get("tile"), 1);
  assert.equal(streams.streams[0].made, 1);
  offA();
  assert.equal(bus.count(CAM), 1);
  offB();
  assert.equal(bus.count(CAM), 0, "the last viewer gone: the stream's subscription too");
  assert.deepEqual(streams.streams, []);
  await streams.close();
  assert.ok(resizer.closed);
});

Deno.test("ReducedStreams keeps only the newest frame waiting while a resize runs", async () => {
  const { bus, resizer, counts, streams } = setup();
  const a = collect();
  streams.subscribe(CAM, "tile", undefined, a.handler);
  bus.publishFrame(frame(1, 0));
  bus.publishFrame(frame(2, 10));
  bus.publishFrame(frame(3, 20));
  bus.publishFrame(frame(4, 30));
  assert.equal(resizer.held.length, 1, "one resize at a time");
  assert.equal(counts.get("tile/busy"), 2, "2 and 3 replaced while waiting");
  await resizer.release();
  assert.equal(resizer.held.length, 1);
  assert.deepEqual([...resizer.held[0].jpeg.subarray(0, 1)], [4], "then the newest");
  await resizer.release();
  assert.deepEqual(a.got.map((g) => g.n), [1, 4]);
  assert.equal(streams.busy, 0);
  await streams.close();
});

Deno.test("ReducedStreams runs at its fastest viewer's cap and drops what is sooner", async () => {
  const { bus, resizer, counts, streams } = setup();
  const slow = collect();
  const fast = collect();
  streams.subscribe(CAM, "tile", 2, slow.handler);
  const offFast = streams.subscribe(CAM, "tile", 5, fast.handler);
  assert.equal(streams.streams[0].maxFps, 5);
  for (let i = 0; i < 15; i++) {
    // 15 fps for 1 s, each resize answered before the next frame.
    bus.publishFrame(frame(i, i * (1000 / 15)));
    while (resizer.held.length > 0) await resizer.release();
  }
  assert.equal(fast.got.length, 5, "5 of 15 at maxFps 5");
  assert.equal(counts.get("tile/max_fps"), 10);
  offFast();
  assert.equal(streams.streams[0].maxFps, 2, "the cap follows who is left");
  const uncapped = collect();
  streams.subscribe(CAM, "tile", undefined, uncapped.handler);
  assert.equal(streams.streams[0].maxFps, undefined, "no cap once a viewer has none");
  await streams.close();
  assert.equal(bus.count(CAM), 0);
});

Deno.test("ReducedStreams.close() waits for the resize running and delivers nothing after", async () => {
  const { bus, resizer, streams } = setup();
  const a = collect();
  streams.subscribe(CAM, "tile", undefined, a.handler);
  bus.publishFrame(frame(1, 0));
  const closed = streams.close();
  let done = false;
  closed.then(() => done = true);
  await Promise.resolve();
  assert.equal(done, false, "still resizing");
  await resizer.release();
  await closed;
  assert.deepEqual(a.got, []);
  assert.ok(resizer.closed);
  assert.equal(bus.count(CAM), 0);
  // Closed: a late subscribe gets nothing and starts nothing.
  streams.subscribe(CAM, "tile", undefined, a.handler);
  assert.equal(bus.count(CAM), 0);
});

Deno.test("ReducedStreams stops an idle worker after idleMs, and starts one again when asked", async () => {
  const { bus, resizer, streams, started } = setup(20);
  const viewer = collect();
  const off = streams.subscribe(CAM, "tile", undefined, viewer.handler);
  bus.publishFrame(frame(1, 1000));
  assert.equal(started(), 1);
  off();
  // A resize still running when the last stream ends: the worker waits for it.
  await new Promise((ok) => setTimeout(ok, 40));
  assert.equal(resizer.closed, false, "stopped under a running resize");
  await resizer.release();
  await waitFor(() => resizer.closed, 2000, "the idle worker stopped");
  assert.equal(streams.started, false);
  assert.deepEqual(viewer.got, [], "nothing delivered after the viewer left");

  // Asked again: a worker starts; a stream back within the idle time keeps it.
  resizer.closed = false;
  const again = streams.subscribe(CAM, "tile", undefined, viewer.handler);
  assert.equal(started(), 2);
  again();
  const third = streams.subscribe(CAM, "tile", undefined, viewer.handler);
  await new Promise((ok) => setTimeout(ok, 40));
  assert.equal(resizer.closed, false, "a stream came back before the idle time");
  assert.equal(started(), 2);
  third();
  await streams.close();
  assert.ok(resizer.closed);
});
