import assert from "node:assert/strict";
import {
  encodeHeader,
  encodeMessage,
  OP_LUMA,
  REPLY_ERROR,
  WireError,
  type WireMessage,
  WireReader,
} from "./decode_wire.ts";

const bytes = (...b: number[]) => new Uint8Array(b);
const plain = (m: WireMessage) => ({ ...m, payload: [...m.payload] });

// One luma request: id 7, width 64, payload FF D8 FF D9.
const REQUEST = bytes(
  0x00,
  0x00,
  0x00,
  0x0d, // length of what follows: 9 + 4
  0x00,
  0x00,
  0x00,
  0x07, // id
  0x01, // kind: luma
  0x00,
  0x40, // a: width 64
  0x00,
  0x00, // b
  0xff,
  0xd8,
  0xff,
  0xd9,
);

Deno.test("encodeMessage() writes the header and the payload in one buffer", () => {
  const out = encodeMessage({ id: 7, kind: OP_LUMA, a: 64 }, bytes(0xff, 0xd8, 0xff, 0xd9));
  assert.deepEqual([...out], [...REQUEST]);
});

Deno.test("encodeHeader() is encodeMessage() without the payload", () => {
  assert.deepEqual([...encodeHeader({ id: 7, kind: OP_LUMA, a: 64 }, 4)], [
    ...REQUEST.subarray(0, 13),
  ]);
});

Deno.test("encodeMessage() refuses header fields out of range", () => {
  assert.throws(() => encodeMessage({ id: -1, kind: 1 }, bytes()), /Invalid message id: "-1"/);
  assert.throws(() => encodeMessage({ id: 1, kind: 0 }, bytes()), /Invalid message kind: "0"/);
  assert.throws(() => encodeMessage({ id: 1, kind: 1, a: 70_000 }, bytes()), /Invalid a: "70000"/);
});

Deno.test("WireReader.push() reads one message from one chunk", () => {
  const r = new WireReader({ maxMessageBytes: 1024 });
  assert.deepEqual(r.push(REQUEST).map(plain), [
    { id: 7, kind: 1, a: 64, b: 0, payload: [0xff, 0xd8, 0xff, 0xd9] },
  ]);
  assert.equal(r.buffered, 0);
});

Deno.test("WireReader.push() reassembles a message split at every byte", () => {
  for (let cut = 1; cut < REQUEST.length; cut++) {
    const r = new WireReader({ maxMessageBytes: 1024 });
    assert.deepEqual(r.push(REQUEST.subarray(0, cut)), [], `cut at ${cut}`);
    assert.equal(r.buffered, cut);
    const got = r.push(REQUEST.subarray(cut));
    assert.equal(got.length, 1, `cut at ${cut}`);
    assert.deepEqual(plain(got[0]).payload, [0xff, 0xd8, 0xff, 0xd9]);
  }
});

Deno.test("WireReader.push() reads two messages and a partial third from one chunk", () => {
  const error = encodeMessage({ id: 8, kind: REPLY_ERROR }, new TextEncoder().encode("Bad"));
  const chunk = new Uint8Array([...REQUEST, ...error, ...REQUEST.subarray(0, 6)]);
  const r = new WireReader({ maxMessageBytes: 1024 });
  const got = r.push(chunk);
  assert.deepEqual(got.map((m) => [m.id, m.kind]), [[7, 1], [8, 3]]);
  assert.equal(new TextDecoder().decode(got[1].payload), "Bad");
  assert.equal(r.buffered, 6);
  // The payloads handed out survive later pushes.
  const last = r.push(REQUEST.subarray(6));
  assert.equal(last[0].id, 7);
  assert.deepEqual([...got[0].payload], [0xff, 0xd8, 0xff, 0xd9]);
});

Deno.test("WireReader.push() refuses a length over the limit before buffering it", () => {
  const r = new WireReader({ maxMessageBytes: 16 });
  assert.throws(
    () => r.push(bytes(0x00, 0x10, 0x00, 0x00)),
    (e) =>
      e instanceof WireError && e.code === "TC_WIRE_TOO_LARGE" &&
      e.message === "Message of 1048580 bytes over the limit of 16",
  );
});

Deno.test("WireReader.push() refuses a length shorter than a header", () => {
  const r = new WireReader({ maxMessageBytes: 1024 });
  assert.throws(
    () => r.push(bytes(0x00, 0x00, 0x00, 0x02, 0x00, 0x00)),
    (e) =>
      e instanceof WireError && e.code === "TC_WIRE_BAD_HEADER" && /too small: "2"/.test(e.message),
  );
});

Deno.test("WireReader() refuses a limit smaller than a header", () => {
  assert.throws(() => new WireReader({ maxMessageBytes: 4 }), /Invalid maxMessageBytes: "4"/);
});
