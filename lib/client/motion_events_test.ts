import assert from "node:assert/strict";
import {
  applyMotion,
  customFilter,
  type EventItem,
  eventLink,
  eventMarks,
  eventsUrl,
  formatEventDuration,
  formatScore,
  matches,
  parseAt,
  parseEvents,
  presetFilter,
  toLocalInput,
} from "./motion_events.ts";
import { DAY_MS, HOUR_MS } from "./timeline.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";
const NOW = Date.UTC(2026, 10, 27, 15, 0, 0);
const box = { x: 0.1, y: 0.2, w: 0.3, h: 0.4 };

function item(id: string, startedAt: number, more: Partial<EventItem> = {}): EventItem {
  return {
    id,
    camera: A,
    startedAt,
    endedAt: startedAt + 5000,
    score: 0.05,
    box,
    thumbnail: `/api/events/${id}/thumbnail.jpg`,
    ...more,
  };
}

Deno.test("parseEvents() reads the hub's EVENT objects and leaves out what it cannot read", () => {
  const good = {
    id: "e1",
    camera: A,
    startedAt: new Date(NOW - 60_000).toISOString(),
    endedAt: new Date(NOW - 50_000).toISOString(),
    score: 0.12,
    box,
    thumbnail: "/api/events/e1/thumbnail.jpg",
  };
  const open = { ...good, id: "e2", endedAt: null, thumbnail: undefined };
  assert.deepEqual(
    parseEvents({
      events: [good, open, { ...good, score: 2 }, { ...good, startedAt: "x" }, null, {
        ...good,
        box: { x: 0 },
      }],
    }),
    [
      item("e1", NOW - 60_000, { endedAt: NOW - 50_000, score: 0.12 }),
      item("e2", NOW - 60_000, { endedAt: null, score: 0.12 }),
    ],
  );
  assert.deepEqual(parseEvents(null), []);
  assert.deepEqual(parseEvents({ events: "no" }), []);
});

Deno.test("presetFilter() and eventsUrl() ask for the range as epoch ms", () => {
  assert.deepEqual(presetFilter("hour", NOW), {
    camera: undefined,
    from: NOW - HOUR_MS,
    limit: 100,
  });
  assert.equal(presetFilter("week", NOW, A).from, NOW - 7 * DAY_MS);
  assert.equal(
    eventsUrl(presetFilter("day", NOW, A)),
    `/api/events?camera=${A}&from=${NOW - DAY_MS}&limit=100`,
  );
  assert.equal(
    eventsUrl({ from: 1.5, to: 9.5, limit: 5 }),
    "/api/events?from=1&to=10&limit=5",
  );
});

Deno.test("applyMotion() adds a start on top, updates it at its end, keeps the filter", () => {
  const f = presetFilter("hour", NOW);
  const list = [item("old", NOW - 30 * 60_000)];
  const notice = {
    type: "motion" as const,
    id: "new",
    camera: A,
    startedAt: new Date(NOW).toISOString(),
    score: 0.02,
    box,
  };
  const started = applyMotion(list, { ...notice, state: "start" }, f);
  assert.deepEqual(started.map((e) => [e.id, e.endedAt]), [["new", null], [
    "old",
    list[0].endedAt,
  ]]);
  assert.equal(started[0].thumbnail, "/api/events/new/thumbnail.jpg");
  const ended = applyMotion(started, {
    ...notice,
    state: "end",
    endedAt: new Date(NOW + 7000).toISOString(),
    score: 0.2,
  }, f);
  assert.deepEqual(ended.map((e) => [e.id, e.endedAt, e.score]), [
    ["new", NOW + 7000, 0.2],
    ["old", list[0].endedAt, 0.05],
  ]);
  // The peak frame may have changed: the thumbnail is fetched again.
  assert.equal(ended[0].thumbnail, "/api/events/new/thumbnail.jpg?end");
  // Another camera than the one shown, or before the range: the same list.
  const onlyA = presetFilter("hour", NOW, A);
  assert.equal(applyMotion(list, { ...notice, camera: B, state: "start" }, onlyA), list);
  const early = new Date(NOW - 2 * HOUR_MS).toISOString();
  assert.equal(applyMotion(list, { ...notice, startedAt: early, state: "start" }, f), list);
  // At most `limit`: the oldest goes.
  assert.deepEqual(
    applyMotion(list, { ...notice, state: "start" }, { ...f, limit: 1 }).map((e) => e.id),
    ["new"],
  );
});

Deno.test("matches() takes events that start inside a closed range", () => {
  const f = { from: NOW - HOUR_MS, to: NOW, limit: 10 };
  assert.equal(matches(f, { camera: A, startedAt: NOW - 1 }), true);
  assert.equal(matches(f, { camera: A, startedAt: NOW + 1 }), false);
  assert.equal(matches({ ...f, camera: B }, { camera: A, startedAt: NOW - 1 }), false);
});

Deno.test("formatEventDuration() and formatScore() read for people", () => {
  assert.equal(formatEventDuration(item("a", NOW, { endedAt: null })), "ongoing");
  assert.equal(formatEventDuration(item("a", NOW, { endedAt: NOW + 400 })), "< 1 s");
  assert.equal(formatEventDuration(item("a", NOW, { endedAt: NOW + 75_000 })), "1 min 15 s");
  assert.equal(formatScore(0.0042), "0.4 %");
  assert.equal(formatScore(0.256), "26 %");
});

Deno.test("eventLink() opens the camera page just before the event; parseAt() reads it back", () => {
  const link = eventLink({ camera: A, startedAt: NOW });
  assert.equal(link, `/cameras/${A}?at=${NOW - 2000}`);
  const at = new URL(link, "https://hub").searchParams.get("at");
  assert.equal(parseAt(at, NOW), NOW - 2000);
  for (const bad of [null, "", "soon", "-5", "1e12", String(NOW + 60_000), "0"]) {
    assert.equal(parseAt(bad, NOW), undefined, String(bad));
  }
});

Deno.test("eventMarks() marks each event's start with when, how long and how much", () => {
  const marks = eventMarks([item("a", NOW - 60_000, { endedAt: NOW - 48_000, score: 0.042 })], NOW);
  assert.equal(marks.length, 1);
  assert.equal(marks[0].at, NOW - 60_000);
  assert.match(marks[0].label, /^Motion at \d\d:\d\d:\d\d, 12 s, score 4\.2 %$/);
});

Deno.test("customFilter() reads two local times; toLocalInput() writes one", () => {
  const from = new Date(2026, 10, 27, 14, 0).getTime();
  const to = new Date(2026, 10, 27, 15, 30).getTime();
  assert.deepEqual(customFilter("2026-11-27T14:00", "2026-11-27T15:30", A), {
    camera: A,
    from,
    to,
    limit: 100,
  });
  assert.deepEqual(customFilter("2026-11-27T14:00", ""), {
    camera: undefined,
    from,
    limit: 100,
  });
  assert.equal(customFilter("", ""), "Choose when the range starts");
  assert.equal(
    customFilter("2026-11-27T14:00", "2026-11-27T13:00"),
    "The range must end after it starts",
  );
  assert.equal(customFilter("2026-11-27T14:00", "later"), 'Invalid end: "later"');
  assert.equal(toLocalInput(to), "2026-11-27T15:30");
});
