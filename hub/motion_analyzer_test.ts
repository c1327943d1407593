import assert from "node:assert/strict";
import sharp from "sharp";
import { MotionAnalyzer, type MotionEvent } from "./motion_analyzer.ts";
import { decodeLuma } from "./motion_decode.ts";
import type { LumaImage } from "../lib/motion_model.ts";
import { DEFAULT_MOTION_SETTINGS, type MotionSettings } from "../lib/motion_settings.ts";
import { type SceneFrame, sceneLuma } from "../harness/motion_scene.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123A1B2C3D4E5F6B8";
const T0 = 1_800_000_000_000;
const INTERVAL = 200; // 5 fps, the default

/** A colour VGA JPEG of the test scene, as a camera would send it. */
async function vgaJpeg(frame: Omit<SceneFrame, "width" | "height">): Promise<Uint8Array> {
  const { luma } = sceneLuma({ width: 640, height: 480, ...frame });
  const out = await sharp(luma, { raw: { width: 640, height: 480, channels: 1 } })
    .toColourspace("srgb").jpeg({ quality: 80 }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Still frames (noise only), reused in turn. */
function stills(): Promise<Uint8Array[]> {
  return Promise.all([0, 1, 2, 3].map((index) => vgaJpeg({ index, noise: 6 })));
}

/** A fake clock the test moves; frames are dated by it when offered. */
function clock() {
  let t = T0;
  return { now: () => t, set: (ms: number) => (t = ms) };
}

function settingsFor(s: Partial<MotionSettings> = {}) {
  const settings = { ...DEFAULT_MOTION_SETTINGS, ...s };
  return (_serial: string) => settings;
}

Deno.test("MotionAnalyzer: a square crossing VGA frames is one event spanning it", async () => {
  const still = await stills();
  const moving = new Map<number, Uint8Array>();
  for (let i = 15; i < 35; i++) {
    moving.set(
      i,
      await vgaJpeg({ index: i, noise: 6, square: { x: 40 + (i - 15) * 26, y: 200, size: 80 } }),
    );
  }
  const t = clock();
  const events: MotionEvent[] = [];
  const analyzer = new MotionAnalyzer({
    decode: decodeLuma,
    settingsOf: settingsFor(),
    onEvent: (e) => events.push(e),
    onError: (_s, err) => assert.fail(String(err)),
    now: t.now,
  });
  for (let i = 0; i < 65; i++) {
    t.set(T0 + i * INTERVAL);
    analyzer.offer(A, moving.get(i) ?? still[i % still.length]);
    await analyzer.settled();
  }
  assert.deepEqual(events.map((e) => [e.serial, e.state]), [[A, "start"], [A, "end"]]);
  const [start, end] = events;
  assert.ok(Math.abs(start.startedAt - (T0 + 15 * INTERVAL)) <= INTERVAL, "start");
  assert.ok(Math.abs(end.endedAt! - (T0 + 34 * INTERVAL)) <= INTERVAL, "end");
  assert.ok([...moving.values()].includes(end.peakJpeg), "the peak frame is one with the square");
  assert.ok(end.box.x <= 40 / 640 && end.box.x + end.box.w >= 610 / 640, JSON.stringify(end.box));
  assert.deepEqual(analyzer.stats(A), {
    analyzed: 65,
    skipped: 0,
    failed: 0,
    held: 0,
    busy: false,
    active: false,
  });
  await analyzer.close();
});

Deno.test("MotionAnalyzer: frames faster than the analysis are skipped, one held at most", async () => {
  const still = await stills();
  const t = clock();
  const skips: string[] = [];
  const analyzer = new MotionAnalyzer({
    decode: decodeLuma,
    settingsOf: settingsFor({ fps: 15 }),
    onEvent: () => {},
    onSkip: (serial) => skips.push(serial),
    now: t.now,
  });
  // 50 frames, each due (100 ms apart at 15 fps), offered while the first is still decoding.
  for (let i = 0; i < 50; i++) {
    t.set(T0 + i * 100);
    analyzer.offer(A, still[i % still.length]);
    const s = analyzer.stats(A)!;
    assert.ok(s.held <= 1 && (s.busy || s.analyzed > 0), `frame ${i}: ${JSON.stringify(s)}`);
  }
  assert.equal(skips.length, 48);
  await analyzer.settled();
  assert.deepEqual(analyzer.stats(A), {
    analyzed: 2, // the first frame, then the newest
    skipped: 48,
    failed: 0,
    held: 0,
    busy: false,
    active: false,
  });
  await analyzer.close();
});

Deno.test("MotionAnalyzer: frames before the camera is due are thinned, not skipped", async () => {
  const still = await stills();
  const t = clock();
  const analyzer = new MotionAnalyzer({
    settingsOf: settingsFor(),
    onEvent: () => {},
    now: t.now,
    decode: decodeLuma,
  });
  // A 25 fps camera analyzed at 5 fps: four frames in five are never looked at.
  for (let i = 0; i < 25; i++) {
    t.set(T0 + i * 40);
    analyzer.offer(A, still[i % still.length]);
    await analyzer.settled();
  }
  assert.deepEqual(analyzer.stats(A), {
    analyzed: 5,
    skipped: 0,
    failed: 0,
    held: 1,
    busy: false,
    active: false,
  });
  await analyzer.close();
});

Deno.test("MotionAnalyzer: a slow camera holds one decode slot, never another camera's", async () => {
  // Pure scheduling: the decoder is a fake that holds frames marked 0xa until released.
  const t = clock();
  const stuck: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const flat: LumaImage = { width: 8, height: 6, luma: new Uint8Array(48).fill(100) };
  const decode = (jpeg: Uint8Array) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<LumaImage>((resolve) => {
      const finish = () => {
        inFlight--;
        resolve(flat);
      };
      if (jpeg[0] === 0xa) stuck.push(finish);
      else finish();
    });
  };
  const slowA = new Uint8Array([0xa]);
  const frameA = new Uint8Array([0xc]);
  const frameB = new Uint8Array([0xb]);
  const make = (concurrency: number) =>
    new MotionAnalyzer({
      settingsOf: settingsFor(),
      onEvent: () => {},
      now: t.now,
      concurrency,
      decode,
    });

  const two = make(2);
  for (let i = 0; i < 10; i++) {
    t.set(T0 + i * INTERVAL);
    two.offer(A, i === 0 ? slowA : frameA);
    two.offer(B, frameB);
    await two.settled(B);
  }
  assert.equal(two.stats(B)!.analyzed, 10, "B went on while A was stuck");
  assert.deepEqual(two.stats(A), {
    analyzed: 0,
    skipped: 8,
    failed: 0,
    held: 1,
    busy: true,
    active: false,
  });
  assert.equal(maxInFlight, 2);
  stuck.shift()!();
  await two.settled();
  assert.deepEqual([two.stats(A)!.analyzed, two.stats(A)!.held], [2, 0], "stuck, then newest");
  await two.close();

  // With one slot, the cap holds: B waits for A's decode, with its newest frame only.
  const one = make(1);
  maxInFlight = 0;
  t.set(T0);
  one.offer(A, slowA);
  one.offer(B, frameB);
  one.offer(B, frameB);
  assert.deepEqual([one.stats(B)!.held, one.stats(B)!.analyzed, maxInFlight], [1, 0, 1]);
  stuck.shift()!();
  await one.settled();
  assert.deepEqual([one.stats(B)!.analyzed, one.stats(A)!.analyzed, maxInFlight], [1, 1, 1]);
  await one.close();
});

/** Offers a still frame then two with a square to each camera: an event starts on each. */
async function startEvents(
  analyzer: MotionAnalyzer,
  t: ReturnType<typeof clock>,
  serials: string[],
) {
  const frames = [
    await vgaJpeg({ index: 0 }),
    await vgaJpeg({ index: 1, square: { x: 100, y: 100, size: 100 } }),
    await vgaJpeg({ index: 2, square: { x: 130, y: 100, size: 100 } }),
  ];
  for (const [i, jpeg] of frames.entries()) {
    t.set(T0 + i * INTERVAL);
    for (const serial of serials) analyzer.offer(serial, jpeg);
    await analyzer.settled();
  }
}

Deno.test("MotionAnalyzer: motion turned off or a camera gone ends its event; close() the rest", async () => {
  const t = clock();
  const events: MotionEvent[] = [];
  let enabledA = true;
  const analyzer = new MotionAnalyzer({
    decode: decodeLuma,
    settingsOf: (serial) => ({ ...DEFAULT_MOTION_SETTINGS, enabled: serial !== A || enabledA }),
    onEvent: (e) => events.push(e),
    now: t.now,
  });
  await startEvents(analyzer, t, [A, B, "0123A1B2C3D4E5F6C9"]);
  assert.deepEqual(events.map((e) => e.state), ["start", "start", "start"]);
  events.length = 0;

  enabledA = false;
  analyzer.offer(A, await vgaJpeg({ index: 3 }));
  assert.equal(analyzer.stats(A), undefined, "a disabled camera has no state");
  analyzer.forget(B);
  await analyzer.close();
  analyzer.offer("0123A1B2C3D4E5F6C9", await vgaJpeg({ index: 3 })); // ignored after close
  assert.deepEqual(
    events.map((e) => [e.serial, e.state, e.startedAt, e.endedAt]),
    [A, B, "0123A1B2C3D4E5F6C9"].map((s) => [s, "end", T0 + INTERVAL, T0 + 2 * INTERVAL]),
  );
});

Deno.test("MotionAnalyzer: an event ends even when its camera's frames stop coming", async () => {
  const t = clock();
  const ended = Promise.withResolvers<MotionEvent>();
  const analyzer = new MotionAnalyzer({
    decode: decodeLuma,
    settingsOf: settingsFor(),
    onEvent: (e) => e.state === "end" && ended.resolve(e),
    now: t.now,
    events: { endAfterMs: 1_000 },
  });
  await startEvents(analyzer, t, [A]);
  assert.equal(analyzer.stats(A)!.active, true);
  t.set(T0 + 60_000); // no frame since; the next idle check ends the event
  const end = await ended.promise;
  assert.deepEqual([end.serial, end.endedAt], [A, T0 + 2 * INTERVAL]);
  await analyzer.close();
});

Deno.test("MotionAnalyzer: a frame that does not decode is counted and reported", async () => {
  const t = clock();
  const errors: string[] = [];
  const analyzer = new MotionAnalyzer({
    decode: decodeLuma,
    settingsOf: settingsFor(),
    onEvent: () => {},
    onError: (serial) => errors.push(serial),
    now: t.now,
  });
  const good = await vgaJpeg({ index: 0 });
  analyzer.offer(A, good.subarray(0, good.length >> 1));
  await analyzer.settled();
  t.set(T0 + INTERVAL);
  analyzer.offer(A, good);
  await analyzer.settled();
  assert.deepEqual(errors, [A]);
  assert.deepEqual([analyzer.stats(A)!.failed, analyzer.stats(A)!.analyzed], [1, 1]);
  await analyzer.close();
});
