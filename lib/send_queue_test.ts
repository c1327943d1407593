import assert from "node:assert/strict";
import { type FrameSink, SendQueue } from "./send_queue.ts";

interface Frame {
  id: string;
  data: Uint8Array;
}

const frame = (id: string, bytes = 100): Frame => ({ id, data: new Uint8Array(bytes) });

/** A sink that holds each write until the test completes it, like a socket under load. */
class FakeSink implements FrameSink {
  bufferedAmount = 0;
  /** Writes started and not completed yet, oldest first. */
  pending: { data: Uint8Array; done: (err?: Error) => void }[] = [];
  written: Uint8Array[] = [];
  open = true;
  throwNext: Error | undefined;

  send(data: Uint8Array, done: (err?: Error) => void): boolean {
    if (this.throwNext) {
      const err = this.throwNext;
      this.throwNext = undefined;
      throw err;
    }
    if (!this.open) return false;
    this.pending.push({ data, done });
    return true;
  }

  /** Completes the oldest write (with `err`, or as written). */
  complete(err?: Error): void {
    const w = this.pending.shift();
    assert.ok(w, "a write to complete");
    if (!err) this.written.push(w.data);
    w.done(err);
  }

  /** Completes writes until none is pending. */
  drain(): void {
    while (this.pending.length > 0) this.complete();
  }
}

function setup(limit = 1000) {
  const sink = new FakeSink();
  const sent: string[] = [];
  const skipped: string[] = [];
  const failed: unknown[] = [];
  const queue = new SendQueue<Frame>(sink, limit, {
    onSent: (f) => sent.push(f.id),
    onSkipped: (f) => skipped.push(f.id),
    onFailed: (err) => failed.push(err),
  });
  return { sink, queue, sent, skipped, failed };
}

Deno.test("SendQueue.push() writes one frame at a time and the rest in order after it", () => {
  const { sink, queue, sent, skipped } = setup();
  const frames = ["a", "b", "c", "d"].map((id) => frame(id));
  for (const f of frames) queue.push(f);
  assert.equal(sink.pending.length, 1, "one write in flight");
  assert.equal(queue.waiting, 3);
  assert.equal(queue.waitingBytes, 300);
  sink.drain();
  assert.deepEqual(sink.written, frames.map((f) => f.data), "same buffers, same order");
  assert.deepEqual(sent, ["a", "b", "c", "d"]);
  assert.deepEqual(skipped, []);
  assert.equal(queue.inFlight, false);
  assert.equal(queue.waitingBytes, 0);
});

Deno.test("SendQueue.push() queues a whole burst under the limit and skips past it", () => {
  const { sink, queue, sent, skipped } = setup(1000);
  // 16 cameras at once, 100 bytes each: the first goes out, the others wait while the bytes
  // held before them are within the 1000-byte limit.
  for (let i = 0; i < 16; i++) queue.push(frame(`f${i}`));
  assert.equal(queue.waiting, 11);
  assert.equal(queue.waitingBytes, 1100);
  assert.deepEqual(skipped, ["f12", "f13", "f14", "f15"]);
  sink.drain();
  assert.deepEqual(sent, Array.from({ length: 12 }, (_, i) => `f${i}`));
});

Deno.test("SendQueue.push() counts the sink's bytes: a slow drain skips until it catches up", () => {
  const { sink, queue, sent, skipped } = setup(1000);
  sink.bufferedAmount = 950; // the socket still holds most of what it was given
  queue.push(frame("a"));
  queue.push(frame("b")); // 0 waiting + 950: within the limit, waits
  queue.push(frame("c")); // 100 waiting + 950 > 1000: too much held
  assert.deepEqual(skipped, ["c"]);
  sink.bufferedAmount = 0; // drained
  queue.push(frame("d"));
  sink.drain();
  assert.deepEqual(sent, ["a", "b", "d"]);
  assert.deepEqual(skipped, ["c"]);
  // A frame bigger than the limit still goes out when nothing is held.
  queue.push(frame("big", 5000));
  assert.deepEqual(sent, ["a", "b", "d", "big"]);
});

Deno.test("SendQueue drops the waiting frames when a write fails and starts over on the next push", () => {
  const { sink, queue, sent } = setup();
  for (const id of ["a", "b", "c"]) queue.push(frame(id));
  sink.complete(new Error("reset"));
  assert.equal(queue.inFlight, false);
  assert.equal(queue.waiting, 0);
  assert.equal(queue.waitingBytes, 0);
  assert.equal(sink.pending.length, 0, "nothing written after the error");
  queue.push(frame("d"));
  sink.drain();
  assert.deepEqual(sent, ["a", "d"]);
});

Deno.test("SendQueue reports a throwing sink once and keeps going", () => {
  const { sink, queue, sent, failed } = setup();
  queue.push(frame("a"));
  queue.push(frame("b"));
  sink.throwNext = new Error("torn down");
  sink.complete(); // a written; b's write throws
  assert.equal(failed.length, 1);
  assert.equal((failed[0] as Error).message, "torn down");
  assert.equal(queue.inFlight, false);
  queue.push(frame("c"));
  sink.drain();
  assert.deepEqual(sent, ["a", "c"]);
});

Deno.test("SendQueue stops writing when the sink closes, and ignores pushes after close()", () => {
  const { sink, queue, sent, skipped } = setup();
  for (const id of ["a", "b", "c"]) queue.push(frame(id));
  sink.open = false;
  sink.complete(); // b finds the sink closing: b and c are dropped, nothing thrown
  assert.equal(queue.inFlight, false);
  assert.equal(queue.waiting, 0);
  assert.deepEqual(sent, ["a"]);

  const second = setup();
  for (const id of ["a", "b"]) second.queue.push(frame(id));
  second.queue.close();
  assert.equal(second.queue.waiting, 0);
  second.queue.push(frame("c"));
  second.sink.drain(); // the write in flight completes; nothing follows it
  assert.deepEqual(second.sent, ["a"]);
  assert.deepEqual(second.skipped, []);
  assert.deepEqual(skipped, []);
});

Deno.test("SendQueue.dropWhere() drops the waiting frames it selects, not the write in flight", () => {
  const { sink, queue, sent, skipped } = setup();
  for (const id of ["a1", "b1", "a2", "b2"]) queue.push(frame(id));
  queue.dropWhere((f) => f.id.startsWith("a"));
  assert.equal(queue.waiting, 2);
  assert.equal(queue.waitingBytes, 200);
  sink.drain();
  assert.deepEqual(sent, ["a1", "b1", "b2"]);
  assert.deepEqual(skipped, []);
  queue.dropWhere(() => true);
  assert.equal(queue.waiting, 0);
});

Deno.test("SendQueue rejects a negative limit", () => {
  assert.throws(
    () => new SendQueue(new FakeSink(), -1, { onSent() {}, onSkipped() {}, onFailed() {} }),
    /Invalid send queue limit: -1 bytes/,
  );
});
