/**
 * The lean viewer's scanner on literal bytes: every latency and loss figure of the bench comes
 * from the head (stamp) and tail (serial) it reports, whatever way TCP cuts the stream.
 * Frames are JPEG + the 18-byte serial trailer (lib/trailer.ts, docs/protocol.md) inside a
 * server-to-client WebSocket frame (RFC 6455: unmasked) or the ceiling's `[u32 length]` frame.
 */
import assert from "node:assert/strict";
import { controlFrame, FrameScanner, HEAD_BYTES, type ScannedMessage } from "./frame_scanner.ts";
import { readStamp } from "../lib/jpeg_com.ts";

const SERIAL_A = "0123A1B2C3D4E5F6A7";
const SERIAL_B = "0123B1B2C3D4E5F6B7";

/**
 * SOI, COM "tc:t=1700000000000;seq=7" (what cameras_process stamps), EOI, then the trailer
 * "0123A1B2C3D4E5F6A7": 32 + 18 = 50 bytes.
 */
const PAYLOAD_A = [
  ...[0xff, 0xd8],
  ...[0xff, 0xfe, 0x00, 0x1a],
  ...[0x74, 0x63, 0x3a, 0x74, 0x3d, 0x31, 0x37, 0x30, 0x30, 0x30, 0x30, 0x30],
  ...[0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x3b, 0x73, 0x65, 0x71, 0x3d, 0x37],
  ...[0xff, 0xd9],
  ...[0x30, 0x31, 0x32, 0x33, 0x41, 0x31, 0x42, 0x32, 0x43],
  ...[0x33, 0x44, 0x34, 0x45, 0x35, 0x46, 0x36, 0x41, 0x37],
];

/** FIN + binary, 7-bit length 50 (0x32), unmasked. */
const WS_A = new Uint8Array([0x82, 0x32, ...PAYLOAD_A]);
/** The ceiling's framing of the same message: big-endian u32 length 50. */
const BARE_A = new Uint8Array([0x00, 0x00, 0x00, 0x32, ...PAYLOAD_A]);

/** A stamped JPEG of `jpegBytes` bytes (filler between COM and EOI) + the trailer. */
function payload(jpegBytes: number, serial: string, seq: number): Uint8Array {
  const com = new TextEncoder().encode(`tc:t=1700000000123;seq=${seq}`);
  const out = new Uint8Array(jpegBytes + serial.length).fill(0x5a);
  out.set([0xff, 0xd8, 0xff, 0xfe, 0x00, com.length + 2], 0);
  out.set(com, 6);
  out.set([0xff, 0xd9], jpegBytes - 2);
  out.set(new TextEncoder().encode(serial), jpegBytes);
  return out;
}

const cat = (...parts: Iterable<number>[]) => new Uint8Array(parts.flatMap((p) => [...p]));

/** FIN + binary, 16-bit length 0x012c = 300. */
const PAYLOAD_300 = payload(282, SERIAL_B, 8);
const WS_300 = cat([0x82, 0x7e, 0x01, 0x2c], PAYLOAD_300);
/** FIN + binary, 64-bit length 0x11170 = 70000 (a VGA frame is ~60 KB, past 16 bits). */
const PAYLOAD_70000 = payload(69982, SERIAL_A, 9);
const WS_70000 = cat([0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x11, 0x70], PAYLOAD_70000);

/** FIN + ping with payload "hi"; FIN + text '{"a":1}'; FIN + close 1001 "bye". */
const WS_PING = new Uint8Array([0x89, 0x02, 0x68, 0x69]);
const WS_TEXT = new Uint8Array([0x81, 0x07, 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d]);
const WS_CLOSE = new Uint8Array([0x88, 0x05, 0x03, 0xe9, 0x62, 0x79, 0x65]);

type Event =
  | { binary: { head: number[]; tail: string; length: number } }
  | { ping: number[] }
  | { text: string }
  | { close: number };

/** A scanner that records what it reports, in order. */
function recorder(mode: "ws" | "bare"): { scanner: FrameScanner; events: Event[] } {
  const events: Event[] = [];
  const scanner = new FrameScanner(mode, {
    binary: (m: ScannedMessage) =>
      events.push({ binary: { head: [...m.head], tail: m.tail, length: m.length } }),
    ping: (p) => events.push({ ping: [...p] }),
    text: (t) => events.push({ text: t }),
    close: (code) => events.push({ close: code }),
  });
  return { scanner, events };
}

function scan(mode: "ws" | "bare", writes: Uint8Array[]): Event[] {
  const { scanner, events } = recorder(mode);
  for (const w of writes) scanner.push(w);
  return events;
}

const binary = (p: Iterable<number> & { length: number }, serial: string): Event => ({
  binary: { head: [...p].slice(0, HEAD_BYTES), tail: serial, length: p.length },
});

Deno.test("FrameScanner reports the head and trailer of one literal WebSocket frame", () => {
  const events = scan("ws", [WS_A]);
  assert.deepEqual(events, [binary(PAYLOAD_A, SERIAL_A)]);
  const head = (events[0] as { binary: { head: number[] } }).binary.head;
  assert.deepEqual(readStamp(new Uint8Array(head)), { t: 1700000000000, seq: 7 });
});

Deno.test("FrameScanner reads 16-bit and 64-bit lengths and keeps only the first 64 bytes", () => {
  const events = scan("ws", [WS_300, WS_70000]);
  assert.deepEqual(events, [binary(PAYLOAD_300, SERIAL_B), binary(PAYLOAD_70000, SERIAL_A)]);
  for (const e of events) {
    const b = (e as { binary: { head: number[] } }).binary;
    assert.equal(b.head.length, HEAD_BYTES);
  }
  const heads = events.map((e) =>
    new Uint8Array((e as { binary: { head: number[] } }).binary.head)
  );
  assert.deepEqual(heads.map((h) => readStamp(h)?.seq), [8, 9]);
});

Deno.test("FrameScanner gives the same result for a frame split in two at every boundary", () => {
  for (const [mode, frame] of [["ws", WS_A], ["bare", BARE_A]] as const) {
    for (let at = 1; at < frame.length; at++) {
      assert.deepEqual(
        scan(mode, [frame.subarray(0, at), frame.subarray(at)]),
        [binary(PAYLOAD_A, SERIAL_A)],
        `${mode}, split at byte ${at}`,
      );
    }
  }
  for (let at = 1; at < WS_300.length; at++) {
    assert.deepEqual(
      scan("ws", [WS_300.subarray(0, at), WS_300.subarray(at)]),
      [binary(PAYLOAD_300, SERIAL_B)],
      `split at byte ${at}`,
    );
  }
});

Deno.test("FrameScanner gives the same result for a frame written one byte at a time", () => {
  const bytes = (f: Uint8Array) => [...f].map((b) => new Uint8Array([b]));
  assert.deepEqual(scan("ws", bytes(WS_A)), [binary(PAYLOAD_A, SERIAL_A)]);
  assert.deepEqual(scan("bare", bytes(BARE_A)), [binary(PAYLOAD_A, SERIAL_A)]);
  assert.deepEqual(scan("ws", bytes(WS_70000)), [binary(PAYLOAD_70000, SERIAL_A)]);
});

Deno.test("FrameScanner keeps the trailer when the last writes are shorter than 18 bytes", () => {
  // The trailer arrives in pieces of 5, 7 and 6 bytes after the rest of the frame.
  const end = WS_300.length;
  const events = scan("ws", [
    WS_300.subarray(0, end - 18),
    WS_300.subarray(end - 18, end - 13),
    WS_300.subarray(end - 13, end - 6),
    WS_300.subarray(end - 6),
  ]);
  assert.deepEqual(events, [binary(PAYLOAD_300, SERIAL_B)]);
});

Deno.test("FrameScanner reports every message of one write, and of that write cut anywhere", () => {
  const stream = cat(WS_A, WS_PING, WS_300, WS_TEXT, WS_A, WS_CLOSE);
  const want: Event[] = [
    binary(PAYLOAD_A, SERIAL_A),
    { ping: [0x68, 0x69] },
    binary(PAYLOAD_300, SERIAL_B),
    { text: '{"a":1}' },
    binary(PAYLOAD_A, SERIAL_A),
    { close: 1001 },
  ];
  assert.deepEqual(scan("ws", [stream]), want);
  for (let at = 1; at < stream.length; at++) {
    assert.deepEqual(scan("ws", [stream.subarray(0, at), stream.subarray(at)]), want, `at ${at}`);
  }
  // Three frames in one write and a fourth split over the next two.
  const bare = cat(BARE_A, BARE_A, BARE_A, BARE_A);
  const cut = 3 * BARE_A.length + 20;
  assert.deepEqual(
    scan("bare", [bare.subarray(0, cut), bare.subarray(cut, cut + 1), bare.subarray(cut + 1)]),
    Array(4).fill(binary(PAYLOAD_A, SERIAL_A)),
  );
});

Deno.test("FrameScanner reports a message shorter than the trailer with an empty tail", () => {
  // SOI + EOI only: 4 bytes, no room for a serial. Then an empty binary message.
  assert.deepEqual(scan("ws", [new Uint8Array([0x82, 0x04, 0xff, 0xd8, 0xff, 0xd9, 0x82, 0x00])]), [
    { binary: { head: [0xff, 0xd8, 0xff, 0xd9], tail: "", length: 4 } },
    { binary: { head: [], tail: "", length: 0 } },
  ]);
  assert.deepEqual(scan("bare", [new Uint8Array([0x00, 0x00, 0x00, 0x02, 0xff, 0xd8])]), [
    { binary: { head: [0xff, 0xd8], tail: "", length: 2 } },
  ]);
});

Deno.test("FrameScanner reports a close without a status code as 1005", () => {
  assert.deepEqual(scan("ws", [new Uint8Array([0x88, 0x00])]), [{ close: 1005 }]);
});

Deno.test("FrameScanner refuses masked and fragmented server frames", () => {
  // MASK bit set, key 01 02 03 04: servers never mask (RFC 6455 5.1).
  assert.throws(
    () => scan("ws", [new Uint8Array([0x82, 0x82, 0x01, 0x02, 0x03, 0x04, 0xfe, 0xdb])]),
    { name: "RangeError", message: "Server frames must not be masked" },
  );
  const fragmented = /Fragmented messages are not expected from the hub/;
  // FIN clear: the first fragment of a binary message.
  assert.throws(() => scan("ws", [new Uint8Array([0x02, 0x01, 0x00])]), fragmented);
  // FIN set, opcode 0: a continuation frame.
  assert.throws(() => scan("ws", [new Uint8Array([0x80, 0x01, 0x00])]), fragmented);
  // Detected as soon as the header is complete, even when it arrives in pieces.
  const { scanner } = recorder("ws");
  scanner.push(new Uint8Array([0x02]));
  scanner.push(new Uint8Array([0x7e, 0x01]));
  assert.throws(() => scanner.push(new Uint8Array([0x2c])), fragmented);
});

Deno.test("controlFrame() masks its payload as a client must and caps it at 125 bytes", () => {
  const pong = controlFrame(0xa, new Uint8Array([0x68, 0x69]));
  assert.equal(pong.length, 8);
  assert.deepEqual([...pong.subarray(0, 2)], [0x8a, 0x82]);
  const key = pong.subarray(2, 6);
  assert.deepEqual([pong[6] ^ key[0], pong[7] ^ key[1]], [0x68, 0x69]);
  const long = controlFrame(0x8, new Uint8Array(200).fill(7));
  assert.equal(long.length, 6 + 125);
  assert.equal(long[1], 0x80 | 125);
  assert.ok(long.subarray(6).every((b, i) => (b ^ long[2 + (i & 3)]) === 7));
});
