import assert from "node:assert/strict";
import { TrustcamError } from "./errors.ts";
import { parseDeviceStatus } from "./device_status.ts";

const NOW = new Date("2026-11-23T10:04:58.000Z");

function rejects(text: string, message: string | RegExp) {
  assert.throws(() => parseDeviceStatus(text, NOW), (err) => {
    assert.ok(err instanceof TrustcamError, `expected a TrustcamError, got ${err}`);
    assert.equal(err.code, "TC_ERR_BAD_CONTROL");
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

Deno.test("parseDeviceStatus() parses the documented example", () => {
  const text = `{
    "type": "status",
    "fw": "trustcam-fw/1.0.0",
    "uptime_s": 3600,
    "heap_free": 151234,
    "psram_free": 3981234,
    "rssi_dbm": -61,
    "frames_sent": 53980,
    "frames_skipped": 12
  }`;
  assert.deepEqual(parseDeviceStatus(text, NOW), {
    at: "2026-11-23T10:04:58.000Z",
    fw: "trustcam-fw/1.0.0",
    uptime_s: 3600,
    heap_free: 151234,
    psram_free: 3981234,
    rssi_dbm: -61,
    frames_sent: 53980,
    frames_skipped: 12,
  });
});

Deno.test("parseDeviceStatus() accepts a status with only the type", () => {
  const s = parseDeviceStatus('{"type":"status"}', NOW);
  assert.deepEqual(s, { at: "2026-11-23T10:04:58.000Z" });
  assert.deepEqual(Object.keys(s), ["at"], "absent fields are not present as undefined");
});

Deno.test("parseDeviceStatus() drops unknown fields", () => {
  const s = parseDeviceStatus('{"type":"status","temp_c":41,"__proto__":{"x":1},"fw":"a"}', NOW);
  assert.deepEqual(s, { at: NOW.toISOString(), fw: "a" });
  assert.equal(Object.getPrototypeOf(s), Object.prototype);
});

Deno.test("parseDeviceStatus() accepts zero and a positive rssi_dbm", () => {
  const s = parseDeviceStatus('{"type":"status","rssi_dbm":0,"uptime_s":0,"psram_free":0}', NOW);
  assert.equal(s.rssi_dbm, 0);
  assert.equal(s.uptime_s, 0);
  assert.equal(s.psram_free, 0);
  assert.equal(parseDeviceStatus('{"type":"status","rssi_dbm":3}', NOW).rssi_dbm, 3);
});

Deno.test("parseDeviceStatus() rejects a missing or wrong type", () => {
  rejects('{"fw":"x"}', "Device message has no type");
  rejects('{"type":"subscribe","cameras":"*"}', 'Unknown device message type: "subscribe"');
});

Deno.test("parseDeviceStatus() rejects malformed JSON and non-objects", () => {
  rejects("{", /^Status message is not valid JSON: /);
  rejects('"status"', 'Status message must be a JSON object: "status"');
  rejects("[]", 'Status message must be a JSON object: "[]"');
});

Deno.test("parseDeviceStatus() rejects a negative counter", () => {
  rejects(
    '{"type":"status","uptime_s":-1}',
    'Invalid status field uptime_s: "-1" is not an integer >= 0',
  );
});

Deno.test("parseDeviceStatus() rejects a fractional or string integer field", () => {
  rejects(
    '{"type":"status","heap_free":1.5}',
    'Invalid status field heap_free: "1.5" is not an integer >= 0',
  );
  rejects(
    '{"type":"status","rssi_dbm":"-61"}',
    'Invalid status field rssi_dbm: "-61" is not an integer',
  );
  rejects(
    '{"type":"status","frames_sent":null}',
    'Invalid status field frames_sent: "null" is not an integer >= 0',
  );
});

Deno.test("parseDeviceStatus() rejects an integer beyond 2^53", () => {
  rejects(
    '{"type":"status","frames_skipped":9007199254740993}',
    'Invalid status field frames_skipped: "9007199254740992" is not an integer >= 0',
  );
});

Deno.test("parseDeviceStatus() accepts fw of 64 characters and rejects 65", () => {
  const fw64 = "é".repeat(64);
  assert.equal(parseDeviceStatus(JSON.stringify({ type: "status", fw: fw64 }), NOW).fw, fw64);
  rejects(
    JSON.stringify({ type: "status", fw: "v".repeat(65) }),
    `Invalid status field fw: "${"v".repeat(39)}…" is 65 characters > 64`,
  );
  rejects('{"type":"status","fw":1}', 'Invalid status field fw: "1" is not a string');
});

Deno.test("parseDeviceStatus() rejects a text over 4096 bytes", () => {
  const text = JSON.stringify({ type: "status", pad: "x".repeat(4080) });
  rejects(text, /^Status message too large: 4\d{3} bytes > 4096$/);
});
