import assert from "node:assert/strict";
import { CAMERAS_PER_MESSAGE, subscriptionDiff } from "./subscription_diff.ts";

const A = "0123000000000000AA";
const B = "0123000000000000BB";
const C = "0123000000000000CC";

Deno.test("subscriptionDiff() sends removals, then additions, in bounded messages", () => {
  assert.deepEqual(subscriptionDiff(new Set([A, B]), new Set([B, C])), [
    JSON.stringify({ type: "unsubscribe", cameras: [A] }),
    JSON.stringify({ type: "subscribe", cameras: [C] }),
  ]);
  assert.deepEqual(subscriptionDiff(new Set([A]), new Set([A])), []);
  const many = new Set(Array.from({ length: 300 }, (_, i) => `0123${String(i).padStart(14, "0")}`));
  const msgs = subscriptionDiff(new Set(), many).map((m) => JSON.parse(m));
  assert.deepEqual(msgs.map((m) => m.cameras.length), [
    CAMERAS_PER_MESSAGE,
    CAMERAS_PER_MESSAGE,
    44,
  ]);
  for (const m of subscriptionDiff(new Set(), many)) assert.ok(m.length < 4096);
});

Deno.test("subscriptionDiff() groups cameras by stream options and sends option changes", () => {
  const tile = { size: "tile" as const };
  const tile5 = { size: "tile" as const, maxFps: 5 };
  assert.deepEqual(
    subscriptionDiff(new Set([A]), new Set([A, B, C]), {
      to: new Map([[A, tile], [B, tile], [C, tile5]]),
    }).map((m) => JSON.parse(m)),
    [
      { type: "subscribe", cameras: [A, B], size: "tile" },
      { type: "subscribe", cameras: [C], size: "tile", maxFps: 5 },
    ],
  );
  // Back to the default: a plain subscribe; unchanged options: nothing.
  assert.deepEqual(
    subscriptionDiff(new Set([A, B]), new Set([A, B]), {
      from: new Map([[A, tile], [B, tile]]),
      to: new Map([[B, tile]]),
    }).map((m) => JSON.parse(m)),
    [{ type: "subscribe", cameras: [A] }],
  );
});
