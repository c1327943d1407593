/**
 * What tests need to check exports with the real tools: ffprobe's view of a video, and the
 * ffmpeg processes this test process has started (to prove none is left behind).
 */

export interface Probe {
  codec: string;
  pixFmt: string;
  width: number;
  height: number;
  /** Frames decoded (`-count_frames`). */
  frames: number;
  /** Container duration, seconds. */
  duration: number;
  /** Presentation time of each frame, seconds. */
  times: number[];
}

/** ffprobe of a file, or of bytes given on its stdin (`-` as the path). */
export async function ffprobe(path: string, input?: Uint8Array, format?: string): Promise<Probe> {
  const child = new Deno.Command("ffprobe", {
    args: [
      ...["-v", "error", "-count_frames", ...(format ? ["-f", format] : [])],
      ...["-show_entries", "stream=codec_name,pix_fmt,width,height,nb_read_frames"],
      ...["-show_entries", "format=duration", "-show_entries", "frame=pts_time"],
      ...["-of", "json", input ? "pipe:0" : path],
    ],
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input) {
    const w = child.stdin.getWriter();
    await w.write(input);
    await w.close();
  }
  const out = await child.output();
  if (!out.success) throw new Error(`ffprobe failed: ${new TextDecoder().decode(out.stderr)}`);
  const j = JSON.parse(new TextDecoder().decode(out.stdout));
  const s = j.streams[0];
  return {
    codec: s.codec_name,
    pixFmt: s.pix_fmt,
    width: s.width,
    height: s.height,
    frames: Number(s.nb_read_frames),
    duration: Number(j.format?.duration),
    times: (j.frames ?? []).map((f: { pts_time: string }) => Number(f.pts_time)),
  };
}

/** Pids of this process's children running `name` (Linux /proc). */
export function childrenNamed(name: string): number[] {
  const pids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid …": comm may hold spaces, so split after its closing parenthesis.
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === Deno.pid && comm === name) pids.push(Number(e.name));
  }
  return pids;
}
