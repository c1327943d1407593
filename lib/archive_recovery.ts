/**
 * What start-up recovery does to a segment a crash may have torn, decided from the index
 * bytes and the data file's size alone: the recorder writes a batch's JPEGs before their
 * index records, so after a crash the data may run past the index (frames never indexed) or,
 * when the OS lost writes out of order, the index may point past the data. Either way the
 * segment is cut back to the longest prefix where every record is whole, contiguous and
 * inside the data.
 */
import {
  INDEX_HEADER_BYTES,
  INDEX_RECORD_BYTES,
  type IndexRecord,
  type ParsedIndex,
} from "./archive_index.ts";

export interface RecoveryPlan {
  /** Records that stay. */
  records: IndexRecord[];
  /** Bytes of the index file that stay (0: delete the segment, nothing in it is playable). */
  indexLength: number;
  /** Bytes of the data file that stay. */
  dataLength: number;
  /** Index records dropped: valid but pointing past the data or out of sequence. */
  droppedFrames: number;
  /** Index bytes cut (torn records included). */
  cutIndexBytes: number;
  /** Data bytes cut (a torn frame or frames never indexed). */
  cutDataBytes: number;
}

/** The repair for a segment whose index file has `indexBytes` bytes and data `dataBytes`. */
export function planRecovery(
  index: ParsedIndex,
  indexBytes: number,
  dataBytes: number,
): RecoveryPlan {
  const records: IndexRecord[] = [];
  let end = 0;
  for (const r of index.header ? index.records : []) {
    if (r.offset !== end || r.length === 0 || r.offset + r.length > dataBytes) break;
    records.push(r);
    end = r.offset + r.length;
  }
  const indexLength = records.length ? INDEX_HEADER_BYTES + records.length * INDEX_RECORD_BYTES : 0;
  return {
    records,
    indexLength,
    dataLength: end,
    droppedFrames: index.records.length - records.length,
    cutIndexBytes: indexBytes - indexLength,
    cutDataBytes: dataBytes - end,
  };
}

/** Whether a plan changes nothing. */
export function isClean(plan: RecoveryPlan): boolean {
  return plan.cutIndexBytes === 0 && plan.cutDataBytes === 0 && plan.records.length > 0;
}
