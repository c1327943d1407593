/**
 * The hub killed with SIGKILL and started again (issue 6): the real entry point as a child
 * process, real simulated cameras that reconnect on their own, the same port and data dir.
 */
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { clientOf, fakeJpeg, request, type TestClient } from "./hub_fixture.ts";
import { createTestPki, type IssuedCert, type TestPki } from "./pki_fixture.ts";
import { SimCamera } from "../sim/camera.ts";
import { DatabaseSync } from "node:sqlite";
import { SqliteCameraStore } from "../hub/camera_store.ts";
import { parseViewerFrame } from "../lib/trailer.ts";
import { spawnCollecting, type Spawned } from "./spawn_fixture.ts";

const CAM_A = "0123DEAD00000000A1";
const CAM_B = "0123DEAD00000000B2";

/** A port that was free a moment ago (bind port 0, read it, let it go). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

type HubProcess = Spawned;

function spawnHub(port: number, certsDir: string, dataDir: string): HubProcess {
  return spawnCollecting(Deno.execPath(), [
    "run",
    "-A",
    "main.ts",
    "--no-demo",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--certs",
    certsDir,
    "--data",
    dataDir,
  ]);
}

async function kill(hub: HubProcess): Promise<Deno.CommandStatus> {
  try {
    hub.child.kill("SIGKILL");
  } catch {
    // Already exited.
  }
  const status = await hub.child.status;
  await hub.drained;
  return status;
}

/** Polls until `fn` resolves, or rethrows its last error at `deadline` (performance.now()). */
async function retryUntil<T>(deadline: number, what: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (performance.now() > deadline) {
        throw new Error(`Gave up on ${what}: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function connectViewer(port: number, pki: TestPki, cert: IssuedCert): Promise<TestClient> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, {
    cert: cert.chainPem,
    key: cert.keyPem,
    ca: pki.caPem,
  });
  const client = clientOf(ws, cert);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(client));
    ws.once("error", (err: Error) => {
      ws.terminate();
      reject(err);
    });
  });
}

/** The frame count the hub last flushed for `serial`, read beside the running hub. */
function framesOnDisk(dataDir: string, serial: string): number {
  const db = new DatabaseSync(`${dataDir}/trustcam.db`, { readOnly: true });
  try {
    const row = db.prepare("SELECT frames FROM cameras WHERE serial = ?").get(serial);
    return Number((row as { frames?: number } | undefined)?.frames ?? 0);
  } finally {
    db.close();
  }
}

function framesFrom(client: TestClient, serial: string): number {
  return client.binary.filter((b) => parseViewerFrame(b).serial === serial).length;
}

/** No internal error and no uncaught exception in a hub's output. */
function assertNoErrors(output: string): void {
  const bad = output.split("\n").filter((l) => /^\S+ error |^error|Uncaught/.test(l));
  assert.deepEqual(bad, [], output);
}

interface CameraJson {
  name: string;
  frames: number;
  firstSeen: string;
  state: string;
}

Deno.test("hub survives SIGKILL: cameras reconnect, frames flow within 10 s, registry intact", async () => {
  const pki = await createTestPki();
  const dataDir = await Deno.makeTempDir({ prefix: "trustcam_data_" });
  const port = freePort();
  const tester = await pki.viewer("tester");
  const watcherCert = await pki.viewer("watcher");
  const get = async (serial: string) =>
    (await request(port, pki.caPem, tester, `/api/cameras/${serial}`)).json() as CameraJson;
  const cameras: SimCamera[] = [];
  const viewers: TestClient[] = [];
  let hub: HubProcess | undefined;
  const ready = async (h: HubProcess, deadline: number) => {
    await retryUntil(deadline, "the hub to listen", () => {
      if (h.output().includes(`listen url=https://127.0.0.1:${port}`)) return Promise.resolve();
      return Promise.reject(new Error(`no listen line yet:\n${h.output()}`));
    });
  };
  try {
    hub = spawnHub(port, pki.dir, dataDir);
    await ready(hub, performance.now() + 20_000);
    for (const serial of [CAM_A, CAM_B]) {
      const cert = await pki.device(serial);
      const camera = new SimCamera({
        server: `wss://127.0.0.1:${port}/ws`,
        serial,
        certPem: cert.certPem,
        chainPem: cert.chainPem,
        keyPem: cert.keyPem,
        caPem: pki.caPem,
        fps: 20,
        size: "qvga",
        frames: [fakeJpeg(2000, 1), fakeJpeg(2500, 2)],
        backoff: { baseMs: 100, maxMs: 1000 },
      });
      camera.start();
      cameras.push(camera);
    }
    const before = await connectViewer(port, pki, watcherCert);
    viewers.push(before);
    await before.until(
      () => framesFrom(before, CAM_A) >= 5 && framesFrom(before, CAM_B) >= 5,
      10_000,
      "frames from both cameras before the kill",
    );
    const renamed = await request(port, pki.caPem, tester, `/api/cameras/${CAM_A}`, {
      method: "PATCH",
      body: JSON.stringify({ name: "Front door" }),
    });
    assert.equal(renamed.status, 200);
    const atRename = (renamed.json() as CameraJson).frames;
    // The periodic flush (every 5 s) writes the counters while the hub runs.
    const flushedAt = performance.now();
    await retryUntil(flushedAt + 10_000, "a periodic flush", () => {
      const n = framesOnDisk(dataDir, CAM_A);
      return n > atRename ? Promise.resolve() : Promise.reject(new Error(`${n} on disk`));
    });
    const periodicFlushMs = performance.now() - flushedAt;
    // Then more frames: the ones counted since the last flush are what a SIGKILL loses.
    const onDiskBefore = framesOnDisk(dataDir, CAM_A);
    await before.until(
      () => framesFrom(before, CAM_A) >= onDiskBefore + 20,
      10_000,
      "20 more frames",
    );
    const atKill = { a: await get(CAM_A), b: await get(CAM_B) };

    const killed = await kill(hub);
    // What the cameras had sent by then bounds what the hub can have counted and flushed: a
    // periodic flush may land between the reads above and the kill, so those are no bound.
    const [sentA, sentB] = cameras.map((c) => c.stats.sent);
    assertNoErrors(hub.output());
    hub = undefined;
    assert.equal(killed.signal, "SIGKILL");
    assert.equal((await before.closed).code, 1006, "the viewer saw the hub vanish, no close frame");

    // What the killed hub left on disk: the last flush (on connect, on rename, every 5 s).
    const store = new SqliteCameraStore(`${dataDir}/trustcam.db`);
    const persisted = new Map(store.load().map((c) => [c.serial, c]));
    store.close();
    const onDiskA = persisted.get(CAM_A)!;
    const onDiskB = persisted.get(CAM_B)!;
    assert.equal(onDiskA.name, "Front door");
    assert.ok(onDiskA.frames >= atRename, `frames flushed on rename: ${onDiskA.frames}`);
    assert.ok(
      onDiskA.frames <= sentA && onDiskB.frames <= sentB,
      `on disk A ${onDiskA.frames} / B ${onDiskB.frames}, sent A ${sentA} / B ${sentB}`,
    );

    // Restart on the same port and data dir; the 10 s start when the process is spawned.
    const restartedAt = performance.now();
    const deadline = restartedAt + 10_000;
    hub = spawnHub(port, pki.dir, dataDir);
    await ready(hub, deadline);
    const after = await retryUntil(deadline, "a viewer connection", async () => {
      const v = await connectViewer(port, pki, watcherCert);
      viewers.push(v);
      return v;
    });
    await after.until(
      () => framesFrom(after, CAM_A) > 0 && framesFrom(after, CAM_B) > 0,
      Math.max(0, deadline - performance.now()),
      "frames from both cameras after the restart",
    );
    const flowingAfterMs = performance.now() - restartedAt;
    assert.ok(flowingAfterMs <= 10_000);
    for (const c of cameras) assert.ok(c.stats.connects >= 2, `${c.serial} reconnected`);

    const a = await get(CAM_A);
    const b = await get(CAM_B);
    assert.equal(a.name, "Front door");
    assert.equal(a.firstSeen, atKill.a.firstSeen);
    assert.equal(b.firstSeen, atKill.b.firstSeen);
    assert.equal(a.state, "online");
    assert.equal(b.state, "online");
    assert.ok(a.frames >= onDiskA.frames, `A: ${a.frames} >= ${onDiskA.frames} persisted`);
    assert.ok(b.frames >= onDiskB.frames, `B: ${b.frames} >= ${onDiskB.frames} persisted`);
    assert.match(hub.output(), new RegExp(`connect role=device cn=${CAM_A}`));
    assertNoErrors(hub.output());
    console.log(
      `SIGKILL: frames flowing from both cameras ${Math.round(flowingAfterMs)} ms after the ` +
        `restart began (cameras reconnected: ${cameras.map((c) => c.stats.connects - 1)}); ` +
        `name and first-seen intact; frames at kill A ${atKill.a.frames} / B ` +
        `${atKill.b.frames}, on disk A ${onDiskA.frames} / B ${onDiskB.frames}: the kill lost ` +
        `${atKill.a.frames - onDiskA.frames} / ${atKill.b.frames - onDiskB.frames} counted ` +
        `frames (those since the last flush; the periodic flush showed up on disk ` +
        `${Math.round(periodicFlushMs)} ms after the rename); after restart A ${a.frames} / ` +
        `B ${b.frames}`,
    );
  } finally {
    await Promise.all(cameras.map((c) => c.stop()));
    await Promise.all(viewers.map((v) => v.close()));
    if (hub) await kill(hub);
    await Deno.remove(dataDir, { recursive: true });
    await pki.cleanup();
  }
});
