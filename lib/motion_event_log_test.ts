import assert from "node:assert/strict";
import {
  DEFAULT_EVENT_LIMIT,
  eventJson,
  MAX_EVENT_LIMIT,
  parseEventRange,
} from "./motion_event_log.ts";
import { TrustcamError } from "./errors.ts";

const q = (s: string) => parseEventRange(new URLSearchParams(s));

function fails(s: string, code: string, message: string) {
  assert.throws(() => q(s), (e) => {
    assert.ok(e instanceof TrustcamError);
    assert.deepEqual([e.code, e.message], [code, message]);
    return true;
  });
}

Deno.test("parseEventRange() defaults to every time and 100 events", () => {
  assert.deepEqual(q(""), { from: 0, to: Number.MAX_SAFE_INTEGER, limit: DEFAULT_EVENT_LIMIT });
  assert.deepEqual(q("from=2026-11-27T10:00:00Z&to=1800000000000&limit=1000"), {
    from: Date.parse("2026-11-27T10:00:00Z"),
    to: 1_800_000_000_000,
    limit: MAX_EVENT_LIMIT,
  });
});

Deno.test("parseEventRange() refuses a bad limit, time or range with the value quoted", () => {
  const limit = (v: string) => `Invalid limit: "${v}": expected an integer from 1 to 1000`;
  for (const v of ["0", "1001", "-1", "1.5", "ten", ""]) {
    fails(`limit=${v}`, "TC_ERR_BAD_REQUEST", limit(v));
  }
  fails(
    "from=yesterday",
    "TC_ERR_BAD_TIME",
    'Invalid from: "yesterday": expected ISO 8601 (2026-11-27T14:00:00Z) or epoch ms',
  );
  fails("from=20&to=10", "TC_ERR_BAD_RANGE", 'Invalid range: from "20" is after to "10"');
});

Deno.test("eventJson() is the EVENT object: ISO times and the thumbnail's path", () => {
  const box = { x: 0.1, y: 0.2, w: 0.3, h: 0.4 };
  assert.deepEqual(
    eventJson({ id: "e1", camera: "C", startedAt: 0, endedAt: null, score: 0.5, box }),
    {
      id: "e1",
      camera: "C",
      startedAt: "1970-01-01T00:00:00.000Z",
      endedAt: null,
      score: 0.5,
      box,
      thumbnail: "/api/events/e1/thumbnail.jpg",
    },
  );
});
