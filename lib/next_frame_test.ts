import assert from "node:assert/strict";
import { type Bus, type BusFrame, InProcessBus } from "./bus.ts";
import { nextFrame } from "./next_frame.ts";

const CAM = "0123A1B2C3D4E5F6A7";

function frameOf(serial: string, byte: number): BusFrame {
  const data = new Uint8Array([byte, byte, 0, 0]);
  return { serial, data, jpegLength: 2, receivedAt: 1 };
}

Deno.test("nextFrame() resolves with the camera's next frame and unsubscribes", async () => {
  const bus = new InProcessBus();
  const waiting = nextFrame(bus, CAM, { timeoutMs: 5000 });
  assert.equal(bus.count(CAM), 1);
  bus.publishFrame(frameOf("0123B1B2C3D4E5F6B7", 1));
  const frame = frameOf(CAM, 2);
  bus.publishFrame(frame);
  bus.publishFrame(frameOf(CAM, 3));
  assert.equal(await waiting, frame);
  assert.equal(bus.size, 0);
});

Deno.test("nextFrame() resolves undefined after its timeout and unsubscribes", async () => {
  const bus = new InProcessBus();
  assert.equal(await nextFrame(bus, CAM, { timeoutMs: 1 }), undefined);
  assert.equal(bus.size, 0);
});

Deno.test("nextFrame() resolves undefined when a signal aborts, at once when aborted already", async () => {
  const bus = new InProcessBus();
  const client = new AbortController();
  const shutdown = new AbortController();
  let listening = 0;
  const add = shutdown.signal.addEventListener.bind(shutdown.signal);
  const remove = shutdown.signal.removeEventListener.bind(shutdown.signal);
  shutdown.signal.addEventListener = (...args: Parameters<typeof add>) => {
    listening++;
    add(...args);
  };
  shutdown.signal.removeEventListener = (...args: Parameters<typeof remove>) => {
    listening--;
    remove(...args);
  };
  const signals = [client.signal, shutdown.signal];
  const waiting = nextFrame(bus, CAM, { timeoutMs: 60_000, signals });
  assert.equal(listening, 1);
  client.abort();
  assert.equal(await waiting, undefined);
  assert.equal(bus.size, 0);
  // The long-lived signal keeps nothing of a finished wait.
  assert.equal(listening, 0);
  assert.equal(await nextFrame(bus, CAM, { timeoutMs: 60_000, signals }), undefined);
  assert.equal(bus.size, 0);
});

Deno.test("nextFrame() unsubscribes from a bus that delivers within subscribe()", async () => {
  const inner = new InProcessBus();
  const frame = frameOf(CAM, 4);
  const eager: Bus = {
    publishFrame: (f) => inner.publishFrame(f),
    publishEvent: (e) => inner.publishEvent(e),
    close: () => inner.close(),
    subscribe(serial, handler) {
      const off = inner.subscribe(serial, handler);
      handler.frame?.(frame);
      return off;
    },
  };
  assert.equal(await nextFrame(eager, CAM, { timeoutMs: 60_000 }), frame);
  assert.equal(inner.size, 0);
});

Deno.test("nextFrame() rejects a negative timeout", () => {
  assert.throws(
    () => nextFrame(new InProcessBus(), CAM, { timeoutMs: -1 }),
    { name: "RangeError", message: 'Invalid frame wait: "-1"' },
  );
});
