/**
 * Start-up recovery of the recording archive, before the recorder opens anything: each
 * camera's last segment (the only one a crash can have left open; the recorder syncs and
 * closes a segment before it starts the next) is cut back to what its index and data agree
 * on (lib/archive_recovery.ts). Files without their partner are removed. Every repair is
 * logged as `recording-repaired`.
 */
import { parseIndex, parseSegmentName } from "../lib/archive_index.ts";
import { isClean, planRecovery } from "../lib/archive_recovery.ts";
import type { Log } from "./log.ts";

export interface SegmentRepair {
  serial: string;
  segment: string;
  /** Frames kept in the segment (0: the segment was removed). */
  frames: number;
  droppedFrames: number;
  cutIndexBytes: number;
  cutDataBytes: number;
}

/** Repairs every camera's archive under `dir` (`<data>/recordings`); returns the repairs. */
export async function recoverArchive(dir: string, log: Log): Promise<SegmentRepair[]> {
  const repairs: SegmentRepair[] = [];
  let serials: string[];
  try {
    serials = [];
    for await (const e of Deno.readDir(dir)) if (e.isDirectory) serials.push(e.name);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return repairs;
    throw err;
  }
  for (const serial of serials.sort()) {
    const repair = await recoverCamera(`${dir}/${serial}`, serial);
    for (const r of repair) {
      repairs.push(r);
      log("recording-repaired", { ...r });
    }
  }
  return repairs;
}

async function recoverCamera(dir: string, serial: string): Promise<SegmentRepair[]> {
  const kinds = new Map<string, Set<string>>();
  for await (const e of Deno.readDir(dir)) {
    const seg = e.isFile ? parseSegmentName(e.name) : undefined;
    if (!seg) continue;
    const stem = e.name.slice(0, e.name.indexOf("."));
    const set = kinds.get(stem) ?? new Set();
    set.add(seg.kind);
    kinds.set(stem, set);
  }
  const stems = [...kinds.keys()].sort();
  const repairs: SegmentRepair[] = [];
  for (const [i, stem] of stems.entries()) {
    const last = i === stems.length - 1;
    if (!last && kinds.get(stem)!.size === 2) continue;
    const repair = await recoverSegment(`${dir}/${stem}`);
    if (repair) repairs.push({ serial, segment: stem, ...repair });
  }
  return repairs;
}

async function recoverSegment(
  stem: string,
): Promise<Omit<SegmentRepair, "serial" | "segment"> | undefined> {
  const indexPath = `${stem}.idx`;
  const dataPath = `${stem}.mjpeg`;
  const indexBytes = await Deno.readFile(indexPath).catch(orEmpty);
  const dataSize = await Deno.stat(dataPath).then((s) => s.size, () => 0);
  const plan = planRecovery(parseIndex(indexBytes), indexBytes.length, dataSize);
  if (isClean(plan)) return undefined;
  if (plan.records.length === 0) {
    await Deno.remove(indexPath).catch(ignoreMissing);
    await Deno.remove(dataPath).catch(ignoreMissing);
  } else {
    await truncateSynced(dataPath, plan.dataLength);
    await truncateSynced(indexPath, plan.indexLength);
  }
  return {
    frames: plan.records.length,
    droppedFrames: plan.droppedFrames,
    cutIndexBytes: plan.cutIndexBytes,
    cutDataBytes: plan.cutDataBytes,
  };
}

async function truncateSynced(path: string, length: number): Promise<void> {
  using f = await Deno.open(path, { write: true });
  await f.truncate(length);
  await f.syncData();
}

function orEmpty(err: unknown): Uint8Array {
  if (err instanceof Deno.errors.NotFound) return new Uint8Array(0);
  throw err;
}

function ignoreMissing(err: unknown): void {
  if (!(err instanceof Deno.errors.NotFound)) throw err;
}
