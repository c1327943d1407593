/**
 * `deno task cameras` against a hub that already has cameras online (issue 14): the new
 * cameras take serials of their own, or, with a --serial-base that collides, none at all.
 */
import assert from "node:assert/strict";
import { issueViewer } from "../cli/cert_dir.ts";
import { fakeJpeg, startTestHub, type TestHub, waitFor } from "./hub_fixture.ts";
import { spawnCollecting } from "./spawn_fixture.ts";

/** A hub whose certs dir has a viewer certificate, as the demo's does, and camera 01 online. */
async function hubWithCamera01(): Promise<TestHub> {
  const t = await startTestHub();
  await issueViewer(t.pki.dir, "demo-viewer");
  const dev = await t.device("0123CAFE0000000001");
  dev.ws.send(fakeJpeg(100));
  // The device's session counts it online at its first frame: wait for the API to say so.
  for (const deadline = Date.now() + 5000;;) {
    const res = await t.request("/api/cameras/0123CAFE0000000001");
    if (res.status === 200 && (res.json() as { state: string }).state === "online") break;
    assert.ok(Date.now() < deadline, "camera 01 online");
    await new Promise((r) => setTimeout(r, 20));
  }
  return t;
}

function cameras(t: TestHub, more: string[]) {
  return spawnCollecting(Deno.execPath(), [
    ...["run", "-A", "cli/cameras.ts", "--certs", t.pki.dir, "--fps", "2"],
    ...["--server", `wss://127.0.0.1:${t.port}/ws`, ...more],
  ]);
}

Deno.test("deno task cameras starts after the serials already online on the hub", async () => {
  await using t = await hubWithCamera01();
  const run = cameras(t, ["--count", "2"]);
  try {
    await waitFor(
      () => /0123CAFE0000000003 connected/.test(run.output()),
      30_000,
      "cameras 02 and 03 connected",
    );
    assert.match(
      run.output(),
      /1 camera with serial base 0123CAFE already online on the hub \(0123CAFE0000000001\): starting at 0123CAFE0000000002 \(--serial-base picks another range\)/,
    );
    assert.match(run.output(), /0123CAFE0000000002 connected/);
    assert.doesNotMatch(run.output(), /0123CAFE0000000001 connected/);
    const res = await t.request("/api/cameras");
    const states = Object.fromEntries(
      (res.json() as { cameras: { serial: string; state: string }[] }).cameras
        .map((c) => [c.serial, c.state]),
    );
    assert.equal(states["0123CAFE0000000001"], "online", "the first camera was not replaced");
  } finally {
    run.child.kill("SIGTERM");
    assert.equal((await run.child.status).code, 0, run.output());
    await run.drained;
  }
});

Deno.test("deno task cameras refuses a chosen --serial-base that collides with cameras online", async () => {
  await using t = await hubWithCamera01();
  const run = cameras(t, ["--count", "3", "--serial-base", "0123cafe"]);
  assert.equal((await run.child.status).code, 1);
  await run.drained;
  assert.match(
    run.output(),
    /^Serials already online on the hub: 0123CAFE0000000001: pick another range with --serial-base \(e\.g\. --serial-base 0123CAFF\)$/m,
  );
});
