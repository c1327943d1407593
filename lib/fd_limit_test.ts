import assert from "node:assert/strict";
import { defaultMaxConnections, MIN_CONNECTIONS, parseProcLimits } from "./fd_limit.ts";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max open files            1024                 524288               files     
Max locked memory         8388608              8388608              bytes     
`;

Deno.test("parseProcLimits() reads the soft and hard open-file limits", () => {
  assert.deepEqual(parseProcLimits(LIMITS), { soft: 1024, hard: 524288 });
});

Deno.test("parseProcLimits() reads unlimited as Infinity", () => {
  const text = LIMITS.replace("1024                 524288", "unlimited            unlimited");
  assert.deepEqual(parseProcLimits(text), { soft: Infinity, hard: Infinity });
});

Deno.test("parseProcLimits() returns null without a well-formed open-files line", () => {
  assert.equal(parseProcLimits(""), null);
  assert.equal(parseProcLimits("Max cpu time unlimited unlimited seconds\n"), null);
  assert.equal(parseProcLimits("Max open files            lots        524288     files\n"), null);
});

Deno.test("defaultMaxConnections() keeps a quarter of the soft limit, at least 64, in reserve", () => {
  assert.equal(defaultMaxConnections(256), 192);
  assert.equal(defaultMaxConnections(1024), 768);
  assert.equal(defaultMaxConnections(65536), 49152);
  assert.equal(defaultMaxConnections(200), 136, "64 kept, not 50");
});

Deno.test("defaultMaxConnections() never goes below its floor, and treats unlimited as 2^20", () => {
  assert.equal(defaultMaxConnections(64), MIN_CONNECTIONS);
  assert.equal(defaultMaxConnections(0), MIN_CONNECTIONS);
  assert.equal(defaultMaxConnections(Infinity), 786432);
});
