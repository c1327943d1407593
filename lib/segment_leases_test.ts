import assert from "node:assert/strict";
import { SegmentLeases } from "./segment_leases.ts";

Deno.test("SegmentLeases holds a segment until every lease is disposed", () => {
  const leases = new SegmentLeases();
  const a = leases.acquire("S", 10);
  {
    using _b = leases.acquire("S", 10);
    assert.equal(leases.isHeld("S", 10), true);
  }
  assert.equal(leases.isHeld("S", 10), true);
  assert.equal(leases.isHeld("S", 11), false);
  assert.equal(leases.isHeld("T", 10), false);
  a[Symbol.dispose]();
  a[Symbol.dispose]();
  assert.equal(leases.isHeld("S", 10), false);
  assert.equal(leases.size, 0);
});
