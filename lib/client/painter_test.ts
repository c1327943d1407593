import assert from "node:assert/strict";
import { LatestWins } from "./painter.ts";

/** A controllable async job: each run waits until the test releases it. */
function gatedWork() {
  const ran: number[] = [];
  const gates: Array<() => void> = [];
  const work = (n: number) =>
    new Promise<void>((resolve) => {
      ran.push(n);
      gates.push(resolve);
    });
  const release = async () => {
    gates.shift()?.();
    // Let the queue's continuation run.
    for (let i = 0; i < 3; i++) await Promise.resolve();
  };
  return {
    ran,
    work,
    release,
    get waiting() {
      return gates.length;
    },
  };
}

Deno.test("LatestWins runs one item at a time and only the newest of those waiting", async () => {
  const g = gatedWork();
  let replaced = 0;
  const q = new LatestWins(g.work, { replaced: () => replaced++ });
  q.push(1);
  for (let n = 2; n <= 6; n++) q.push(n);
  assert.deepEqual(g.ran, [1]);
  assert.equal(q.busy, true);
  await g.release();
  assert.deepEqual(g.ran, [1, 6]);
  assert.equal(replaced, 4);
  await g.release();
  assert.equal(q.busy, false);
  q.push(7);
  assert.deepEqual(g.ran, [1, 6, 7]);
  await g.release();
});

Deno.test("LatestWins reports a failed run and goes on with the next item", async () => {
  const errors: unknown[] = [];
  const ran: number[] = [];
  let fail = true;
  const q = new LatestWins(async (n: number) => {
    ran.push(n);
    await Promise.resolve();
    if (fail) {
      fail = false;
      throw new Error("corrupt JPEG");
    }
  }, { error: (e) => errors.push(e) });
  q.push(1);
  q.push(2);
  for (let i = 0; i < 10; i++) await Promise.resolve();
  assert.deepEqual(ran, [1, 2]);
  assert.equal(errors.length, 1);
});

Deno.test("LatestWins.close() drops the waiting item", async () => {
  const g = gatedWork();
  const q = new LatestWins(g.work);
  q.push(1);
  q.push(2);
  q.close();
  await g.release();
  q.push(3);
  assert.deepEqual(g.ran, [1]);
  assert.equal(g.waiting, 0);
});
