import assert from "node:assert/strict";
import sharp from "sharp";
import { defaultChildArgs, MotionDecoder } from "./motion_decoder.ts";
import { waitFor } from "../tests/wait_for.ts";
import { readStamp, stampFrame } from "../lib/jpeg_com.ts";
import { RESIZE_NICE } from "./reduced_streams.ts";

const VGA = new Uint8Array(
  await sharp({ create: { width: 640, height: 480, channels: 3, background: "#406080" } })
    .jpeg()
    .toBuffer(),
);

function logged() {
  const lines: [string, Record<string, unknown>][] = [];
  return {
    lines,
    log: (event: string, fields: Record<string, unknown> = {}) => lines.push([event, fields]),
  };
}

/** The nice value of a process (field 19 of /proc/<pid>/stat). */
function niceOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

Deno.test("MotionDecoder decodes in a process at nice 19 and answers in order", async () => {
  const { lines, log } = logged();
  const decoder = new MotionDecoder({ log });
  try {
    const [a, thumb, b] = await Promise.all([
      decoder.luma(VGA, 64),
      decoder.thumbnail(VGA, 160),
      decoder.luma(VGA, 32),
    ]);
    assert.deepEqual([a.width, a.height, a.luma.length], [64, 48, 64 * 48]);
    assert.deepEqual([b.width, b.height, b.luma.length], [32, 24, 32 * 24]);
    // #406080 in greyscale: every pixel the same mid grey.
    assert.ok(a.luma.every((v) => Math.abs(v - a.luma[0]) <= 1) && a.luma[0] > 60);
    assert.deepEqual([thumb[0], thumb[1]], [0xff, 0xd8]);
    assert.equal((await sharp(thumb).metadata()).width, 160);
    assert.equal(niceOf(decoder.pid!), 19);
    assert.deepEqual(lines.find(([e]) => e === "motion-decoder"), [
      "motion-decoder",
      { pid: decoder.pid, nice: 19 },
    ]);
  } finally {
    await decoder.close();
  }
});

Deno.test("MotionDecoder: a JPEG that does not decode fails alone", async () => {
  const decoder = new MotionDecoder({ log: logged().log });
  try {
    await assert.rejects(decoder.luma(VGA.subarray(0, 200), 64), /truncated|premature|corrupt/i);
    await assert.rejects(decoder.luma(new Uint8Array([1, 2, 3]), 64), /unsupported image format/);
    assert.equal((await decoder.luma(VGA, 64)).width, 64);
  } finally {
    await decoder.close();
  }
});

Deno.test("MotionDecoder: a killed child fails its requests and is started again", async () => {
  const { lines, log } = logged();
  const decoder = new MotionDecoder({ log });
  try {
    await decoder.luma(VGA, 64);
    const first = decoder.pid!;
    const inFlight = decoder.luma(VGA, 64);
    Deno.kill(first, "SIGKILL");
    // Answered before the kill landed, or failed by it: never left hanging.
    await inFlight.catch((err) =>
      assert.match(err.message, /Motion decoder exited \(signal SIGKILL\)/)
    );
    await waitFor(() => lines.some(([e]) => e === "motion-decoder-exit"), 5000, "exit logged");
    await waitFor(() => decoder.pid !== undefined && decoder.pid !== first, 5000, "restart");
    assert.equal((await decoder.luma(VGA, 64)).width, 64);
    const exit = lines.find(([e]) => e === "motion-decoder-exit")![1];
    assert.equal(exit.pid, first);
    assert.equal(exit.why, "signal SIGKILL");
  } finally {
    await decoder.close();
  }
});

Deno.test("MotionDecoder: Ctrl-C's SIGINT to the process group leaves the child to the hub", async () => {
  const { lines, log } = logged();
  const decoder = new MotionDecoder({ log });
  try {
    await decoder.luma(VGA, 64);
    Deno.kill(decoder.pid!, "SIGINT");
    Deno.kill(decoder.pid!, "SIGTERM");
    assert.equal((await decoder.luma(VGA, 64)).width, 64);
    assert.ok(!lines.some(([e]) => e === "motion-decoder-exit"));
  } finally {
    await decoder.close();
  }
});

Deno.test("MotionDecoder: a child that never answers is killed after the timeout", async () => {
  const { lines, log } = logged();
  const decoder = new MotionDecoder({
    log,
    timeoutMs: 300,
    childArgs: ["eval", "setInterval(() => {}, 1000)"],
  });
  try {
    await assert.rejects(decoder.luma(VGA, 64), /Motion decoder exited \(signal SIGKILL\)/);
    assert.ok(lines.some(([e, f]) => e === "motion-decoder-timeout" && f.ms === 300));
  } finally {
    await decoder.close();
  }
});

Deno.test("MotionDecoder: a garbled reply stream ends the child", async () => {
  const decoder = new MotionDecoder({
    log: logged().log,
    maxReplyBytes: 1024,
    // A length prefix of 4 GiB: refused before anything is buffered.
    childArgs: [
      "eval",
      "await Deno.stdout.write(new Uint8Array([255, 255, 255, 255])); setInterval(() => {}, 1000)",
    ],
  });
  try {
    await assert.rejects(
      decoder.luma(VGA, 64),
      /Motion decoder exited \(Message of 4294967299 bytes over the limit of 1024\)/,
    );
  } finally {
    await decoder.close();
  }
});

Deno.test("MotionDecoder.close() ends the child; later requests fail", async () => {
  const decoder = new MotionDecoder({ log: logged().log, nice: 0 });
  const pid = decoder.pid!;
  assert.equal(niceOf(pid), niceOf(Deno.pid));
  await decoder.close();
  assert.throws(() => Deno.kill(pid, "SIGCONT"), /ESRCH|No such process|NotFound/);
  await assert.rejects(decoder.luma(VGA, 64), /Motion decoder is closed/);
});

Deno.test("defaultChildArgs() grants the decode process no network, files or programs", () => {
  const args = defaultChildArgs();
  for (const a of args) {
    assert.doesNotMatch(a, /^--allow-(net|write|read|run|import)|^-A$|^--allow-all$/, a);
  }
  assert.ok(args.includes("--no-prompt"));
  assert.ok(args.at(-1)!.endsWith("hub/motion_decoder_child.ts"));
});

Deno.test("MotionDecoder() refuses a niceness out of range", () => {
  assert.throws(
    () => new MotionDecoder({ log: () => {}, nice: 20 }),
    /Invalid decoder niceness: "20": must be 0-19/,
  );
});

Deno.test("MotionDecoder.resize() as the resize worker: smaller JPEG, comment kept, its own name", async () => {
  const { lines, log } = logged();
  const worker = new MotionDecoder({ log, name: "resize-worker", nice: RESIZE_NICE });
  try {
    const stamped = stampFrame(VGA, 42, 1_700_000_000_000);
    const [tile, small] = await Promise.all([
      worker.resize(stamped, 320, 60),
      worker.resize(VGA, 800, 60),
    ]);
    const meta = await sharp(tile).metadata();
    assert.deepEqual([meta.width, meta.height], [320, 240]);
    assert.deepEqual(readStamp(tile), { t: 1_700_000_000_000, seq: 42 });
    assert.equal((await sharp(small).metadata()).width, 640, "never enlarged");
    assert.equal(readStamp(small), undefined);
    assert.equal(niceOf(worker.pid!), RESIZE_NICE);
    assert.deepEqual(lines.find(([e]) => e === "resize-worker"), [
      "resize-worker",
      { pid: worker.pid, nice: RESIZE_NICE },
    ]);
    await assert.rejects(worker.resize(new Uint8Array([1, 2, 3]), 320, 60), /unsupported/);
  } finally {
    await worker.close();
  }
  await assert.rejects(worker.resize(VGA, 320, 60), /Worker resize-worker is closed/);
});
