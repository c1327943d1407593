import assert from "node:assert/strict";
import { renderFrames } from "../sim/frames.ts";
import type { RecordedFrame } from "../lib/recordings.ts";
import { childrenNamed, ffprobe } from "../tests/ffmpeg_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";
import { mkvFrame, mkvHeader } from "../lib/mkv_muxer.ts";
import { encodeMp4, ExportFailed } from "./mp4_export.ts";

const T0 = 1_764_250_000_000;
const LOOP = renderFrames({ serial: "0123FEED00000000D1", size: "qvga", count: 8 });

/** `n` recorded frames at irregular intervals (40-150 ms), as a camera on a busy network. */
function recorded(n: number): RecordedFrame[] {
  let t = T0;
  return Array.from({ length: n }, (_, i) => {
    const f = { time: t, jpeg: LOOP[i % LOOP.length] as Uint8Array<ArrayBuffer> };
    t += 40 + (i * 37) % 111;
    return f;
  });
}

async function* from(frames: RecordedFrame[]): AsyncGenerator<RecordedFrame> {
  for (const f of frames) yield f;
}

async function withDir(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "mp4_export_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("mkvHeader() and mkvFrame() make a Matroska stream ffprobe reads at the given times", async () => {
  const frames = recorded(40);
  const mkv = new Uint8Array([
    ...mkvHeader({ width: 320, height: 240 }),
    ...frames.flatMap((f) => [...mkvFrame(f.time - T0, f.jpeg)]),
  ]);
  const probe = await ffprobe("-", mkv, "matroska");
  assert.deepEqual([probe.codec, probe.width, probe.height, probe.frames], ["mjpeg", 320, 240, 40]);
  assert.deepEqual(probe.times, frames.map((f) => (f.time - T0) / 1000));
});

Deno.test("encodeMp4() keeps every frame at its capture time (ffprobe)", async () => {
  await withDir(async (dir) => {
    const frames = recorded(60);
    const fed: number[] = [];
    const result = await encodeMp4({
      frames: from(frames),
      out: `${dir}/a.mp4`,
      onFrame: (n) => fed.push(n),
    });
    assert.deepEqual(fed, frames.map((_, i) => i + 1));
    assert.equal(result.frames, 60);
    assert.equal(result.bytes, (await Deno.stat(`${dir}/a.mp4`)).size);
    assert.deepEqual(await names(dir), ["a.mp4"]);
    const probe = await ffprobe(`${dir}/a.mp4`);
    assert.deepEqual(
      [probe.codec, probe.pixFmt, probe.width, probe.height, probe.frames],
      ["h264", "yuv420p", 320, 240, 60],
    );
    // Each frame at its recorded time: no rate was imposed, no frame duplicated or dropped.
    assert.deepEqual(probe.times, frames.map((f) => (f.time - T0) / 1000));
    const span = (frames[59].time - T0) / 1000;
    assert.ok(Math.abs(probe.duration - span) <= 0.15, `${probe.duration} vs ${span}`);
  });
});

Deno.test("encodeMp4() aborted kills ffmpeg and leaves no file", async () => {
  await withDir(async (dir) => {
    const ac = new AbortController();
    let fed = 0;
    let finalized = false;
    // Five frames, then the archive waits (a recorder that has not written more yet).
    const frames = (async function* () {
      try {
        yield* from(recorded(5));
        await new Promise((resolve) => ac.signal.addEventListener("abort", resolve));
      } finally {
        finalized = true;
      }
    })();
    const done = encodeMp4({
      frames,
      out: `${dir}/a.mp4`,
      signal: ac.signal,
      onFrame: (n) => fed = n,
    });
    await waitFor(() => fed === 5, 5000, "five frames fed");
    assert.equal(childrenNamed("ffmpeg").length, 1);
    ac.abort(new Error("Cancelled"));
    await assert.rejects(done, { message: "Cancelled" });
    assert.deepEqual(childrenNamed("ffmpeg"), []);
    assert.deepEqual(await names(dir), []);
    assert.ok(finalized, "the frame iterator was closed");
  });
});

Deno.test("encodeMp4() fails with ffmpeg's reason and leaves no file", async () => {
  await withDir(async (dir) => {
    // ffmpeg cannot open its output: a full or missing disk looks the same to the hub.
    await assert.rejects(
      encodeMp4({ frames: from(recorded(3)), out: `${dir}/gone/a.mp4` }),
      (err: Error) =>
        err instanceof ExportFailed &&
        /^ffmpeg exited with code 1: .*No such file or directory/.test(err.message),
    );
    assert.deepEqual(await names(dir), []);
    await assert.rejects(
      encodeMp4({ frames: from(recorded(2)), out: `${dir}/a.mp4`, ffmpeg: `${dir}/no-ffmpeg` }),
      { name: "ExportFailed", message: /^Cannot run ffmpeg: / },
    );
    await assert.rejects(encodeMp4({ frames: from([]), out: `${dir}/a.mp4` }), {
      name: "ExportFailed",
      message: "No frames in the range",
    });
    assert.deepEqual(await names(dir), []);
    assert.deepEqual(childrenNamed("ffmpeg"), []);
  });
});
