/**
 * The recorder process (`deno task recorder`, cli/recorder.ts) on a real nats-server: it
 * records a camera held by hub A in the hub's archive layout; hub B, given that archive
 * read-only (`--recordings-dir`), serves its playback; SIGTERM stops the recorder with every
 * segment closed (nothing left for start-up recovery to repair).
 */
import assert from "node:assert/strict";
import { SEGMENT_DATA_EXT } from "../lib/archive_index.ts";
import { openArchive } from "../hub/archive_reader.ts";
import { recoverArchive } from "../hub/archive_recover.ts";
import { LOCK_FILE } from "../hub/data_lock.ts";
import { fakeJpeg, startTestHub, type TestClient, waitFor } from "./hub_fixture.ts";
import { type NatsServer, startNatsServer } from "./nats_fixture.ts";
import { spawnCollecting } from "./spawn_fixture.ts";
import { until } from "./wait_for.ts";

const CAM = "0123A1B2C3D4E5F6A7";

function busSettings(nats: NatsServer) {
  return {
    servers: [`127.0.0.1:${nats.port}`],
    tls: false,
    caFile: null,
    certFile: null,
    keyFile: null,
    user: null,
    password: null,
    credsFile: null,
  };
}

/** Bytes of JPEG written in a camera's segments so far. */
function recordedBytes(cameraDir: string): number {
  try {
    let n = 0;
    for (const e of Deno.readDirSync(cameraDir)) {
      if (e.name.endsWith(SEGMENT_DATA_EXT)) n += Deno.statSync(`${cameraDir}/${e.name}`).size;
    }
    return n;
  } catch {
    return 0;
  }
}

/** Sends a frame every 20 ms until disposed. */
function stream(device: TestClient): Disposable {
  let n = 0;
  const timer = setInterval(() => device.ws.send(fakeJpeg(200, n++ % 251)), 20);
  return { [Symbol.dispose]: () => clearInterval(timer) };
}

/** The recorder process on `nats`, writing under `data`, stopped (SIGKILL) if still running. */
function spawnRecorder(nats: NatsServer, data: string) {
  const p = spawnCollecting(Deno.execPath(), [
    "run",
    "-A",
    "cli/recorder.ts",
    "--bus",
    `nats://127.0.0.1:${nats.port}`,
    "--data",
    data,
    "--motion",
    "off",
  ]);
  return {
    ...p,
    async [Symbol.asyncDispose]() {
      try {
        p.child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await p.child.status;
      await p.drained;
    },
  };
}

Deno.test("deno task recorder records a camera of hub A, hub B plays it back, SIGTERM closes every segment", async () => {
  await using nats = await startNatsServer();
  const data = await Deno.makeTempDir({ prefix: "trustcam-recorder-" });
  try {
    await using a = await startTestHub({ bus: busSettings(nats), motion: "off" });
    await using b = await startTestHub({
      bus: busSettings(nats),
      motion: "off",
      recordingsDir: `${data}/recordings`,
    });
    // B knows the camera from an earlier connection (a camera that moved to A).
    const before = await b.device(CAM);
    await waitFor(() => b.hub.state.registry.has(CAM), 5000, "the camera known to B");
    await before.close();

    const device = await a.device(CAM);
    using _frames = stream(device);
    await using recorder = spawnRecorder(nats, data);
    await waitFor(
      () => recordedBytes(`${data}/recordings/${CAM}`) > 0,
      20_000,
      `a recorded frame (recorder said: ${recorder.output()})`,
    );
    // The recorder writes a batch's JPEGs, then its index records: a frame can be read back
    // (by B as well) once its record is written.
    await until(
      async () =>
        (await openArchive(`${data}/recordings`).frameNearest(CAM, Date.now())) !== undefined,
      10_000,
      "an indexed frame",
    );

    const res = await b.request(`/api/cameras/${CAM}/recording.jpg?at=${Date.now()}`);
    assert.equal(res.status, 200, res.text());
    assert.equal(res.headers["content-type"], "image/jpeg");
    assert.equal(res.body.length, 204);
    // B reads the recorder's archive and writes nothing of its own.
    await assert.rejects(Deno.stat(`${b.dataDir}/recordings`), Deno.errors.NotFound);

    recorder.child.kill("SIGTERM");
    const status = await recorder.child.status;
    await recorder.drained;
    assert.equal(status.code, 0, recorder.output());
    assert.match(recorder.output(), /recorder-stopped/);
    // Closed segments only: start-up recovery finds nothing to cut.
    assert.deepEqual(await recoverArchive(`${data}/recordings`, () => {}), []);
    await assert.rejects(Deno.stat(`${data}/${LOCK_FILE}`), Deno.errors.NotFound);
    const frame = await openArchive(`${data}/recordings`).frameNearest(CAM, Date.now());
    assert.equal(frame?.jpeg.length, 204);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
