/**
 * Encodes recorded frames to an H.264 MP4 with ffmpeg, keeping each frame's capture time:
 * the frames go to ffmpeg's stdin as Matroska (lib/mkv_muxer.ts) with millisecond timestamps,
 * and ffmpeg passes them through (`-fps_mode passthrough`), so the video has exactly the stored
 * frames at their recorded times, its duration the wall-clock span (plus the last frame's
 * tick), and no frame duplicated or dropped to fit a constant rate.
 *
 * ffmpeg writes `<out>.part`, renamed to `<out>` once it exits cleanly; on failure or abort
 * it is killed, awaited and the part removed, so nothing is left running or on disk.
 */
import { checkJpegStructure } from "../lib/jpeg_structure.ts";
import { mkvFrame, mkvHeader } from "../lib/mkv_muxer.ts";
import type { RecordedFrame } from "../lib/recordings.ts";

export interface Mp4ExportOptions {
  frames: AsyncIterable<RecordedFrame>;
  /** The MP4's final path. */
  out: string;
  /** Aborting kills ffmpeg; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each frame is handed to ffmpeg, with the count so far. */
  onFrame?: (fed: number) => void;
  /** The ffmpeg binary (default `ffmpeg` on PATH). */
  ffmpeg?: string;
}

export interface Mp4Result {
  frames: number;
  bytes: number;
}

/** An export that ffmpeg could not make; the message says why (ffmpeg's last words). */
export class ExportFailed extends Error {
  override name = "ExportFailed";
}

/** Lines of ffmpeg's stderr kept for the error message. */
const STDERR_KEEP_BYTES = 4096;

export function ffmpegArgs(part: string): string[] {
  return [
    ...["-hide_banner", "-nostdin", "-loglevel", "error"],
    ...["-f", "matroska", "-i", "pipe:0"],
    // One output frame per input frame, at its own time: a variable frame rate.
    ...["-fps_mode", "passthrough", "-enc_time_base", "1:1000"],
    // yuv420p (what players decode) needs even sizes; a no-op for cameras' usual sizes.
    ...["-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-pix_fmt", "yuv420p"],
    // No B-frames: with reordering the MP4 track's duration drifts from the frames' times.
    ...["-c:v", "libx264", "-preset", "veryfast", "-bf", "0"],
    ...["-movflags", "+faststart", "-f", "mp4", "-y", part],
  ];
}

export async function encodeMp4(o: Mp4ExportOptions): Promise<Mp4Result> {
  const part = `${o.out}.part`;
  const frames = o.frames[Symbol.asyncIterator]();
  let child: Deno.ChildProcess | undefined;
  let fed = 0;
  const kill = () => {
    try {
      child?.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  };
  o.signal?.addEventListener("abort", kill, { once: true });
  try {
    o.signal?.throwIfAborted();
    const first = await frames.next();
    if (first.done) throw new ExportFailed("No frames in the range");
    const check = checkJpegStructure(first.value.jpeg, 65535);
    if (!check.ok) throw new ExportFailed(`First frame is not a JPEG: ${check.detail}`);
    o.signal?.throwIfAborted();
    try {
      child = new Deno.Command(o.ffmpeg ?? "ffmpeg", {
        args: ffmpegArgs(part),
        stdin: "piped",
        stdout: "null",
        stderr: "piped",
      }).spawn();
    } catch (err) {
      throw new ExportFailed(`Cannot run ffmpeg: ${(err as Error).message}`, { cause: err });
    }
    const stderr = lastBytes(child.stderr, STDERR_KEEP_BYTES);
    const fedAll = feed(child, check.info, first.value, frames, (n) => {
      fed = n;
      o.onFrame?.(n);
    }, o.signal);
    const [status, fedResult, said] = await Promise.all([child.status, fedAll, stderr]);
    o.signal?.throwIfAborted();
    if (fedResult instanceof ExportFailed) throw fedResult;
    if (!status.success) {
      const why = said.trim().split("\n").at(-1) || `signal ${status.signal}`;
      throw new ExportFailed(`ffmpeg exited with code ${status.code}: ${why}`);
    }
    if (fedResult) throw fedResult;
    await Deno.rename(part, o.out);
    return { frames: fed, bytes: (await Deno.stat(o.out)).size };
  } catch (err) {
    kill();
    await child?.status;
    await Deno.remove(part).catch(() => {});
    if (o.signal?.aborted) throw o.signal.reason;
    throw err;
  } finally {
    o.signal?.removeEventListener("abort", kill);
    // Releases the archive's lease on the segment it was reading.
    await frames.return?.();
  }
}

/**
 * Writes the Matroska stream to ffmpeg's stdin. Resolves (never rejects) once stdin is
 * closed, with the error that stopped it, if any: an {@link ExportFailed} when the archive
 * could not be read, otherwise a write error (ffmpeg's exit then says more than the pipe).
 */
async function feed(
  child: Deno.ChildProcess,
  video: { width: number; height: number },
  first: RecordedFrame,
  rest: AsyncIterator<RecordedFrame>,
  onFrame: (fed: number) => void,
  signal?: AbortSignal,
): Promise<unknown> {
  const writer = child.stdin.getWriter();
  try {
    await writer.write(mkvHeader(video));
    let n = 0;
    for (let f: IteratorResult<RecordedFrame> = { done: false, value: first }; !f.done;) {
      if (signal?.aborted) throw signal.reason;
      await writer.write(mkvFrame(f.value.time - first.time, f.value.jpeg));
      onFrame(++n);
      try {
        f = await rest.next();
      } catch (err) {
        throw new ExportFailed(`Cannot read the recording: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    await writer.close();
    return undefined;
  } catch (err) {
    await writer.abort(err).catch(() => {});
    // ffmpeg may not have stopped by itself (a frame read failed, not ffmpeg).
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    return err;
  }
}

/** Reads a stream to its end, keeping its last `keep` bytes as text. */
async function lastBytes(stream: ReadableStream<Uint8Array>, keep: number): Promise<string> {
  let tail = new Uint8Array(0);
  for await (const chunk of stream) {
    const joined = new Uint8Array(tail.length + chunk.length);
    joined.set(tail);
    joined.set(chunk, tail.length);
    tail = joined.subarray(Math.max(0, joined.length - keep));
  }
  return new TextDecoder().decode(tail);
}
