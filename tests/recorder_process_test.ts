/**
 * The recorder process (`deno task recorder`, cli/recorder.ts) on a real nats-server: it
 * records a camera held by a hub on the bus in the hub's archive layout, and SIGTERM stops it
 * with every segment closed (nothing left for start-up recovery to repair).
 */
import assert from "node:assert/strict";
import { SEGMENT_DATA_EXT } from "../lib/archive_index.ts";
import { openArchive } from "../hub/archive_reader.ts";
import { recoverArchive } from "../hub/archive_recover.ts";
import { LOCK_FILE } from "../hub/data_lock.ts";
import { fakeJpeg, startTestHub, type TestClient, waitFor } from "./hub_fixture.ts";
import { type NatsServer, startNatsServer } from "./nats_fixture.ts";
import { spawnCollecting } from "./spawn_fixture.ts";

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

Deno.test("deno task recorder records a camera of another hub and stops cleanly on SIGTERM", async () => {
  await using nats = await startNatsServer();
  await using hub = await startTestHub({ bus: busSettings(nats), motion: "off" });
  const data = await Deno.makeTempDir({ prefix: "trustcam-recorder-" });
  try {
    const device = await hub.device(CAM);
    using _frames = stream(device);
    await using recorder = spawnRecorder(nats, data);
    const archive = openArchive(`${data}/recordings`);
    await waitFor(
      () => recordedBytes(`${data}/recordings/${CAM}`) > 0,
      20_000,
      `a recorded frame (recorder said: ${recorder.output()})`,
    );
    recorder.child.kill("SIGTERM");
    const status = await recorder.child.status;
    await recorder.drained;
    assert.equal(status.code, 0, recorder.output());
    assert.match(recorder.output(), /recorder-stopped/);
    // Closed segments only: start-up recovery finds nothing to cut.
    assert.deepEqual(await recoverArchive(`${data}/recordings`, () => {}), []);
    await assert.rejects(Deno.stat(`${data}/${LOCK_FILE}`), Deno.errors.NotFound);
    const frame = await archive.frameNearest(CAM, Date.now());
    assert.equal(frame?.jpeg.length, 204);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
