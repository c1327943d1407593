import assert from "node:assert/strict";
import { createTestPki } from "../tests/pki_fixture.ts";
import { DeviceSink } from "../tests/device_sink_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";
import { cameraSerial, runCameras } from "./run_cameras.ts";

Deno.test("cameraSerial() appends the index as 10 hex digits", () => {
  assert.equal(cameraSerial("0123CAFE", 1), "0123CAFE0000000001");
  assert.equal(cameraSerial("0123CAFE", 255), "0123CAFE00000000FF");
  assert.equal(cameraSerial("0123CAFE", 1000), "0123CAFE00000003E8");
});

Deno.test("runCameras() streams qvga loops of 2 x fps frames from 0123CAFE serials by default", async () => {
  const pki = await createTestPki();
  const sink = new DeviceSink(pki);
  try {
    const port = await sink.listen();
    const ac = new AbortController();
    const lines: string[] = [];
    const done = runCameras({
      count: 1,
      fps: 2,
      server: `wss://127.0.0.1:${port}/ws`,
      certsDir: pki.dir,
      signal: ac.signal,
      log: (l) => lines.push(l),
    });
    try {
      await waitFor(() => sink.frames().length >= 1, 20_000, "a frame");
    } finally {
      ac.abort();
    }
    assert.equal(await done, 0);
    assert.deepEqual(sink.peers, ["0123CAFE0000000001"]);
    const out = lines.join("\n");
    assert.match(out, /Starting 1 camera at 2 fps, qvga, 4-frame loops, to wss:\/\/127\.0\.0\.1/);
    assert.match(out, /0123CAFE0000000001 rendered 4 frames in \d+ ms/);
    assert.match(out, /Stopping 1 camera\n/);
  } finally {
    await sink.close();
    await pki.cleanup();
  }
});

Deno.test("runCameras() returns 1 naming the command to run when the trusted CAs are missing", async () => {
  const empty = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const code = await runCameras({
      count: 1,
      fps: 1,
      server: "wss://127.0.0.1:1/ws",
      certsDir: empty,
      log: (l) => lines.push(l),
    });
    assert.equal(code, 1);
    assert.deepEqual(lines, [
      `Missing trusted CA certificate: "${empty}/root-ca.crt", "${empty}/signer-ca.crt": ` +
      "run `deno task certs init`",
    ]);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});
