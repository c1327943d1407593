import assert from "node:assert/strict";
import { RunQueue } from "./run_queue.ts";
import { sweepViewers } from "./sweep.ts";

Deno.test("RunQueue runs one job at a time, in the order asked", async () => {
  const q = new RunQueue();
  const log: string[] = [];
  let running = 0;
  const job = (name: string, ticks: number) => async () => {
    running++;
    assert.equal(running, 1, "one job at a time");
    log.push(`${name} start`);
    for (let i = 0; i < ticks; i++) await Promise.resolve();
    log.push(`${name} end`);
    running--;
    return name;
  };
  const results = await Promise.all([q.run(job("a", 5)), q.run(job("b", 1)), q.run(job("c", 3))]);
  assert.deepEqual(results, ["a", "b", "c"]);
  assert.deepEqual(log, ["a start", "a end", "b start", "b end", "c start", "c end"]);
});

Deno.test("RunQueue interleaves two sweeps run by run", async () => {
  const q = new RunQueue();
  const order: string[] = [];
  const sweep = (hub: string, limit: number, start: number) =>
    sweepViewers(async (v) => {
      // Three runs per step, each through the queue, like bench/run.ts.
      let passed = 0;
      for (let i = 0; i < 3; i++) {
        passed += await q.run(() => {
          order.push(`${hub}${v}`);
          return Promise.resolve(v <= limit ? 1 : 0);
        });
      }
      return passed >= 2;
    }, { start, cap: 192, resolution: 0.15, maxSteps: 7 });
  const [relay, ceiling] = await Promise.all([sweep("t", 40, 8), sweep("b", 50, 32)]);
  assert.equal(relay.max, 40);
  assert.equal(ceiling.max, 48);
  // While both sweep, every run of one hub is followed by a run of the other.
  const both = Math.min(relay.steps, ceiling.steps) * 3 * 2;
  for (let i = 1; i < both; i++) {
    assert.notEqual(order[i][0], order[i - 1][0], `run ${i}: ${order.slice(0, both).join(" ")}`);
  }
  assert.equal(order.length, (relay.steps + ceiling.steps) * 3);
});

Deno.test("RunQueue refuses later jobs once one failed and keeps the first error", async () => {
  const q = new RunQueue();
  const boom = new Error("The hub exited during the step");
  let ran = false;
  const failed = q.run(() => Promise.reject(boom));
  const later = q.run(() => {
    ran = true;
    return Promise.resolve(1);
  });
  await assert.rejects(failed, boom);
  await assert.rejects(later, /Not run: an earlier run failed/);
  assert.equal(ran, false);
  assert.equal(q.error, boom);
});
