import assert from "node:assert/strict";
import { followStatus, INITIAL_LINK_STATUS, isStale } from "./link_status.ts";

Deno.test("followStatus() marks the page stale from the first failure until a socket opens", () => {
  let link = followStatus(INITIAL_LINK_STATUS, "connecting", undefined, 1_000);
  assert.equal(isStale(link), false);
  link = followStatus(link, "open", undefined, 2_000);
  assert.deepEqual(link, { status: "open" });
  link = followStatus(link, "reconnecting", 5_000, 3_000);
  assert.deepEqual(link, { status: "reconnecting", retryAt: 5_000, lostAt: 3_000 });
  assert.equal(isStale(link), true);
  // Later attempts keep the time the link was lost.
  link = followStatus(link, "reconnecting", undefined, 5_000);
  link = followStatus(link, "reconnecting", 9_000, 5_100);
  assert.deepEqual(link, { status: "reconnecting", retryAt: 9_000, lostAt: 3_000 });
  link = followStatus(link, "open", undefined, 9_500);
  assert.equal(isStale(link), false);
});

Deno.test("followStatus() counts a close before the first open as lost", () => {
  const link = followStatus(INITIAL_LINK_STATUS, "reconnecting", 1_500, 1_000);
  assert.equal(link.lostAt, 1_000);
  assert.equal(followStatus(link, "closed", undefined, 2_000).lostAt, 1_000);
});
