import assert from "node:assert/strict";
import type { RecordedFrame, RecordingArchive } from "../lib/recordings.ts";
import { StreamRegistry } from "../lib/stream_registry.ts";
import type { Peer } from "../lib/peer.ts";
import { exportJson } from "../lib/exports.ts";
import { realJpegs } from "../tests/archive_fixture.ts";
import { childrenNamed } from "../tests/ffmpeg_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";
import { type ExportManager, type ExportManagerOptions, openExports } from "./exports.ts";

const CAM = "0123FEED00000000E1";
const T0 = 1_764_250_000_000;
const ALICE: Peer = {
  role: "viewer",
  cn: "alice",
  fingerprint256: "ab",
  serialNumber: "01",
  remoteAddress: "127.0.0.1:50000",
};

/**
 * An archive of `n` frames 66 ms apart; with `stall`, it yields them then waits (a recorder
 * that has not written more) until the reader gives up.
 */
function archive(n: number, stall = false): RecordingArchive {
  const frames = Array.from({ length: n }, (_, i) => ({
    time: T0 + i * 66,
    jpeg: realJpegs()[i % 15],
  }));
  return {
    ranges: () => Promise.resolve([{ from: T0, to: T0 + (n - 1) * 66, frames: n, bytes: 0 }]),
    frameNearest: () => Promise.resolve(undefined),
    async *frames(_serial, _from, _to, options): AsyncGenerator<RecordedFrame> {
      yield* frames;
      if (!stall) return;
      await new Promise((resolve) => options?.signal?.addEventListener("abort", resolve));
    },
  };
}

async function withExports(
  o: Partial<ExportManagerOptions> & { archive: RecordingArchive },
  body: (m: ExportManager, dir: string, clock: { t: number }) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "exports_" });
  const dir = `${root}/exports`;
  const clock = { t: T0 };
  const m = await openExports({ dir, maxRunning: 1, log: () => {}, now: () => clock.t, ...o });
  try {
    await body(m, dir, clock);
  } finally {
    await m.close();
    assert.deepEqual(childrenNamed("ffmpeg"), []);
    await Deno.remove(root, { recursive: true });
  }
}

const files = async (dir: string) => (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);

Deno.test("ExportManager expire() forgets finished exports and their files after the TTL", async () => {
  await withExports({ archive: archive(10), ttlMs: 60_000 }, async (m, dir, clock) => {
    const job = await m.create(ALICE, CAM, T0, T0 + 1000);
    const done = await m.settled(job.id);
    assert.equal(exportJson(done).percent, 100);
    assert.deepEqual(await files(dir), [`${job.id}.mp4`]);
    clock.t += 59_999;
    await m.expire();
    assert.ok(m.get(job.id));
    clock.t += 1;
    await m.expire();
    assert.equal(m.get(job.id), undefined);
    assert.deepEqual(await files(dir), []);
  });
});

Deno.test("ExportManager cancels a running export its viewer may no longer see", async () => {
  const streams = new StreamRegistry();
  await withExports({ archive: archive(5, true), streams }, async (m, dir) => {
    const job = await m.create(ALICE, CAM, T0, T0 + 1000);
    await waitFor(() => job.fed === 5, 10_000, "frames fed");
    assert.equal(streams.size, 1);
    streams.enforce(() => false, "policy");
    assert.equal((await m.settled(job.id)).state, "cancelled");
    assert.equal(streams.size, 0);
    assert.deepEqual(childrenNamed("ffmpeg"), []);
    assert.deepEqual(await files(dir), []);
  });
});

Deno.test("ExportManager reports a failed ffmpeg and starts the next export", async () => {
  await withExports(
    { archive: archive(3), ffmpeg: "/nonexistent/ffmpeg", maxRunning: 1 },
    async (m) => {
      const a = await m.create(ALICE, CAM, T0, T0 + 1000);
      const b = await m.create(ALICE, CAM, T0, T0 + 1000);
      assert.deepEqual([a.state, b.state], ["running", "queued"]);
      for (const job of [await m.settled(a.id), await m.settled(b.id)]) {
        assert.equal(job.state, "failed");
        assert.match(job.error!, /^Cannot run ffmpeg: /);
        assert.equal(exportJson(job).error, job.error);
      }
    },
  );
});

Deno.test("ExportManager close() cancels running and queued exports and removes its directory", async () => {
  const root = await Deno.makeTempDir({ prefix: "exports_close_" });
  try {
    const m = await openExports({
      dir: `${root}/exports`,
      archive: archive(5, true),
      maxRunning: 1,
      log: () => {},
    });
    const a = await m.create(ALICE, CAM, T0, T0 + 1000);
    const b = await m.create(ALICE, CAM, T0, T0 + 1000);
    const waiting = m.settled(b.id);
    const gone = new AbortController();
    const abandoned = m.settled(a.id, gone.signal);
    gone.abort(new Error("Client gone"));
    await assert.rejects(abandoned, { message: "Client gone" });
    await waitFor(() => a.fed === 5, 10_000, "frames fed");
    await m.close();
    assert.deepEqual([a.state, (await waiting).state], ["cancelled", "cancelled"]);
    assert.deepEqual(childrenNamed("ffmpeg"), []);
    await assert.rejects(Deno.stat(`${root}/exports`), Deno.errors.NotFound);
    await assert.rejects(m.create(ALICE, CAM, T0, T0 + 1000), { code: "TC_ERR_SHUTDOWN" });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
