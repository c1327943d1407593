import assert from "node:assert/strict";
import { encodeRecords, INDEX_MAGIC, type IndexRecord, parseIndex } from "./archive_index.ts";
import { isClean, planRecovery } from "./archive_recovery.ts";

// Three frames of 5, 3 and 4 bytes, as the recorder writes them.
const FRAMES = [[1, 2, 3, 4, 5], [6, 7, 8], [9, 10, 11, 12]].map((f) => new Uint8Array(f));
const RECORDS: IndexRecord[] = [
  { time: 100, offset: 0, length: 5 },
  { time: 140, offset: 5, length: 3 },
  { time: 180, offset: 8, length: 4 },
];
const DATA = new Uint8Array(FRAMES.flatMap((f) => [...f]));
const INDEX = new Uint8Array([...INDEX_MAGIC, ...encodeRecords(RECORDS)]);

function consistent(index: Uint8Array, data: Uint8Array) {
  const plan = planRecovery(parseIndex(index), index.length, data.length);
  const keptIndex = index.subarray(0, plan.indexLength);
  const keptData = data.subarray(0, plan.dataLength);
  // After the repair the index parses clean, never points past the data, and the data ends
  // exactly where the last frame ends; every kept frame is byte-exact.
  const again = parseIndex(keptIndex);
  assert.equal(again.trailingBytes, 0);
  assert.deepEqual(again.records, plan.records);
  assert.deepEqual(plan.records, RECORDS.slice(0, plan.records.length));
  const last = plan.records.at(-1);
  assert.equal(keptData.length, last ? last.offset + last.length : 0);
  plan.records.forEach((r, i) => {
    assert.deepEqual(keptData.subarray(r.offset, r.offset + r.length), FRAMES[i]);
  });
  assert.equal(plan.cutIndexBytes, index.length - plan.indexLength);
  assert.equal(plan.cutDataBytes, data.length - plan.dataLength);
  const replan = planRecovery(again, keptIndex.length, keptData.length);
  assert.equal(replan.cutIndexBytes + replan.cutDataBytes, 0, "a repaired segment stays put");
  return plan;
}

Deno.test("planRecovery() leaves a whole segment alone", () => {
  const plan = consistent(INDEX, DATA);
  assert.ok(isClean(plan));
  assert.equal(plan.records.length, 3);
});

Deno.test("planRecovery() cuts a segment torn at any byte of its data", () => {
  for (let cut = 0; cut <= DATA.length; cut++) {
    const plan = consistent(INDEX, DATA.subarray(0, cut));
    const whole = RECORDS.filter((r) => r.offset + r.length <= cut).length;
    assert.equal(plan.records.length, whole, `data cut at ${cut}`);
    assert.equal(plan.droppedFrames, 3 - whole);
  }
});

Deno.test("planRecovery() cuts a segment torn at any byte of its index", () => {
  for (let cut = 0; cut <= INDEX.length; cut++) {
    const plan = consistent(INDEX.subarray(0, cut), DATA);
    const whole = Math.max(0, Math.floor((cut - 8) / 24));
    assert.equal(plan.records.length, whole, `index cut at ${cut}`);
    // Frames written but never indexed are cut from the data.
    assert.equal(plan.dataLength, [0, 5, 8, 12][whole]);
  }
});

Deno.test("planRecovery() cuts data past the last index entry", () => {
  const longer = new Uint8Array([...DATA, 0xff, 0xd8, 0xff]);
  const plan = consistent(INDEX, longer);
  assert.equal(plan.records.length, 3);
  assert.equal(plan.cutDataBytes, 3);
  assert.ok(!isClean(plan));
});

Deno.test("planRecovery() drops records out of sequence and deletes a segment with none", () => {
  const gap = new Uint8Array([
    ...INDEX_MAGIC,
    ...encodeRecords([RECORDS[0], { time: 140, offset: 6, length: 2 }]),
  ]);
  assert.equal(consistent(gap, DATA).records.length, 1);
  const none = consistent(new Uint8Array(0), DATA);
  assert.deepEqual([none.indexLength, none.dataLength, none.cutDataBytes], [0, 0, 12]);
  const noHeader = consistent(encodeRecords(RECORDS), DATA);
  assert.equal(noHeader.indexLength, 0);
  assert.ok(!isClean(none));
});
