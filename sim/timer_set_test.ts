import assert from "node:assert/strict";
import { TimerSet } from "./timer_set.ts";

Deno.test("TimerSet.later() runs each callback once and forgets it", async () => {
  const timers = new TimerSet();
  const ran: string[] = [];
  await new Promise<void>((resolve) => {
    timers.later(() => ran.push("late"), 20);
    timers.later(() => ran.push("negative"), -5);
    timers.later(resolve, 40);
    assert.equal(timers.size, 3);
  });
  assert.deepEqual(ran, ["negative", "late"]);
  assert.equal(timers.size, 0);
});

Deno.test("TimerSet.cancel() and clear() stop pending callbacks", async () => {
  const timers = new TimerSet();
  const ran: string[] = [];
  const a = timers.later(() => ran.push("a"), 0);
  timers.later(() => ran.push("b"), 0);
  timers.cancel(a);
  timers.cancel(undefined);
  assert.equal(timers.size, 1);
  timers.clear();
  assert.equal(timers.size, 0);
  // Timers of equal delay fire in order: this one comes after any the set failed to stop.
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(ran, []);
});
