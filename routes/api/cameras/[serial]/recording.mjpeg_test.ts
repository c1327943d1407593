import assert from "node:assert/strict";
import { Registry } from "../../../../lib/registry.ts";
import { StreamRegistry } from "../../../../lib/stream_registry.ts";
import { SegmentLeases } from "../../../../lib/segment_leases.ts";
import type { HubState } from "../../../../lib/hub_state.ts";
import type { RecordingArchive } from "../../../../lib/recordings.ts";
import { countedShutdown, pageState, VIEWER } from "../../../../tests/page_fixture.ts";
import { parseMjpegParts } from "../../../../tests/mjpeg_parts.ts";
import { fakeJpeg } from "../../../../harness/fake_jpeg.ts";
import { createHubMetrics } from "../../../../hub/hub_metrics.ts";
import { Recorder } from "../../../../hub/recorder.ts";
import { openArchive } from "../../../../hub/archive_reader.ts";
import { TrustcamError } from "../../../../lib/errors.ts";
import { waitFor } from "../../../../tests/wait_for.ts";
import { handler } from "./recording.mjpeg.ts";

const CAMERA = "0123A1B2C3D4E5F6A7";
const T0 = 1_764_250_000_000;
const FRAMES = Array.from({ length: 40 }, (_, i) => fakeJpeg(300 + i, i + 1));

/**
 * An archive of 40 frames 40 ms apart (1 s segments) under a temp dir, read through the real
 * reader, counting the frames read and whether each iteration was closed.
 */
async function withArchive(body: (a: Fixture) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "recording_mjpeg_" });
  const m = createHubMetrics();
  const clock = { t: T0 };
  const rec = new Recorder({
    dir,
    segmentMs: 1000,
    log: () => {},
    metrics: { frames: m.recorderFrames, bytes: m.recorderBytes, dropped: m.recorderDropped },
    now: () => clock.t,
  });
  FRAMES.forEach((f, i) => {
    clock.t = T0 + i * 40;
    rec.record(CAMERA, f);
  });
  await rec.close();
  const leases = new SegmentLeases();
  const real = openArchive(dir, leases);
  const counts = { read: 0, open: 0 };
  const recordings: RecordingArchive = {
    ...real,
    async *frames(serial, from, to, options) {
      counts.open++;
      try {
        for await (const f of real.frames(serial, from, to, options)) {
          counts.read++;
          yield f;
        }
      } finally {
        counts.open--;
      }
    },
  };
  const registry = new Registry();
  registry.connected(CAMERA);
  const streams = new StreamRegistry();
  const shutdown = countedShutdown();
  try {
    await body({ recordings, counts, leases, streams, shutdown, registry });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface Fixture {
  recordings: RecordingArchive;
  counts: { read: number; open: number };
  leases: SegmentLeases;
  streams: StreamRegistry;
  shutdown: ReturnType<typeof countedShutdown>;
  registry: Registry;
}

async function get(f: Fixture, query: string, client = new AbortController()) {
  const state = {
    ...pageState({ registry: f.registry }),
    recordings: f.recordings,
    streams: f.streams,
    shutdown: f.shutdown.signal,
    peer: VIEWER,
  } as HubState & { peer: typeof VIEWER };
  const req = new Request(
    `https://localhost/api/cameras/${CAMERA}/recording.mjpeg?${query}`,
    { signal: client.signal },
  );
  return await handler.GET!({ req, url: new URL(req.url), params: { serial: CAMERA }, state });
}

async function readAll(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** Everything the stream could hold on the hub is let go. */
function assertReleased(f: Fixture) {
  assert.equal(f.counts.open, 0, "archive iteration closed");
  assert.equal(f.leases.size, 0, "segment leases");
  assert.equal(f.streams.size, 0, "registered streams");
  // A listener left on the hub's shutdown signal would keep the stream for the hub's life.
  assert.equal(f.shutdown.listeners(), 0, "shutdown listeners");
}

Deno.test("recording.mjpeg GET streams the range byte-exact, stamped, then ends", async () => {
  await withArchive(async (f) => {
    const res = await get(f, `from=${T0 + 400}&to=${T0 + 1200}&speed=16`);
    assert.equal(
      res.headers.get("content-type"),
      "multipart/x-mixed-replace; boundary=trustcamframe",
    );
    const parts = parseMjpegParts(await readAll(res));
    assert.equal(parts.length, 21);
    parts.forEach((p, i) => {
      assert.deepEqual(p.body, FRAMES[10 + i]);
      assert.equal(p.headers["x-timestamp"], new Date(T0 + 400 + i * 40).toISOString());
    });
    assertReleased(f);
  });
});

Deno.test("recording.mjpeg GET stops reading the archive once the client went away", async () => {
  await withArchive(async (f) => {
    const client = new AbortController();
    const reader = (await get(f, `from=${T0}&speed=16`, client)).body!.getReader();
    await reader.read();
    await reader.read();
    assert.equal(f.streams.size, 1);
    const next = reader.read();
    client.abort();
    // The part being paced may still come out; then the stream ends.
    let r = await next;
    if (!r.done) r = await reader.read();
    assert.equal(r.done, true);
    // The archive iteration is closed: no read can follow.
    assertReleased(f);
    const read = f.counts.read;
    assert.ok(read <= 4, `${read} frames read for 3 parts at most`);

    const cancelled = (await get(f, `from=${T0}`)).body!.getReader();
    await cancelled.read();
    await cancelled.cancel();
    assertReleased(f);
  });
});

Deno.test("recording.mjpeg GET lets go at once of a client gone before reading", async () => {
  await withArchive(async (f) => {
    // Gone while the handler looked for the first frame: nobody will ever pull or cancel.
    const gone = new AbortController();
    gone.abort();
    await get(f, `from=${T0}`, gone);
    await waitFor(() => f.counts.open === 0, 5000, "archive iteration closed");
    assertReleased(f);
    // Gone after the answer, before the first read.
    const late = new AbortController();
    await get(f, `from=${T0}`, late);
    assert.equal(f.streams.size, 1);
    late.abort();
    await waitFor(() => f.counts.open === 0, 5000, "archive iteration closed");
    assertReleased(f);
    assert.equal(f.counts.read, 2, "one frame read per stream");
  });
});

Deno.test("recording.mjpeg GET ends when the hub's streams are cut or the hub stops", async () => {
  await withArchive(async (f) => {
    // Speed 0.25: the second part is 160 ms away, so each stream is waiting when it is cut.
    const revoked = (await get(f, `from=${T0}&speed=0.25`)).body!.getReader();
    await revoked.read();
    const next = revoked.read();
    f.streams.enforce(() => false, "revoked");
    assert.equal((await next).done, true);
    assertReleased(f);

    const stopped = (await get(f, `from=${T0}&speed=0.25`)).body!.getReader();
    await stopped.read();
    const last = stopped.read();
    f.shutdown.abort();
    assert.equal((await last).done, true);
    assertReleased(f);
  });
});

Deno.test("recording.mjpeg GET refuses bad speeds and ranges and an empty range", async () => {
  await withArchive(async (f) => {
    const refusals: Array<[string, string, string]> = [
      [`from=${T0}&speed=32`, "TC_ERR_BAD_SPEED", 'Invalid speed: "32": expected'],
      [`from=${T0}&speed=x`, "TC_ERR_BAD_SPEED", 'Invalid speed: "x"'],
      [`to=${T0}`, "TC_ERR_BAD_TIME", "Missing from"],
      [`from=${T0 + 10}&to=${T0}`, "TC_ERR_BAD_RANGE", `Invalid range: from "${T0 + 10}"`],
      [`from=${T0 - 5000}&to=${T0 - 1}`, "TC_ERR_NOT_FOUND", `No recording of camera "${CAMERA}"`],
    ];
    for (const [query, code, message] of refusals) {
      await assert.rejects(get(f, query), (err: TrustcamError) => {
        assert.equal(err.code, code, query);
        assert.ok(err.message.startsWith(message), `${query}: ${err.message}`);
        return true;
      });
    }
    assertReleased(f);
  });
});
