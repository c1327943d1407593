/**
 * MP4 exports as routes see them: the job record, its JSON (the EXPORT object of
 * docs/protocol.md), the rules on ranges, and the checks every access makes. hub/exports.ts
 * runs the jobs (ffmpeg); this file never touches I/O.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";
import { parseInstant } from "./time_param.ts";
import type { Peer } from "./peer.ts";

export type ExportState = "queued" | "running" | "done" | "failed" | "cancelled";

/** Longest range one export may cover: a day of one camera is already hours to encode. */
export const MAX_EXPORT_SPAN_MS = 24 * 3600 * 1000;

/** Queued plus running exports one viewer may have; more is 429 `TC_ERR_EXPORT_LIMIT`. */
export const MAX_EXPORTS_PER_VIEWER = 4;

export interface ExportJob {
  id: string;
  /** CN of the viewer that started it: nobody else sees it. */
  owner: string;
  camera: string;
  /** The requested range, epoch ms. */
  from: number;
  to: number;
  state: ExportState;
  /** Frames handed to ffmpeg so far. */
  fed: number;
  /** Frames to encode: those recorded in the range when the export was made (then fed). */
  frames: number;
  /** MP4 size once done. */
  bytes: number;
  /** Why it failed. */
  error?: string;
  /** When it reached done, failed or cancelled (epoch ms); it expires some time after. */
  finishedAt?: number;
}

export interface ExportJson {
  id: string;
  camera: string;
  from: string;
  to: string;
  state: ExportState;
  percent: number;
  frames: number;
  bytes: number;
  error?: string;
  file?: string;
}

/** What the hub offers routes (hub/exports.ts implements it). */
export interface ExportJobs {
  /**
   * Queues an export of `camera` over `[from, to]` for `peer` (visibility already checked):
   * 404 when nothing is recorded there, 429 past the viewer's cap.
   */
  create(peer: Peer, camera: string, from: number, to: number): Promise<ExportJob>;
  get(id: string): ExportJob | undefined;
  /** Cancels a queued or running export; resolves once ffmpeg is gone and its file removed. */
  cancel(id: string): Promise<ExportJob>;
  /** Resolves when the export is done, failed or cancelled; rejects when `signal` aborts. */
  settled(id: string, signal?: AbortSignal): Promise<ExportJob>;
  /** A done export's MP4, opened for reading (the stream closes the file when it ends). */
  file(id: string): Promise<ExportFile>;
}

export interface ExportFile {
  body: ReadableStream<Uint8Array>;
  size: number;
}

export const isFinished = (s: ExportState) => s === "done" || s === "failed" || s === "cancelled";

export function exportUrl(id: string): string {
  return `/api/exports/${id}`;
}

export function exportJson(job: ExportJob): ExportJson {
  const percent = job.state === "done"
    ? 100
    : job.frames === 0
    ? 0
    : Math.min(99, Math.floor(job.fed * 100 / job.frames));
  return {
    id: job.id,
    camera: job.camera,
    from: new Date(job.from).toISOString(),
    to: new Date(job.to).toISOString(),
    state: job.state,
    percent,
    frames: job.frames,
    bytes: job.bytes,
    ...(job.error === undefined ? {} : { error: job.error }),
    ...(job.state === "done" ? { file: `${exportUrl(job.id)}/file` } : {}),
  };
}

/** `<serial>-<from, ISO compact>.mp4`: `0123…-20261127T140000Z.mp4`. */
export function exportFileName(job: Pick<ExportJob, "camera" | "from">): string {
  const stamp = new Date(job.from).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
  return `${job.camera}-${stamp}.mp4`;
}

/**
 * An export's range from a query or a JSON body (ISO 8601 strings or epoch ms): `from` is
 * required, `to` defaults to `now`; 400 `TC_ERR_BAD_TIME`, `TC_ERR_BAD_RANGE` (reversed) or
 * `TC_ERR_RANGE_TOO_LONG`.
 */
export function parseExportRange(
  rawFrom: unknown,
  rawTo: unknown,
  now: number,
): { from: number; to: number } {
  const instant = (name: string, raw: unknown) => {
    if (typeof raw === "number" || typeof raw === "string") return parseInstant(name, String(raw));
    throw new TrustcamError("TC_ERR_BAD_TIME", `Invalid ${name}: ${quote(JSON.stringify(raw))}`);
  };
  if (rawFrom === undefined || rawFrom === null) {
    throw new TrustcamError("TC_ERR_BAD_TIME", "Missing from");
  }
  const from = instant("from", rawFrom);
  const to = rawTo === undefined || rawTo === null ? now : instant("to", rawTo);
  if (from > to) {
    throw new TrustcamError(
      "TC_ERR_BAD_RANGE",
      `Invalid range: from ${quote(String(rawFrom))} is after to ${quote(String(rawTo ?? "now"))}`,
    );
  }
  checkExportSpan(from, to);
  return { from, to };
}

/** 400 `TC_ERR_RANGE_TOO_LONG` for a range longer than {@link MAX_EXPORT_SPAN_MS}. */
export function checkExportSpan(from: number, to: number): void {
  if (to - from <= MAX_EXPORT_SPAN_MS) return;
  throw new TrustcamError(
    "TC_ERR_RANGE_TOO_LONG",
    `Export range too long: ${quote(new Date(from).toISOString())} to ${
      quote(new Date(to).toISOString())
    } is more than 24 h`,
  );
}

/**
 * The export `id` for `peer`: 404 unless it started it (another viewer learns nothing of
 * it), 403 when the policy no longer lets it see the camera.
 */
export function exportFor(
  jobs: ExportJobs | undefined,
  id: string,
  peer: Peer,
  canSee: (viewer: string, serial: string) => boolean,
): ExportJob {
  const job = jobs?.get(id);
  if (!job || job.owner !== peer.cn) {
    throw new TrustcamError("TC_ERR_NOT_FOUND", `Unknown export: ${quote(id)}`);
  }
  if (!canSee(peer.cn, job.camera)) {
    throw new TrustcamError("TC_ERR_FORBIDDEN", `Not allowed to see camera: ${quote(job.camera)}`);
  }
  return job;
}

/** The MP4 answer: an attachment named by {@link exportFileName}. */
export function mp4Response(job: ExportJob, file: ExportFile): Response {
  return new Response(file.body, {
    headers: {
      "content-type": "video/mp4",
      "content-length": String(file.size),
      "content-disposition": `attachment; filename="${exportFileName(job)}"`,
      "cache-control": "no-store",
    },
  });
}
