import assert from "node:assert/strict";
import {
  encodeEvent,
  EVENT_SUBJECTS,
  eventOf,
  eventSubject,
  frameOf,
  frameSubject,
  Interest,
  serialOfSubject,
  serialOfToken,
  subjectToken,
} from "./bus_wire.ts";
import { buildViewerFrame } from "./trailer.ts";

const SERIAL = "0123ABCDEF01234567";

Deno.test("frameSubject() and eventSubject() name one camera under trustcam.", () => {
  assert.equal(frameSubject(SERIAL), `trustcam.frame.${SERIAL}`);
  assert.equal(eventSubject(SERIAL), `trustcam.event.${SERIAL}`);
  assert.equal(EVENT_SUBJECTS, "trustcam.event.>");
  assert.equal(serialOfSubject(`trustcam.event.${SERIAL}`, "event"), SERIAL);
  assert.equal(serialOfSubject(`trustcam.frame.${SERIAL}`, "event"), null);
  assert.equal(serialOfSubject("trustcam.event.a.b", "event"), null);
});

Deno.test("subjectToken() escapes what a NATS token cannot hold, and round-trips", () => {
  assert.equal(subjectToken("cam.1*>%x y"), "cam%2E1%2A%3E%25x%20y");
  for (const serial of [SERIAL, "a.b", "%41", "* >", "tab\there", "ü-ß"]) {
    const token = subjectToken(serial);
    assert.doesNotMatch(token, /[.*>\s]/, serial);
    assert.equal(serialOfToken(token), serial);
  }
  assert.throws(() => subjectToken(""), RangeError);
});

Deno.test("serialOfToken() refuses tokens no serial encodes to", () => {
  for (const token of ["", "a.b", "a*", ">", "%2", "%zz", "%41", "a b"]) {
    assert.equal(serialOfToken(token), null, token);
  }
});

Deno.test("frameOf() keeps the received bytes and takes the JPEG length from the trailer", () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
  const data = buildViewerFrame(jpeg, SERIAL);
  const f = frameOf(SERIAL, data, 12.5, "hub-a");
  assert.equal(f.data, data);
  assert.equal(f.jpegLength, jpeg.byteLength);
  assert.deepEqual(f.data.subarray(0, f.jpegLength), jpeg);
  assert.equal(f.receivedAt, 12.5);
  assert.equal(f.origin, "hub-a");
});

Deno.test("frameOf() rejects a frame whose trailer names another camera, or none", () => {
  const data = buildViewerFrame(new Uint8Array([1, 2, 3]), SERIAL);
  assert.throws(() => frameOf("0123ABCDEF01234568", data, 0, "h"), RangeError);
  assert.throws(() => frameOf("short", data, 0, "h"), RangeError);
  assert.throws(() => frameOf(SERIAL, data.subarray(0, 18), 0, "h"), /too short: 18 bytes/);
});

Deno.test("encodeEvent() and eventOf() round-trip an event, memoizing its JSON", () => {
  const event = { serial: SERIAL, payload: { type: "camera", event: "online" } };
  const bytes = encodeEvent(event);
  assert.equal((event as { json?: string }).json, '{"type":"camera","event":"online"}');
  const back = eventOf(SERIAL, bytes, "hub-a");
  assert.deepEqual(back, {
    serial: SERIAL,
    payload: event.payload,
    json: '{"type":"camera","event":"online"}',
    origin: "hub-a",
  });
  assert.throws(() => eventOf(SERIAL, new TextEncoder().encode("[1]"), "h"), TypeError);
  assert.throws(() => eventOf(SERIAL, new TextEncoder().encode("{"), "h"), SyntaxError);
});

Deno.test("Interest.add() and remove() report the first and the last subscriber", () => {
  const interest = new Interest();
  assert.equal(interest.add("A"), true);
  assert.equal(interest.add("A"), false);
  assert.equal(interest.add("B"), true);
  assert.deepEqual(interest.serials(), ["A", "B"]);
  assert.equal(interest.remove("A"), false);
  assert.equal(interest.remove("A"), true);
  assert.equal(interest.size, 1);
  assert.throws(() => interest.remove("A"), /No subscriber to remove for "A"/);
});
