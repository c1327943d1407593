/**
 * The hub's MP4 export jobs (`POST /api/exports` and friends): at most `maxRunning` ffmpeg
 * processes at once, the rest queued in order; each viewer at most
 * {@link MAX_EXPORTS_PER_VIEWER} queued or running. A job's file is `<dir>/<id>.mp4` (written
 * as `.mp4.part`); finished jobs and their files expire `ttlMs` after they finish.
 *
 * Nothing outlives the job or the hub: cancelling kills ffmpeg and removes the part, closing
 * cancels everything and empties the directory, and opening empties it too (exports of an
 * earlier run that was killed have no job to answer for them). A running export is registered
 * with the hub's streams, so a revocation or a policy change that hides the camera cancels it.
 */
import { TrustcamError } from "../lib/errors.ts";
import {
  type ExportFile,
  type ExportJob,
  type ExportJobs,
  isFinished,
  MAX_EXPORTS_PER_VIEWER,
} from "../lib/exports.ts";
import type { Peer } from "../lib/peer.ts";
import { quote } from "../lib/quote.ts";
import type { RecordingArchive } from "../lib/recordings.ts";
import type { StreamRegistry } from "../lib/stream_registry.ts";
import type { Log } from "./log.ts";
import { encodeMp4 } from "./mp4_export.ts";

export interface ExportManagerOptions {
  /** `<data>/exports`. */
  dir: string;
  archive: RecordingArchive;
  /** ffmpeg processes at once (`--max-exports`). */
  maxRunning: number;
  log: Log;
  streams?: StreamRegistry;
  /** How long a finished export stays (default 1 h). */
  ttlMs?: number;
  maxPerViewer?: number;
  now?: () => number;
  ffmpeg?: string;
}

interface Entry {
  job: ExportJob;
  peer: Peer;
  abort: AbortController;
  /** Resolves when the job is finished (whatever the outcome). */
  finished: Promise<void>;
  finish(): void;
}

/** Empties (or creates) the export directory, then manages jobs in it. */
export async function openExports(o: ExportManagerOptions): Promise<ExportManager> {
  await Deno.remove(o.dir, { recursive: true }).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
  await Deno.mkdir(o.dir, { recursive: true });
  return new ExportManager(o);
}

export class ExportManager implements ExportJobs {
  #o: Required<Omit<ExportManagerOptions, "streams" | "ffmpeg">> & ExportManagerOptions;
  #entries = new Map<string, Entry>();
  #queue: Entry[] = [];
  #running = new Set<Promise<void>>();
  #closed = false;

  constructor(o: ExportManagerOptions) {
    this.#o = {
      ttlMs: 3600_000,
      maxPerViewer: MAX_EXPORTS_PER_VIEWER,
      now: Date.now,
      ...o,
    };
  }

  async create(peer: Peer, camera: string, from: number, to: number): Promise<ExportJob> {
    if (this.#closed) throw new TrustcamError("TC_ERR_SHUTDOWN", "Hub stopping");
    const ranges = await this.#o.archive.ranges(camera, from, to);
    const frames = ranges.reduce((n, r) => n + r.frames, 0);
    if (frames === 0) {
      throw new TrustcamError(
        "TC_ERR_NOT_FOUND",
        `No recording of camera ${quote(camera)} from ${quote(new Date(from).toISOString())} to ${
          quote(new Date(to).toISOString())
        }`,
      );
    }
    // Checked after the await: the hub may have begun to stop, and two requests at once must
    // not both take a viewer's last place.
    if (this.#closed) throw new TrustcamError("TC_ERR_SHUTDOWN", "Hub stopping");
    const active =
      [...this.#entries.values()].filter((e) => e.job.owner === peer.cn && !isFinished(e.job.state))
        .length;
    if (active >= this.#o.maxPerViewer) {
      throw new TrustcamError(
        "TC_ERR_EXPORT_LIMIT",
        `Too many exports: ${active} queued or running for ${
          quote(peer.cn)
        } (at most ${this.#o.maxPerViewer})`,
      );
    }
    const job: ExportJob = {
      id: crypto.randomUUID(),
      owner: peer.cn,
      camera,
      from,
      to,
      state: "queued",
      fed: 0,
      frames,
      bytes: 0,
    };
    let finish = () => {};
    const finished = new Promise<void>((resolve) => finish = resolve);
    const entry: Entry = { job, peer, abort: new AbortController(), finished, finish };
    this.#entries.set(job.id, entry);
    this.#queue.push(entry);
    this.#o.log("export", { id: job.id, cn: peer.cn, serial: camera, frames, state: "queued" });
    this.#pump();
    return job;
  }

  get(id: string): ExportJob | undefined {
    return this.#entries.get(id)?.job;
  }

  async cancel(id: string): Promise<ExportJob> {
    const entry = this.#entries.get(id);
    if (!entry) throw new TrustcamError("TC_ERR_NOT_FOUND", `Unknown export: ${quote(id)}`);
    if (isFinished(entry.job.state)) return entry.job;
    if (entry.job.state === "queued") {
      this.#queue = this.#queue.filter((e) => e !== entry);
      this.#settle(entry, "cancelled");
    } else {
      entry.abort.abort(new Error("Export cancelled"));
    }
    await entry.finished;
    return entry.job;
  }

  settled(id: string, signal?: AbortSignal): Promise<ExportJob> {
    const entry = this.#entries.get(id);
    if (!entry) {
      return Promise.reject(new TrustcamError("TC_ERR_NOT_FOUND", `Unknown export: ${quote(id)}`));
    }
    if (isFinished(entry.job.state)) return Promise.resolve(entry.job);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      entry.finished.then(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve(entry.job);
      });
    });
  }

  filePath(id: string): string {
    return `${this.#o.dir}/${id}.mp4`;
  }

  async file(id: string): Promise<ExportFile> {
    let f: Deno.FsFile;
    try {
      f = await Deno.open(this.filePath(id));
    } catch (err) {
      // Expired (or the hub is stopping) between the check and the read.
      if (err instanceof Deno.errors.NotFound) {
        throw new TrustcamError("TC_ERR_NOT_FOUND", `Unknown export: ${quote(id)}`);
      }
      throw err;
    }
    try {
      return { size: (await f.stat()).size, body: f.readable };
    } catch (err) {
      f.close();
      throw err;
    }
  }

  /** Forgets jobs finished more than `ttlMs` ago and removes their files (the hub's tick). */
  async expire(): Promise<void> {
    const now = this.#o.now();
    for (const [id, e] of this.#entries) {
      if (e.job.finishedAt === undefined || now - e.job.finishedAt < this.#o.ttlMs) continue;
      this.#entries.delete(id);
      await Deno.remove(this.filePath(id)).catch(() => {});
    }
  }

  /** Cancels every job, waits for ffmpeg to go, and empties the directory. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const e of this.#queue.splice(0)) this.#settle(e, "cancelled");
    for (const e of this.#entries.values()) e.abort.abort(new Error("Hub stopping"));
    await Promise.all(this.#running);
    this.#entries.clear();
    await Deno.remove(this.#o.dir, { recursive: true }).catch(() => {});
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.#o.maxRunning && this.#queue.length) {
      const entry = this.#queue.shift()!;
      const run = this.#run(entry).finally(() => {
        this.#running.delete(run);
        this.#pump();
      });
      this.#running.add(run);
    }
  }

  async #run(entry: Entry): Promise<void> {
    const { job, abort } = entry;
    job.state = "running";
    const unregister = this.#o.streams?.open({
      peer: entry.peer,
      serial: job.camera,
      end: (why) => abort.abort(new Error(`Export stopped: ${why}`)),
    });
    try {
      const result = await encodeMp4({
        frames: this.#o.archive.frames(job.camera, job.from, job.to, { signal: abort.signal }),
        out: this.filePath(job.id),
        signal: abort.signal,
        onFrame: (n) => job.fed = n,
        ffmpeg: this.#o.ffmpeg,
      });
      job.frames = result.frames;
      job.bytes = result.bytes;
      this.#settle(entry, "done");
    } catch (err) {
      if (abort.signal.aborted) {
        this.#settle(entry, "cancelled");
      } else {
        job.error = (err as Error).message;
        this.#settle(entry, "failed");
      }
    } finally {
      unregister?.();
    }
  }

  #settle(entry: Entry, state: "done" | "failed" | "cancelled"): void {
    const { job } = entry;
    job.state = state;
    job.finishedAt = this.#o.now();
    this.#o.log("export", {
      id: job.id,
      cn: job.owner,
      serial: job.camera,
      state,
      frames: job.fed,
      bytes: job.bytes,
      ...(job.error ? { error: job.error } : {}),
    });
    entry.finish();
  }
}
