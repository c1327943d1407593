import assert from "node:assert/strict";
import { backoffDelay } from "./backoff.ts";

const fixed = (r: number) => () => r;

Deno.test("backoffDelay() starts at the base and doubles per attempt without jitter", () => {
  const delays = [0, 1, 2, 3, 4].map((a) => backoffDelay(a, { jitter: 0 }));
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000]);
});

Deno.test("backoffDelay() caps the delay at maxMs", () => {
  assert.equal(backoffDelay(6, { jitter: 0 }), 30_000);
  assert.equal(backoffDelay(50, { jitter: 0 }), 30_000);
  assert.equal(backoffDelay(10_000, { jitter: 0 }), 30_000);
  assert.equal(backoffDelay(3, { baseMs: 100, maxMs: 350, jitter: 0 }), 350);
});

Deno.test("backoffDelay() uses equal jitter by default: a delay in [d/2, d]", () => {
  assert.equal(backoffDelay(0, { random: fixed(0) }), 500);
  assert.equal(backoffDelay(0, { random: fixed(0.5) }), 375);
  assert.equal(backoffDelay(0, { random: fixed(0.999999) }), 250);
  assert.equal(backoffDelay(2, { random: fixed(0.25) }), 1750);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(3);
    assert.ok(d >= 2000 && d <= 4000, `delay ${d} outside [2000, 4000]`);
  }
});

Deno.test("backoffDelay() full jitter reaches down to zero", () => {
  assert.equal(backoffDelay(4, { jitter: 1, random: fixed(0) }), 8000);
  assert.equal(backoffDelay(4, { jitter: 1, random: fixed(0.75) }), 2000);
  assert.equal(backoffDelay(4, { jitter: 1, random: fixed(1) }), 0);
});

Deno.test("backoffDelay() clamps an out-of-range random source", () => {
  assert.equal(backoffDelay(0, { random: fixed(-3) }), 500);
  assert.equal(backoffDelay(0, { random: fixed(7) }), 250);
});

Deno.test("backoffDelay() honours a zero base", () => {
  assert.equal(backoffDelay(0, { baseMs: 0 }), 0);
  assert.equal(backoffDelay(100, { baseMs: 0 }), 0);
});

Deno.test("backoffDelay() rejects bad attempts and options", () => {
  assert.throws(() => backoffDelay(-1), /Backoff attempt must be a non-negative integer: "-1"/);
  assert.throws(() => backoffDelay(1.5), RangeError);
  assert.throws(() => backoffDelay(0, { baseMs: -1 }), /Backoff base/);
  assert.throws(() => backoffDelay(0, { maxMs: NaN }), /Backoff maximum/);
  assert.throws(() => backoffDelay(0, { jitter: 1.5 }), /Backoff jitter must be between 0 and 1/);
});
