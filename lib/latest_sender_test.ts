import assert from "node:assert/strict";
import { LatestSender } from "./latest_sender.ts";
import type { FrameSink } from "./send_queue.ts";

/** A sink that holds each write until the test completes it, like a slow viewer's socket. */
class FakeSink implements FrameSink {
  bufferedAmount = 0;
  pending: { data: Uint8Array; done: (err?: Error) => void }[] = [];
  written: number[] = [];
  open = true;

  send(data: Uint8Array, done: (err?: Error) => void): boolean {
    if (!this.open) return false;
    this.pending.push({ data, done });
    return true;
  }

  complete(err?: Error): void {
    const w = this.pending.shift();
    assert.ok(w, "a write to complete");
    if (!err) this.written.push(w.data[0]);
    w.done(err);
  }

  drain(): void {
    while (this.pending.length > 0) this.complete();
  }
}

const frame = (id: number, bytes = 1) => {
  const data = new Uint8Array(bytes);
  data[0] = id;
  return { id, data };
};
type Frame = ReturnType<typeof frame>;

Deno.test("LatestSender.push() writes at once when idle, one write in flight, the rest in order", () => {
  const sink = new FakeSink();
  const s = new LatestSender<Frame>(sink);
  s.push(frame(1));
  assert.equal(sink.pending.length, 1);
  assert.equal(s.inFlight, true);
  s.push(frame(2));
  s.push(frame(3));
  assert.equal(sink.pending.length, 1, "the others wait, not in the socket");
  assert.equal(s.waiting, 2);
  sink.drain();
  assert.deepEqual(sink.written, [1, 2, 3]);
  assert.equal(s.sent, 3);
  assert.equal(s.skipped, 0);
  assert.equal(s.last?.id, 3);
});

Deno.test("LatestSender.push() past the bound drops those waiting: a slow viewer skips ahead", () => {
  const sink = new FakeSink();
  const s = new LatestSender<Frame>(sink, { maxWaiting: 4 });
  for (let i = 1; i <= 10; i++) s.push(frame(i));
  // 1 in flight; 2-5 waited, dropped for 6; 6-9 waited, dropped for 10.
  assert.equal(sink.pending.length, 1, "never more than one write in the socket");
  assert.equal(s.waiting, 1);
  assert.equal(s.skipped, 8);
  sink.drain();
  assert.deepEqual(sink.written, [1, 10]);
  assert.equal(s.sent, 2);
  assert.equal(s.last?.id, 10);
});

Deno.test("LatestSender bounds the bytes waiting, but one frame may always wait", () => {
  const sink = new FakeSink();
  const s = new LatestSender<Frame>(sink, { maxWaiting: 10, maxWaitingBytes: 250 });
  s.push(frame(1, 100));
  s.push(frame(2, 100));
  s.push(frame(3, 100));
  assert.equal(s.waiting, 2);
  s.push(frame(4, 100)); // 300 bytes: 2 and 3 go
  assert.equal(s.waiting, 1);
  s.push(frame(5, 1000)); // larger than the bound on its own: waits alone
  assert.equal(s.waiting, 1);
  sink.drain();
  assert.deepEqual(sink.written, [1, 5]);
  assert.equal(s.skipped, 3);
});

Deno.test("LatestSender.idle() resolves once the writes and the frames waiting are done", async () => {
  const sink = new FakeSink();
  const s = new LatestSender<Frame>(sink);
  await s.idle();
  s.push(frame(1));
  s.push(frame(2));
  let idle = false;
  const p = s.idle().then(() => idle = true);
  sink.complete();
  await Promise.resolve();
  assert.equal(idle, false, "frame 2 is now in flight");
  sink.complete();
  await p;
  assert.equal(idle, true);
});

Deno.test("LatestSender.close() drops the frames waiting, ignores later pushes, releases idle()", async () => {
  const sink = new FakeSink();
  const s = new LatestSender<Frame>(sink);
  s.push(frame(1));
  s.push(frame(2));
  const idle = s.idle();
  s.close();
  await idle;
  s.push(frame(3));
  sink.drain();
  assert.deepEqual(sink.written, [1]);
  assert.equal(s.last?.id, 1);
});

Deno.test("LatestSender closes itself when the sink refuses, throws or fails a write", async () => {
  const refusing = new FakeSink();
  refusing.open = false;
  const a = new LatestSender<Frame>(refusing);
  a.push(frame(1));
  await a.idle();
  assert.equal(a.sent, 0);

  const throwing: FrameSink = {
    bufferedAmount: 0,
    send() {
      throw new Error("torn down");
    },
  };
  const b = new LatestSender<Frame>(throwing);
  b.push(frame(1));
  assert.equal(b.inFlight, false);
  await b.idle();

  const failing = new FakeSink();
  const c = new LatestSender<Frame>(failing);
  c.push(frame(1));
  c.push(frame(2));
  failing.complete(new Error("reset"));
  await c.idle();
  c.push(frame(3));
  assert.equal(failing.pending.length, 0);
});
