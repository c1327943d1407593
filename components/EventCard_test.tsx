import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { EventCard } from "./EventCard.tsx";

const A = "0123A1B2C3D4E5F6A7";
const NOW = Date.UTC(2026, 10, 27, 15, 0, 0);
const event = {
  id: "ev1",
  camera: A,
  startedAt: NOW - 60_000,
  endedAt: NOW - 48_000,
  score: 0.042,
  box: { x: 0, y: 0, w: 1, h: 1 },
  thumbnail: "/api/events/ev1/thumbnail.jpg",
};

Deno.test("EventCard links to the camera at the event, with a lazy fixed-size thumbnail", () => {
  const html = renderToString(<EventCard event={event} name={`Front <door>`} now={NOW} />);
  assert.match(html, new RegExp(`<a href="/cameras/${A}\\?at=${NOW - 62_000}"`));
  assert.match(
    html,
    /<img src="\/api\/events\/ev1\/thumbnail.jpg" loading="lazy" width="160" height="120" alt="Motion on Front &lt;door> at \d\d:\d\d:\d\d"/,
  );
  assert.match(html, /Front &lt;door>/);
  assert.match(html, /data-duration>12 s</);
  assert.match(html, /data-score>4.2 %</);
  const open = renderToString(
    <EventCard event={{ ...event, endedAt: null }} name="Front" now={NOW} />,
  );
  assert.match(open, /data-ongoing>● ongoing/);
  assert.doesNotMatch(open, /data-duration/);
});
