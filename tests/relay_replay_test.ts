/**
 * Replay pacing and backpressure through a real relay (real TLS, real `ws`, a real archive on
 * disk written by the recorder) whose clock the test moves by hand: a frame is due exactly when
 * its recorded offset divided by the speed has passed, a paused replay asks for no more time,
 * and a viewer that stops reading skips to the newest frame instead of queueing.
 */
import assert from "node:assert/strict";
import { fakeJpeg, type TestClient, waitFor } from "./hub_fixture.ts";
import { startTestRelay, type TestRelay } from "./relay_fixture.ts";
import { stalledViewer } from "../harness/stalled_viewer.ts";
import { Recorder } from "../hub/recorder.ts";
import { openArchive } from "../hub/archive_reader.ts";
import { createHubMetrics } from "../hub/hub_metrics.ts";
import { recordedAt } from "../lib/jpeg_com.ts";
import { parseViewerFrame } from "../lib/trailer.ts";

const CAM = "0123FEED00000000A1";
const T0 = Date.parse("2026-11-27T10:00:00Z");

/** A clock for `now` and `sleep` that only moves when the test says. */
class ManualClock {
  t = 0;
  #sleepers = new Set<{ due: number; resolve: () => void }>();
  now = () => this.t;
  sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const s = {
        due: this.t + ms,
        resolve: () => {
          this.#sleepers.delete(s);
          signal.removeEventListener("abort", s.resolve);
          resolve();
        },
      };
      this.#sleepers.add(s);
      signal.addEventListener("abort", s.resolve);
    });

  /** Due times asked for and not reached yet. */
  get dues(): number[] {
    return [...this.#sleepers].map((s) => s.due);
  }

  advance(ms: number): void {
    this.t += ms;
    for (const s of [...this.#sleepers]) if (s.due <= this.t) s.resolve();
  }
}

/** Writes `frames` of CAM at capture times T0 + `offsets` into `<dir>/<CAM>/`. */
async function record(dir: string, frames: Uint8Array[], offsets: number[]): Promise<void> {
  let i = 0;
  const m = createHubMetrics();
  const recorder = new Recorder({
    dir,
    segmentMs: 60_000,
    log: () => {},
    metrics: { frames: m.recorderFrames, bytes: m.recorderBytes, dropped: m.recorderDropped },
    now: () => T0 + offsets[i],
  });
  for (; i < frames.length; i++) {
    recorder.record(CAM, frames[i]);
    if (i % 8 === 7) await recorder.flush();
  }
  await recorder.close();
}

interface Setup extends AsyncDisposable {
  r: TestRelay;
  clock: ManualClock;
  viewer: TestClient;
}

async function setup(frames: Uint8Array[], offsets: number[]): Promise<Setup> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_replay_" });
  await record(dir, frames, offsets);
  const clock = new ManualClock();
  const r = await startTestRelay({
    now: clock.now,
    sleep: clock.sleep,
    recordings: openArchive(dir),
  });
  const viewer = await r.viewer("alice", "?cameras=");
  await viewer.until(() => replies(viewer, "subscribed").length === 1);
  return {
    r,
    clock,
    viewer,
    async [Symbol.asyncDispose]() {
      await r.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function replies(c: TestClient, type: string, state?: string): Record<string, unknown>[] {
  return (c.texts as Record<string, unknown>[]).filter((t) =>
    t.type === type && (state === undefined || t.state === state)
  );
}

const times = (c: TestClient) => c.binary.map((b) => recordedAt(parseViewerFrame(b).jpeg));

Deno.test("replay sends each frame when its recorded offset / speed has passed on the clock", async () => {
  for (const speed of [1, 2, 4, 0.5]) {
    const offsets = [0, 100, 250, 300, 1000];
    const frames = offsets.map((_, i) => fakeJpeg(400 + i, i + 1));
    await using s = await setup(frames, offsets);
    const { clock, viewer, r } = s;
    clock.t = 5000;
    viewer.ws.send(JSON.stringify({ type: "play", camera: CAM, from: T0, speed }));
    await viewer.until(() => viewer.binary.length === 1, 5000, "the first frame, at once");
    for (let i = 1; i < offsets.length; i++) {
      // The replay asks to wake exactly when frame i is due, and sends nothing before.
      await waitFor(() => clock.dues.length === 1, 5000, `the wait for frame ${i}`);
      assert.deepEqual(clock.dues, [5000 + offsets[i] / speed], `speed ${speed}, frame ${i}`);
      assert.equal(viewer.binary.length, i);
      clock.advance(clock.dues[0] - clock.t);
      await viewer.until(() => viewer.binary.length === i + 1, 5000, `frame ${i}`);
    }
    await viewer.until(() => replies(viewer, "replay", "ended").length === 1);
    assert.deepEqual(times(viewer), offsets.map((o) => T0 + o));
    assert.deepEqual(replies(viewer, "replay"), [
      {
        type: "replay",
        camera: CAM,
        state: "playing",
        from: new Date(T0).toISOString(),
        speed,
      },
      { type: "replay", camera: CAM, state: "ended", at: new Date(T0 + 1000).toISOString() },
    ]);
    await waitFor(() => r.relay.replaysRunning === 0, 5000, "the read loop to end");
  }
});

Deno.test("replay skips a gap in the recording instead of waiting through it", async () => {
  const offsets = [0, 100, 60_000, 60_100];
  const frames = offsets.map((_, i) => fakeJpeg(400, i + 1));
  await using s = await setup(frames, offsets);
  const { clock, viewer } = s;
  viewer.ws.send(JSON.stringify({ type: "play", camera: CAM, from: T0 }));
  await viewer.until(() => viewer.binary.length === 1);
  await waitFor(() => clock.dues.length === 1);
  assert.deepEqual(clock.dues, [100]);
  clock.advance(100);
  // Frame 2 comes a minute later in the recording: it is sent at once, then paced from there.
  await viewer.until(() => viewer.binary.length === 3);
  await waitFor(() => clock.dues.length === 1);
  assert.deepEqual(clock.dues, [200]);
  clock.advance(100);
  await viewer.until(() => replies(viewer, "replay", "ended").length === 1);
  assert.deepEqual(times(viewer), offsets.map((o) => T0 + o));
});

Deno.test("pause stops the replay where it is; play resumes from a time; live ends it", async () => {
  const offsets = Array.from({ length: 10 }, (_, i) => i * 100);
  const frames = offsets.map((_, i) => fakeJpeg(400, i + 1));
  await using s = await setup(frames, offsets);
  const { clock, viewer, r } = s;
  viewer.ws.send(JSON.stringify({ type: "play", camera: CAM, from: T0 }));
  await viewer.until(() => viewer.binary.length === 1);
  await waitFor(() => clock.dues.length === 1);
  clock.advance(100);
  await viewer.until(() => viewer.binary.length === 2);
  await waitFor(() => clock.dues.length === 1);
  viewer.ws.send(JSON.stringify({ type: "pause", camera: CAM }));
  await viewer.until(() => replies(viewer, "replay", "paused").length === 1);
  assert.deepEqual(replies(viewer, "replay", "paused")[0], {
    type: "replay",
    camera: CAM,
    state: "paused",
    at: new Date(T0 + 100).toISOString(),
  });
  await waitFor(() => r.relay.replaysRunning === 0, 5000, "the reader to stop");
  assert.deepEqual(clock.dues, [], "a paused replay waits for nothing");
  clock.advance(10_000);
  assert.deepEqual([...r.relay.viewers].map((v) => v.replays.map((x) => [x.camera, x.state])), [
    [[CAM, "paused"]],
  ]);
  // A round trip: nothing was on its way.
  viewer.ws.send(JSON.stringify({ type: "unsubscribe", cameras: [] }));
  await viewer.until(() => replies(viewer, "subscribed").length === 2);
  assert.equal(viewer.binary.length, 2);

  viewer.ws.send(JSON.stringify({ type: "play", camera: CAM, from: T0 + 500, speed: 2 }));
  await viewer.until(() => viewer.binary.length === 3);
  assert.equal(times(viewer)[2], T0 + 500);
  await waitFor(() => clock.dues.length === 1);
  assert.deepEqual(clock.dues, [clock.t + 50]);
  viewer.ws.send(JSON.stringify({ type: "live", camera: CAM }));
  await viewer.until(() => replies(viewer, "subscribed").length === 3);
  assert.deepEqual(replies(viewer, "replay").map((m) => m.state), [
    "playing",
    "paused",
    "playing",
    "live",
  ]);
  assert.deepEqual(replies(viewer, "subscribed")[2], {
    type: "subscribed",
    cameras: [CAM],
    all: false,
  });
  await waitFor(() => r.relay.replaysRunning === 0);
  clock.advance(10_000);
  assert.deepEqual([...r.relay.viewers].map((v) => v.replays), [[]]);

  // Live frames flow again, without a capture time.
  const device = await r.device(CAM);
  device.ws.send(fakeJpeg(300, 0x42));
  await viewer.until(() => viewer.binary.length === 4);
  assert.equal(times(viewer)[3], undefined);
});

/** A masked client text frame (RFC 6455 §5.2), for a viewer that writes but never reads. */
function clientText(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const n = payload.length;
  const head = n < 126 ? [0x81, 0x80 | n] : [0x81, 0x80 | 126, n >> 8, n & 0xff];
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const out = new Uint8Array(head.length + 4 + n);
  out.set(head);
  out.set(mask, head.length);
  for (let i = 0; i < n; i++) out[head.length + 4 + i] = payload[i] ^ mask[i & 3];
  return out;
}

Deno.test("a viewer that stops reading skips to the newest recorded frame, nothing queues", async () => {
  // 64 frames of 512 KiB: far more than the socket buffers hold.
  const offsets = Array.from({ length: 64 }, (_, i) => i * 10);
  const frames = offsets.map((_, i) => fakeJpeg(512 * 1024, i + 1));
  await using s = await setup(frames, offsets);
  const { clock, r } = s;
  const conn = await stalledViewer({
    port: r.port,
    caPem: r.pki.caPem,
    cert: await r.pki.viewer("sloth"),
  });
  try {
    const sloth = () => [...r.relay.viewers].find((v) => v.peer.cn === "sloth");
    await waitFor(() => sloth() !== undefined);
    await conn.write(clientText(JSON.stringify({ type: "play", camera: CAM, from: T0 })));
    await waitFor(() => sloth()?.replays.length === 1, 5000, "the play");
    // Every frame falls due while the viewer reads nothing.
    await waitFor(() => clock.dues.length === 1 || sloth()!.replays[0].read === frames.length);
    clock.advance(10_000);
    await waitFor(() => sloth()!.replays[0].read === frames.length, 10_000, "every frame read");
    const { sent, skipped, waiting } = sloth()!.replays[0];
    assert.equal(sent + skipped + waiting, frames.length);
    assert.ok(waiting >= 1 && waiting <= 2, `${waiting} frames of 512 KiB wait (1 MiB at most)`);
    assert.ok(sent < frames.length / 2, `${sent} writes started for a viewer reading nothing`);
    assert.equal(sloth()!.replays[0].state, "playing", "ended waits for the last frame");
    console.log(`stalled viewer: ${sent} of ${frames.length} frames written, ${skipped} skipped`);
  } finally {
    conn.close();
  }
  await waitFor(() => r.relay.replaysRunning === 0, 5000, "the replay to end with the socket");
});
