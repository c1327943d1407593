/**
 * The recording archive after SIGKILL (issue 11): the real entry point as a child process
 * recording a simulated camera with one-second segments, killed at random moments and started
 * again each time; afterwards every segment is consistent (the index never points past the
 * data, no bytes past the last frame) and every indexed frame plays back whole.
 */
import assert from "node:assert/strict";
import { createTestPki } from "./pki_fixture.ts";
import { fakeJpeg } from "./hub_fixture.ts";
import { SimCamera } from "../sim/camera.ts";
import { parseIndex, SEGMENT_INDEX_EXT } from "../lib/archive_index.ts";
import { frameNearest, listSegments, readFrame } from "../hub/archive_reader.ts";
import { recoverArchive } from "../hub/archive_recover.ts";
import { spawnCollecting } from "./spawn_fixture.ts";

const CAM = "0123DEAD00000000C3";
const KILLS = 4;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

function spawnHub(port: number, certsDir: string, dataDir: string) {
  return spawnCollecting(
    Deno.execPath(),
    ["run", "-A", "main.ts", "--no-demo", "--host", "127.0.0.1", "--port", String(port)]
      .concat(["--certs", certsDir, "--data", dataDir])
      .concat(["--record", "continuous", "--segment-seconds", "1"]),
  );
}

/** Frames indexed so far across a camera's segments (complete records only). */
async function indexedFrames(cameraDir: string): Promise<number> {
  let n = 0;
  for (const start of await listSegments(cameraDir)) {
    const path = `${cameraDir}/${String(start).padStart(15, "0")}${SEGMENT_INDEX_EXT}`;
    n += parseIndex(await Deno.readFile(path).catch(() => new Uint8Array(0))).records.length;
  }
  return n;
}

async function until(what: string, ms: number, pred: () => Promise<boolean>, out: () => string) {
  const deadline = performance.now() + ms;
  while (!(await pred())) {
    if (performance.now() > deadline) throw new Error(`Gave up on ${what}:\n${out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("recording survives SIGKILL at random moments: consistent archive, playback works", async () => {
  const pki = await createTestPki();
  const dataDir = await Deno.makeTempDir({ prefix: "trustcam_data_" });
  const port = freePort();
  const cert = await pki.device(CAM);
  const frames = [fakeJpeg(3000, 1), fakeJpeg(4000, 2), fakeJpeg(5000, 3)];
  const camera = new SimCamera({
    server: `wss://127.0.0.1:${port}/ws`,
    serial: CAM,
    certPem: cert.certPem,
    chainPem: cert.chainPem,
    keyPem: cert.keyPem,
    caPem: pki.caPem,
    fps: 40,
    size: "qvga",
    frames,
    backoff: { baseMs: 50, maxMs: 200 },
    stamp: false,
  });
  const cameraDir = `${dataDir}/recordings/${CAM}`;
  const outputs: string[] = [];
  try {
    camera.start();
    for (let run = 0; run < KILLS; run++) {
      const hub = spawnHub(port, pki.dir, dataDir);
      const before = await indexedFrames(cameraDir);
      try {
        // Recording resumed: more frames indexed than the last run left.
        await until("frames recorded", 20_000, async () => {
          return (await indexedFrames(cameraDir)) > before;
        }, hub.output);
        // A random moment within the next two flushes (and segment rolls).
        await new Promise((r) => setTimeout(r, Math.random() * 2000));
      } finally {
        try {
          hub.child.kill("SIGKILL");
        } catch {
          // Already exited.
        }
        const status = await hub.child.status;
        await hub.drained;
        outputs.push(hub.output());
        assert.equal(status.signal, "SIGKILL", hub.output());
      }
      assert.match(hub.output(), /recording mode=continuous/);
      assert.doesNotMatch(hub.output(), /Uncaught|^\S+ error /m);
    }
  } finally {
    await camera.stop();
  }
  try {
    await recoverArchive(`${dataDir}/recordings`, () => {});
    const starts = await listSegments(cameraDir);
    assert.ok(starts.length >= KILLS, `${starts.length} segments`);
    let total = 0;
    for (const start of starts) {
      const stem = `${cameraDir}/${String(start).padStart(15, "0")}`;
      const index = parseIndex(await Deno.readFile(`${stem}.idx`));
      assert.equal(index.trailingBytes, 0, `${start}: torn index left`);
      let end = 0;
      for (const r of index.records) {
        assert.equal(r.offset, end, `${start}: records contiguous`);
        end += r.length;
        const jpeg = await readFrame(cameraDir, start, r);
        assert.ok(frames.some((f) => f.length === jpeg.length && f.every((b, i) => b === jpeg[i])));
      }
      assert.equal(
        (await Deno.stat(`${stem}.mjpeg`)).size,
        end,
        `${start}: no bytes past the index`,
      );
      total += index.records.length;
      const near = await frameNearest(cameraDir, start + 500);
      assert.ok(near && frames.some((f) => f.length === near.jpeg.length));
    }
    assert.ok(total > KILLS * 10, `${total} frames`);
    // Each restart after a kill recovered before recording.
    for (const out of outputs.slice(1)) {
      assert.match(out, /recording mode=continuous dir=\S+ repaired=\d/);
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await pki.cleanup();
  }
});
