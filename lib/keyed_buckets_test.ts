import assert from "node:assert/strict";
import { KeyedBuckets } from "./keyed_buckets.ts";

function clock(t = 1_000_000) {
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

Deno.test("KeyedBuckets.take() allows the burst, then the rate, per key", () => {
  const clk = clock();
  const b = new KeyedBuckets({ ratePerSec: 10 / 60, burst: 5, now: clk.now });
  for (let i = 0; i < 5; i++) assert.equal(b.take("alice"), true, `take ${i + 1}`);
  assert.equal(b.take("alice"), false, "the sixth at once is refused");
  assert.equal(b.take("bob"), true, "another key has its own bucket");
  clk.advance(5999);
  assert.equal(b.take("alice"), false, "not yet one token after 5.999 s");
  clk.advance(1);
  assert.equal(b.take("alice"), true, "one token every 6 s");
  assert.equal(b.take("alice"), false);
  clk.advance(60_000);
  for (let i = 0; i < 5; i++) assert.equal(b.take("alice"), true, `refilled take ${i + 1}`);
  assert.equal(b.take("alice"), false, "the refill stops at the burst");
});

Deno.test("KeyedBuckets drops buckets that are full again once it holds sweepAt keys", () => {
  const clk = clock();
  const b = new KeyedBuckets({ ratePerSec: 1, burst: 2, now: clk.now, sweepAt: 3 });
  b.take("a");
  b.take("b");
  clk.advance(1000);
  b.take("c");
  b.take("c");
  assert.equal(b.size, 3);
  clk.advance(1000);
  // "a" and "b" rested 2 s, enough to refill 2 tokens; "c" only 1 s.
  assert.equal(b.take("d"), true);
  assert.equal(b.size, 2, "c and d remain");
  assert.equal(b.take("c"), true, "c emptied its bucket and refilled one token in 1 s");
  assert.equal(b.take("c"), false, "a kept bucket keeps its count");
});

Deno.test("KeyedBuckets rejects a bad rate or burst", () => {
  assert.throws(() => new KeyedBuckets({ ratePerSec: 0, burst: 1 }), RangeError);
  assert.throws(() => new KeyedBuckets({ ratePerSec: 1, burst: 0 }), RangeError);
});
