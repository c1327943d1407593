import assert from "node:assert/strict";
import {
  encodeRecords,
  INDEX_MAGIC,
  IndexDecoder,
  type IndexRecord,
  nearestRecord,
  parseIndex,
  parseSegmentName,
  segmentAt,
  segmentStem,
} from "./archive_index.ts";

const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));

// 1700000000000 ms, offset 0x102, length 0x0a0b0c0d; check = FNV-1a of the 20 bytes (computed
// independently with Python's struct).
const RECORD_HEX = "0068e5cf8b010000" + "0201000000000000" + "0d0c0b0a" + "f429a362";
const RECORD: IndexRecord = { time: 1_700_000_000_000, offset: 0x102, length: 0x0a0b0c0d };

Deno.test("encodeRecords() writes the documented 24 little-endian bytes", () => {
  assert.deepEqual(encodeRecords([RECORD]), hex(RECORD_HEX));
  assert.deepEqual(new TextDecoder().decode(INDEX_MAGIC), "TCIDX001");
});

function fileOf(records: IndexRecord[]): Uint8Array {
  const body = encodeRecords(records);
  const out = new Uint8Array(INDEX_MAGIC.length + body.length);
  out.set(INDEX_MAGIC);
  out.set(body, INDEX_MAGIC.length);
  return out;
}

const THREE: IndexRecord[] = [
  { time: 1000, offset: 0, length: 10 },
  { time: 1040, offset: 10, length: 20 },
  { time: 1080, offset: 30, length: 5 },
];

Deno.test("IndexDecoder reads records split across chunks at every byte", () => {
  const file = fileOf(THREE);
  for (let cut = 0; cut <= file.length; cut++) {
    for (const step of [1, 7, 23, 25]) {
      const d = new IndexDecoder();
      d.push(file.subarray(0, cut));
      for (let at = cut; at < file.length; at += step) d.push(file.subarray(at, at + step));
      assert.deepEqual(d.finish(), { header: true, records: THREE, trailingBytes: 0 }, `${cut}`);
    }
  }
});

Deno.test("parseIndex() reports a torn last record as trailing bytes", () => {
  const file = fileOf(THREE);
  for (let cut = 1; cut < 24; cut++) {
    const p = parseIndex(file.subarray(0, file.length - cut));
    assert.deepEqual(p.records, THREE.slice(0, 2));
    assert.deepEqual(p.trailingBytes, 24 - cut);
  }
});

Deno.test("parseIndex() stops at zeros, a corrupt record or time running backwards", () => {
  const zeros = new Uint8Array(fileOf(THREE).length + 48);
  zeros.set(fileOf(THREE));
  assert.deepEqual(parseIndex(zeros), { header: true, records: THREE, trailingBytes: 48 });

  const flipped = fileOf(THREE);
  flipped[8 + 24 + 3] ^= 1;
  assert.deepEqual(parseIndex(flipped), {
    header: true,
    records: THREE.slice(0, 1),
    trailingBytes: 48,
  });

  const backwards = fileOf([...THREE, { time: 999, offset: 35, length: 1 }]);
  assert.deepEqual(parseIndex(backwards).records, THREE);
  assert.deepEqual(parseIndex(backwards).trailingBytes, 24);
});

Deno.test("parseIndex() refuses a file without the header", () => {
  assert.deepEqual(parseIndex(new Uint8Array(0)), {
    header: false,
    records: [],
    trailingBytes: 0,
  });
  assert.deepEqual(parseIndex(hex("5443494458303032")), {
    header: false,
    records: [],
    trailingBytes: 8,
  });
});

Deno.test("nearestRecord() finds the frame nearest an instant, ties to the earlier", () => {
  assert.deepEqual(nearestRecord([], 5), -1);
  const cases: [number, number][] = [
    [0, 0],
    [1000, 0],
    [1019, 0],
    [1020, 0],
    [1021, 1],
    [1040, 1],
    [1061, 2],
    [99999, 2],
  ];
  for (const [t, want] of cases) assert.deepEqual(nearestRecord(THREE, t), want, `${t}`);
  const same = [5, 5, 5].map((time, i) => ({ time, offset: i, length: 1 }));
  assert.deepEqual([nearestRecord(same, 4), nearestRecord(same, 5), nearestRecord(same, 6)], [
    0,
    0,
    2,
  ]);
});

Deno.test("segmentAt() picks the last segment starting at or before an instant", () => {
  assert.deepEqual(segmentAt([], 5), -1);
  const starts = [100, 200, 300];
  const cases: [number, number][] = [[0, 0], [100, 0], [199, 0], [200, 1], [250, 1], [900, 2]];
  for (const [t, want] of cases) assert.deepEqual(segmentAt(starts, t), want, `${t}`);
});

Deno.test("segmentStem() pads to 15 digits and parseSegmentName() reads it back", () => {
  assert.deepEqual(segmentStem(1_700_000_000_000), "001700000000000");
  assert.deepEqual(parseSegmentName("001700000000000.mjpeg"), {
    start: 1_700_000_000_000,
    kind: "data",
  });
  assert.deepEqual(parseSegmentName("001700000000000.idx"), {
    start: 1_700_000_000_000,
    kind: "index",
  });
  for (const bad of ["1700000000000.idx", "001700000000000.jpg", "x01700000000000.idx"]) {
    assert.deepEqual(parseSegmentName(bad), undefined, bad);
  }
  assert.throws(() => segmentStem(-1), RangeError);
});
