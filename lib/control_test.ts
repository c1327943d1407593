import assert from "node:assert/strict";
import { TrustcamError } from "./errors.ts";
import { serialMatcher } from "./serial.ts";
import {
  checkTextSize,
  MAX_TEXT_BYTES,
  parseCamerasParam,
  parseViewerCommand,
  Subscription,
  type SubscriptionCommand,
  TokenBucket,
  utf8ByteLength,
} from "./control.ts";

const isSerial = serialMatcher();
const A = "0123A1B2C3D4E5F6A7";
const B = "0123000000000000B0";
const C = "0123FFFFFFFFFFFFC0";

function rejects(fn: () => unknown, code: string, message: string | RegExp) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof TrustcamError, `expected a TrustcamError, got ${err}`);
    assert.equal(err.code, code);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

Deno.test("utf8ByteLength() matches TextEncoder", () => {
  const enc = new TextEncoder();
  for (const s of ["", "abc", "é", "€", "😀", "a😀é€", "\ud800", "\udc00x", "x\ud800"]) {
    assert.equal(utf8ByteLength(s), enc.encode(s).length, JSON.stringify(s));
  }
});

Deno.test("checkTextSize() accepts exactly 4096 bytes and rejects 4097", () => {
  checkTextSize("x".repeat(MAX_TEXT_BYTES));
  rejects(
    () => checkTextSize("x".repeat(MAX_TEXT_BYTES + 1)),
    "TC_ERR_BAD_CONTROL",
    "Control message too large: 4097 bytes > 4096",
  );
});

Deno.test("checkTextSize() counts bytes, not characters", () => {
  // 1366 × "€" is 1366 characters but 4098 bytes.
  rejects(
    () => checkTextSize("€".repeat(1366), "Status message"),
    "TC_ERR_BAD_CONTROL",
    "Status message too large: 4098 bytes > 4096",
  );
  checkTextSize("€".repeat(1365));
});

Deno.test('parseViewerCommand() parses subscribe and unsubscribe with "*"', () => {
  assert.deepEqual(parseViewerCommand('{"type":"subscribe","cameras":"*"}', isSerial), {
    type: "subscribe",
    cameras: "*",
  });
  assert.deepEqual(parseViewerCommand('{"type":"unsubscribe","cameras":"*"}', isSerial), {
    type: "unsubscribe",
    cameras: "*",
  });
});

Deno.test("parseViewerCommand() canonicalises serials to upper case and drops duplicates", () => {
  const cmd = parseViewerCommand(
    JSON.stringify({ type: "subscribe", cameras: [A.toLowerCase(), B, A] }),
    isSerial,
  );
  assert.deepEqual(cmd, { type: "subscribe", cameras: [A, B] });
});

Deno.test("parseViewerCommand() accepts an empty list and ignores unknown fields", () => {
  assert.deepEqual(
    parseViewerCommand('{"type":"unsubscribe","cameras":[],"extra":1}', isSerial),
    { type: "unsubscribe", cameras: [] },
  );
});

Deno.test("parseViewerCommand() rejects malformed JSON", () => {
  rejects(
    () => parseViewerCommand('{"type":', isSerial),
    "TC_ERR_BAD_CONTROL",
    /^Control message is not valid JSON: /,
  );
});

Deno.test("parseViewerCommand() escapes control characters quoted in a JSON error", () => {
  assert.throws(
    () => parseViewerCommand("x\nFAKE LOG LINE " + "y".repeat(300), isSerial),
    (err) => {
      assert.ok(err instanceof TrustcamError);
      assert.equal(err.code, "TC_ERR_BAD_CONTROL");
      assert.doesNotMatch(err.message, /\n/);
      assert.match(err.message, /"x\\nFAKE LOG/);
      assert.ok(err.message.length <= "Control message is not valid JSON: ".length + 120);
      return true;
    },
  );
});

Deno.test("parseViewerCommand() rejects a JSON value that is not an object", () => {
  rejects(
    () => parseViewerCommand("[1,2]", isSerial),
    "TC_ERR_BAD_CONTROL",
    'Control message must be a JSON object: "[1,2]"',
  );
  rejects(
    () => parseViewerCommand("null", isSerial),
    "TC_ERR_BAD_CONTROL",
    'Control message must be a JSON object: "null"',
  );
});

Deno.test("parseViewerCommand() rejects an unknown or missing type", () => {
  rejects(
    () => parseViewerCommand('{"type":"status","cameras":"*"}', isSerial),
    "TC_ERR_BAD_CONTROL",
    'Unknown message type: "status"',
  );
  rejects(
    () => parseViewerCommand('{"cameras":"*"}', isSerial),
    "TC_ERR_BAD_CONTROL",
    "Control message has no type",
  );
  rejects(
    () => parseViewerCommand('{"type":7}', isSerial),
    "TC_ERR_BAD_CONTROL",
    'Unknown message type: "7"',
  );
});

Deno.test('parseViewerCommand() rejects cameras that are neither "*" nor an array', () => {
  rejects(
    () => parseViewerCommand(`{"type":"subscribe","cameras":"${A}"}`, isSerial),
    "TC_ERR_BAD_CONTROL",
    `Invalid cameras: "${A}" (expected "*" or an array of serials)`,
  );
  rejects(
    () => parseViewerCommand('{"type":"subscribe"}', isSerial),
    "TC_ERR_BAD_CONTROL",
    'Control message "subscribe" has no cameras',
  );
});

Deno.test("parseViewerCommand() accepts 256 cameras and rejects 257", () => {
  // 256 real serials do not fit in 4096 bytes, so short names and a permissive matcher
  // isolate the count limit from the size limit.
  const names = (n: number) => Array.from({ length: n }, (_, i) => i.toString(36));
  const ok = parseViewerCommand(
    JSON.stringify({ type: "subscribe", cameras: names(256) }),
    () => true,
  );
  assert.equal(((ok as SubscriptionCommand).cameras as string[]).length, 256);
  rejects(
    () =>
      parseViewerCommand(JSON.stringify({ type: "subscribe", cameras: names(257) }), () => true),
    "TC_ERR_BAD_CONTROL",
    "Too many cameras in one message: 257 > 256",
  );
});

Deno.test("parseViewerCommand() rejects a non-string camera with its index", () => {
  rejects(
    () => parseViewerCommand(`{"type":"subscribe","cameras":["${A}",42]}`, isSerial),
    "TC_ERR_BAD_CONTROL",
    'Invalid cameras[1]: "42"',
  );
});

Deno.test("parseViewerCommand() rejects a bad serial with TC_ERR_BAD_SERIAL", () => {
  rejects(
    () => parseViewerCommand('{"type":"subscribe","cameras":["9999"]}', isSerial),
    "TC_ERR_BAD_SERIAL",
    'Invalid camera serial: "9999"',
  );
});

Deno.test("parseViewerCommand() truncates a long bad value to 40 characters", () => {
  const long = "Z".repeat(500);
  rejects(
    () => parseViewerCommand(JSON.stringify({ type: "subscribe", cameras: [long] }), isSerial),
    "TC_ERR_BAD_SERIAL",
    `Invalid camera serial: "${"Z".repeat(39)}…"`,
  );
});

Deno.test("parseViewerCommand() rejects a text over 4096 bytes before parsing it", () => {
  const text = JSON.stringify({ type: "subscribe", cameras: "*", pad: "x".repeat(4096) });
  rejects(
    () => parseViewerCommand(text, isSerial),
    "TC_ERR_BAD_CONTROL",
    /^Control message too large: \d+ bytes > 4096$/,
  );
});

Deno.test("parseViewerCommand() parses play with ISO, epoch ms number or string, and speed", () => {
  const at = Date.parse("2026-11-27T14:00:00Z");
  assert.deepEqual(
    parseViewerCommand(
      `{"type":"play","camera":"${A.toLowerCase()}","from":"2026-11-27T14:00:00Z","speed":4}`,
      isSerial,
    ),
    { type: "play", camera: A, from: at, speed: 4 },
  );
  assert.deepEqual(
    parseViewerCommand(`{"type":"play","camera":"${A}","from":${at}}`, isSerial),
    { type: "play", camera: A, from: at, speed: 1 },
  );
  assert.deepEqual(
    parseViewerCommand(`{"type":"play","camera":"${A}","from":"${at}","speed":0.25}`, isSerial),
    { type: "play", camera: A, from: at, speed: 0.25 },
  );
  assert.deepEqual(
    parseViewerCommand(`{"type":"play","camera":"${A}","from":0,"speed":16}`, isSerial),
    { type: "play", camera: A, from: 0, speed: 16 },
  );
});

Deno.test("parseViewerCommand() parses pause and live with one canonical camera", () => {
  assert.deepEqual(
    parseViewerCommand(`{"type":"pause","camera":"${A.toLowerCase()}"}`, isSerial),
    { type: "pause", camera: A },
  );
  assert.deepEqual(
    parseViewerCommand(`{"type":"live","camera":"${B}","from":"ignored"}`, isSerial),
    { type: "live", camera: B },
  );
});

Deno.test("parseViewerCommand() rejects play with a bad or missing time as TC_ERR_BAD_TIME", () => {
  const play = (from: string) => `{"type":"play","camera":"${A}"${from}}`;
  rejects(() => parseViewerCommand(play(""), isSerial), "TC_ERR_BAD_TIME", "Missing from");
  const invalid = (v: string) =>
    `Invalid from: ${v}: expected ISO 8601 (2026-11-27T14:00:00Z) or epoch ms`;
  rejects(
    () => parseViewerCommand(play(',"from":"yesterday"'), isSerial),
    "TC_ERR_BAD_TIME",
    invalid('"yesterday"'),
  );
  rejects(
    () => parseViewerCommand(play(',"from":"2026-13-01T00:00Z"'), isSerial),
    "TC_ERR_BAD_TIME",
    invalid('"2026-13-01T00:00Z"'),
  );
  rejects(
    () => parseViewerCommand(play(',"from":-5'), isSerial),
    "TC_ERR_BAD_TIME",
    invalid('"-5"'),
  );
  rejects(
    () => parseViewerCommand(play(',"from":1.5'), isSerial),
    "TC_ERR_BAD_TIME",
    invalid('"1.5"'),
  );
  rejects(
    () => parseViewerCommand(play(',"from":null'), isSerial),
    "TC_ERR_BAD_TIME",
    invalid('"null"'),
  );
  rejects(
    () => parseViewerCommand(play(',"from":[1]'), isSerial),
    "TC_ERR_BAD_TIME",
    invalid('"[1]"'),
  );
});

Deno.test("parseViewerCommand() rejects play with a bad speed as TC_ERR_BAD_CONTROL", () => {
  const play = (speed: string) => `{"type":"play","camera":"${A}","from":0,"speed":${speed}}`;
  for (
    const [raw, shown] of [
      ["0.2", '"0.2"'],
      ["17", '"17"'],
      ["0", '"0"'],
      ["-1", '"-1"'],
      ['"2"', '"2"'],
      ["null", '"null"'],
      ["true", '"true"'],
    ]
  ) {
    rejects(
      () => parseViewerCommand(play(raw), isSerial),
      "TC_ERR_BAD_CONTROL",
      `Invalid speed: ${shown}: must be a number from 0.25 to 16`,
    );
  }
});

Deno.test("parseViewerCommand() rejects a replay message without a camera or with a bad one", () => {
  rejects(
    () => parseViewerCommand('{"type":"pause"}', isSerial),
    "TC_ERR_BAD_CONTROL",
    'Control message "pause" has no camera',
  );
  rejects(
    () => parseViewerCommand(`{"type":"live","camera":["${A}"]}`, isSerial),
    "TC_ERR_BAD_CONTROL",
    `Invalid camera: "[\\"${A}\\"]" (expected a camera serial)`,
  );
  rejects(
    () => parseViewerCommand('{"type":"play","camera":"0123XYZ","from":0}', isSerial),
    "TC_ERR_BAD_SERIAL",
    'Invalid camera serial: "0123XYZ"',
  );
  // The camera is checked before the time: a bad serial names the serial.
  rejects(
    () => parseViewerCommand('{"type":"play","camera":"*","from":"x"}', isSerial),
    "TC_ERR_BAD_SERIAL",
    'Invalid camera serial: "*"',
  );
});

Deno.test("parseCamerasParam() reads ?cameras= as a subscribe of those serials, canonical", () => {
  assert.deepEqual(parseCamerasParam(`${A.toLowerCase()},${B},,${A}`, isSerial), {
    type: "subscribe",
    cameras: [A, B],
  });
  assert.deepEqual(parseCamerasParam("", isSerial), { type: "subscribe", cameras: [] });
  assert.deepEqual(parseCamerasParam(",", isSerial), { type: "subscribe", cameras: [] });
});

Deno.test("parseCamerasParam() rejects a bad serial and more than 256 cameras", () => {
  rejects(
    () => parseCamerasParam(`${A},../etc`, isSerial),
    "TC_ERR_BAD_SERIAL",
    'Invalid camera serial: "../etc"',
  );
  const names = (n: number) => Array.from({ length: n }, (_, i) => i.toString(36)).join(",");
  assert.equal(parseCamerasParam(names(256), () => true).cameras.length, 256);
  rejects(
    () => parseCamerasParam(names(257), () => true),
    "TC_ERR_BAD_CONTROL",
    "Too many cameras in ?cameras=: 257 > 256",
  );
});

const sub = (cameras: "*" | string[]): SubscriptionCommand => ({ type: "subscribe", cameras });
const unsub = (cameras: "*" | string[]): SubscriptionCommand => ({
  type: "unsubscribe",
  cameras,
});

Deno.test("Subscription starts in all mode and has every camera", () => {
  const s = new Subscription();
  assert.equal(s.has(A), true);
  assert.equal(s.has(B), true);
  assert.deepEqual(s.toJSON(), { all: true, cameras: [] });
});

Deno.test("Subscription with an initial list has only those cameras, canonicalised", () => {
  const s = new Subscription([A.toLowerCase(), B]);
  assert.equal(s.has(A), true);
  assert.equal(s.has(B), true);
  assert.equal(s.has(C), false);
  assert.deepEqual(s.toJSON(), { all: false, cameras: [B, A].sort() });
});

Deno.test("Subscription.apply() unsubscribing in all mode keeps exceptions", () => {
  const s = new Subscription("*");
  s.apply(unsub([A]));
  assert.equal(s.has(A), false);
  assert.equal(s.has(B), true);
  assert.deepEqual(s.toJSON(), { all: true, cameras: [A] });
  s.apply(sub([A]));
  assert.equal(s.has(A), true);
  assert.deepEqual(s.toJSON(), { all: true, cameras: [] });
});

Deno.test('Subscription.apply() unsubscribe "*" then subscribe a list is an explicit set', () => {
  const s = new Subscription();
  s.apply(unsub("*"));
  assert.equal(s.has(A), false);
  assert.deepEqual(s.toJSON(), { all: false, cameras: [] });
  s.apply(sub([A, C]));
  assert.equal(s.has(A), true);
  assert.equal(s.has(B), false);
  assert.equal(s.has(C), true);
  s.apply(unsub([A, B]));
  assert.equal(s.has(A), false);
  assert.deepEqual(s.toJSON(), { all: false, cameras: [C] });
});

Deno.test('Subscription.apply() subscribe "*" clears the exceptions', () => {
  const s = new Subscription([A]);
  s.apply(sub("*"));
  assert.equal(s.has(B), true);
  s.apply(unsub([B]));
  s.apply(sub("*"));
  assert.equal(s.has(B), true);
  assert.deepEqual(s.toJSON(), { all: true, cameras: [] });
});

Deno.test("Subscription.apply() refuses to grow past maxCameras and changes nothing", () => {
  const s = new Subscription([A], { maxCameras: 2 });
  s.apply(sub([A, B])); // A is already there: size 2
  assert.throws(
    () => s.apply(sub([C])),
    (err) =>
      err instanceof TrustcamError && err.code === "TC_ERR_BAD_CONTROL" &&
      err.message === "Too many cameras in subscription: 3 > 2",
  );
  assert.equal(s.has(C), false);
  assert.deepEqual(s.toJSON(), { all: false, cameras: [A, B].sort() });
  // Shrinking is always allowed; so are exceptions up to the limit.
  s.apply(unsub("*"));
  s.apply(sub("*"));
  s.apply(unsub([A, B]));
  assert.throws(() => s.apply(unsub([C])), TrustcamError);
  assert.equal(s.has(C), true);
});

Deno.test("Subscription rejects an initial list over maxCameras", () => {
  assert.throws(() => new Subscription([A, B, C], { maxCameras: 2 }), TrustcamError);
});

Deno.test("TokenBucket.take() allows the burst at once, then refuses", () => {
  const b = new TokenBucket(20, 40);
  let ok = 0;
  for (let i = 0; i < 100; i++) if (b.take(1000)) ok++;
  assert.equal(ok, 40);
});

Deno.test("TokenBucket.take() refills at the rate", () => {
  const b = new TokenBucket(10, 10);
  for (let i = 0; i < 10; i++) assert.equal(b.take(0), true);
  assert.equal(b.take(0), false);
  assert.equal(b.take(99), false, "0.99 tokens is not enough");
  assert.equal(b.take(100), true);
  assert.equal(b.take(100), false);
  // 1 s later: 10 tokens, never more than the burst even after an hour.
  let ok = 0;
  for (let i = 0; i < 30; i++) if (b.take(3_600_000)) ok++;
  assert.equal(ok, 10);
});

Deno.test("TokenBucket sustains exactly its rate over a minute of steady sends", () => {
  const b = new TokenBucket(20, 40);
  let ok = 0;
  // 100 messages per second for 60 s: the burst plus 20 per second get through.
  for (let t = 0; t < 60_000; t += 10) if (b.take(t)) ok++;
  assert.ok(ok >= 40 + 20 * 59 && ok <= 40 + 20 * 60, `${ok} messages passed`);
});

Deno.test("TokenBucket does not refill when the clock steps back", () => {
  const b = new TokenBucket(10, 1);
  assert.equal(b.take(10_000), true);
  assert.equal(b.take(5_000), false);
  assert.equal(b.take(10_050), false);
  assert.equal(b.take(10_100), true);
});

Deno.test("TokenBucket rejects a zero rate and a burst below 1", () => {
  assert.throws(() => new TokenBucket(0, 10), RangeError);
  assert.throws(() => new TokenBucket(10, 0.5), RangeError);
});

Deno.test("parseViewerCommand() reads a subscribe's size and maxFps", () => {
  assert.deepEqual(
    parseViewerCommand(
      `{"type":"subscribe","cameras":["${A}"],"size":"tile","maxFps":5}`,
      isSerial,
    ),
    { type: "subscribe", cameras: [A], size: "tile", maxFps: 5 },
  );
  assert.deepEqual(
    parseViewerCommand(`{"type":"subscribe","cameras":"*","maxFps":2}`, isSerial),
    { type: "subscribe", cameras: "*", size: "full", maxFps: 2 },
  );
  // The defaults spelled out are the plain command.
  assert.deepEqual(
    parseViewerCommand(`{"type":"subscribe","cameras":["${A}"],"size":"full"}`, isSerial),
    { type: "subscribe", cameras: [A] },
  );
});

Deno.test("parseViewerCommand() refuses bad stream options naming the value", () => {
  rejects(
    () => parseViewerCommand(`{"type":"subscribe","cameras":["${A}"],"size":"big"}`, isSerial),
    "TC_ERR_BAD_CONTROL",
    'Invalid size: "big": must be "full" or "tile"',
  );
  rejects(
    () => parseViewerCommand(`{"type":"subscribe","cameras":["${A}"],"maxFps":0}`, isSerial),
    "TC_ERR_BAD_CONTROL",
    'Invalid maxFps: "0": must be an integer from 1 to 30',
  );
  rejects(
    () => parseViewerCommand(`{"type":"unsubscribe","cameras":["${A}"],"size":"tile"}`, isSerial),
    "TC_ERR_BAD_CONTROL",
    'Control message "unsubscribe" takes no size or maxFps',
  );
});

Deno.test("parseCamerasParam() takes size and maxFps from the URL", () => {
  const params = new URLSearchParams(`cameras=${A}&size=tile&maxFps=10`);
  assert.deepEqual(parseCamerasParam(A, isSerial, params), {
    type: "subscribe",
    cameras: [A],
    size: "tile",
    maxFps: 10,
  });
  rejects(
    () => parseCamerasParam(A, isSerial, new URLSearchParams("maxFps=fast")),
    "TC_ERR_BAD_CONTROL",
    'Invalid maxFps: "fast": must be an integer from 1 to 30',
  );
});

Deno.test("Subscription.optionsOf() follows subscribes, also of cameras already subscribed", () => {
  const sub = new Subscription([]);
  sub.apply({ type: "subscribe", cameras: [A, B], size: "tile" });
  assert.deepEqual(sub.optionsOf(A), { size: "tile" });
  sub.apply({ type: "subscribe", cameras: [A], size: "tile", maxFps: 5 });
  assert.deepEqual(sub.optionsOf(A), { size: "tile", maxFps: 5 });
  assert.deepEqual(sub.optionsOf(B), { size: "tile" });
  // A plain subscribe asks for the defaults again.
  sub.apply({ type: "subscribe", cameras: [B] });
  assert.deepEqual(sub.optionsOf(B), { size: "full" });
  sub.apply({ type: "unsubscribe", cameras: [A] });
  sub.apply({ type: "subscribe", cameras: [A] });
  assert.deepEqual(sub.optionsOf(A), { size: "full" });
});

Deno.test("Subscription.optionsOf() in all mode: the options of *, and of cameras named since", () => {
  const sub = new Subscription("*");
  assert.deepEqual(sub.optionsOf(A), { size: "full" });
  sub.apply({ type: "subscribe", cameras: "*", size: "tile" });
  assert.deepEqual(sub.optionsOf(C), { size: "tile" });
  sub.apply({ type: "subscribe", cameras: [A], size: "full", maxFps: 3 });
  assert.deepEqual(sub.optionsOf(A), { size: "full", maxFps: 3 });
  assert.deepEqual(sub.optionsOf(C), { size: "tile" });
  const small = new Subscription("*", { maxCameras: 1 });
  small.apply({ type: "subscribe", cameras: [A], size: "tile" });
  rejects(
    () => small.apply({ type: "subscribe", cameras: [B], size: "tile" }),
    "TC_ERR_BAD_CONTROL",
    "Too many cameras in subscription: 2 > 1",
  );
  assert.deepEqual(small.optionsOf(B), { size: "full" });
});
