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
}

const frame = (id: number) => ({ id, data: new Uint8Array([id]) });

Deno.test("LatestSender.push() writes at once when idle and keeps one frame behind a write", () => {
  const sink = new FakeSink();
  const s = new LatestSender<ReturnType<typeof frame>>(sink);
  s.push(frame(1));
  assert.equal(sink.pending.length, 1);
  assert.equal(s.inFlight, true);
  s.push(frame(2));
  assert.equal(sink.pending.length, 1, "the second waits, not in the socket");
  assert.equal(s.waiting, true);
  sink.complete();
  assert.equal(sink.pending.length, 1);
  sink.complete();
  assert.deepEqual(sink.written, [1, 2]);
  assert.equal(s.sent, 2);
  assert.equal(s.skipped, 0);
});

Deno.test("LatestSender.push() replaces the waiting frame: a slow viewer skips to the newest", () => {
  const sink = new FakeSink();
  const s = new LatestSender<ReturnType<typeof frame>>(sink);
  for (let i = 1; i <= 10; i++) s.push(frame(i));
  assert.equal(sink.pending.length, 1, "never more than one write in the socket");
  assert.equal(s.skipped, 8);
  sink.complete();
  sink.complete();
  assert.deepEqual(sink.written, [1, 10]);
  assert.equal(s.sent, 2);
  assert.equal(s.last?.id, 10);
});

Deno.test("LatestSender.idle() resolves once the write and the waiting frame are done", async () => {
  const sink = new FakeSink();
  const s = new LatestSender<ReturnType<typeof frame>>(sink);
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

Deno.test("LatestSender.dropWaiting() drops the frame waiting, not the write in flight", async () => {
  const sink = new FakeSink();
  const s = new LatestSender<ReturnType<typeof frame>>(sink);
  s.push(frame(1));
  s.push(frame(2));
  s.dropWaiting();
  assert.equal(s.waiting, false);
  const idle = s.idle();
  sink.complete();
  await idle;
  assert.deepEqual(sink.written, [1]);
  s.push(frame(3));
  sink.complete();
  assert.deepEqual(sink.written, [1, 3]);
});

Deno.test("LatestSender.close() ignores later pushes and releases idle() waiters", async () => {
  const sink = new FakeSink();
  const s = new LatestSender<ReturnType<typeof frame>>(sink);
  s.push(frame(1));
  s.push(frame(2));
  const idle = s.idle();
  s.close();
  await idle;
  s.push(frame(3));
  sink.complete();
  assert.deepEqual(sink.written, [1]);
  assert.equal(sink.pending.length, 0);
});

Deno.test("LatestSender closes itself when the sink refuses, throws or fails a write", async () => {
  const refusing = new FakeSink();
  refusing.open = false;
  const a = new LatestSender(refusing);
  a.push(frame(1));
  await a.idle();
  assert.equal(a.sent, 0);

  const throwing: FrameSink = {
    bufferedAmount: 0,
    send() {
      throw new Error("torn down");
    },
  };
  const b = new LatestSender(throwing);
  b.push(frame(1));
  assert.equal(b.inFlight, false);
  await b.idle();

  const failing = new FakeSink();
  const c = new LatestSender(failing);
  c.push(frame(1));
  c.push(frame(2));
  failing.complete(new Error("reset"));
  await c.idle();
  c.push(frame(3));
  assert.equal(failing.pending.length, 0);
});
