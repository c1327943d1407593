import assert from "node:assert/strict";
import { join } from "node:path";
import { clusterMain, findExecutable, parseClusterArgs } from "./cluster.ts";
import { openClient, type TestClient } from "../tests/hub_fixture.ts";
import type { IssuedCert } from "../tests/pki_fixture.ts";
import { spawnCollecting } from "../tests/spawn_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";

Deno.test("parseClusterArgs() applies the documented defaults and rejects bad values", () => {
  assert.deepEqual(parseClusterArgs([]), {
    port: 5000,
    host: "0.0.0.0",
    hubs: 3,
    cameras: 4,
    fps: 5,
    certs: "certs",
    initCerts: false,
    data: "data/cluster",
  });
  assert.equal(parseClusterArgs(["-h"]), "help");
  assert.throws(() => parseClusterArgs(["--hubs", "0"]), {
    name: "UsageError",
    message: 'Invalid --hubs: "0": must be an integer from 1 to 9',
  });
  assert.throws(() => parseClusterArgs(["--bogus"]), { name: "UsageError" });
  assert.throws(() => parseClusterArgs(["--hub", "2"]), {
    name: "UsageError",
    message: /did you mean --hubs\?$/,
  });
});

Deno.test("clusterMain() --help prints usage, a bad flag exits 2; findExecutable() finds no missing program", async () => {
  const lines: string[] = [];
  const signal = new AbortController().signal;
  assert.equal(await clusterMain(["--help"], { signal, log: (l) => lines.push(l) }), 0);
  assert.match(lines.join("\n"), /Usage: deno task cluster/);
  assert.equal(findExecutable("trustcam-no-such-server", "/nonexistent"), null);
  assert.equal(await clusterMain(["--hubs", "x"], { signal, log: (l) => lines.push(l) }), 2);
  assert.match(lines.join("\n"), /Invalid --hubs: "x"/);
});

Deno.test("deno task cluster: a viewer through HAProxy gets a camera's frames; SIGINT stops every child", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_cluster_test_" });
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const run = spawnCollecting(Deno.execPath(), [
    "run",
    "-A",
    "cli/cluster.ts",
    ...["--port", String(port), "--host", "127.0.0.1", "--cameras", "1", "--fps", "5"],
    ...["--certs", join(dir, "certs"), "--init-certs", "--data", join(dir, "data")],
  ]);
  const clients = new Set<TestClient>();
  try {
    await waitFor(() => /Processes: .*\n/.test(run.output()), 90_000, "the cluster to start");
    const line = run.output().match(/Processes: (.*)\n/)![1];
    const pids = [...line.matchAll(/([\w-]+) (\d+)/g)].map((m) => ({ name: m[1], pid: +m[2] }));
    assert.deepEqual(pids.map((p) => p.name), ["nats", "hub1", "hub2", "hub3", "haproxy"]);
    assert.match(run.output(), /trustcam cluster is running at https:\/\/127\.0\.0\.1:\d+\//);

    const certs = join(dir, "certs");
    const read = (f: string) => Deno.readTextFileSync(join(certs, f));
    const cert = {
      chainPem: read("viewers/demo-viewer.chain"),
      keyPem: read("viewers/demo-viewer.key"),
    } as IssuedCert;
    const viewer = await openClient(
      `wss://127.0.0.1:${port}/ws?cameras=0123CAFE0000000001`,
      cert,
      read("root-ca.crt") + read("signer-ca.crt"),
      clients,
    );
    await viewer.until(() => viewer.binary.length >= 3, 20_000, "frames through the balancer");
    await viewer.close();

    run.child.kill("SIGINT");
    const status = await run.child.status;
    await run.drained;
    assert.equal(status.code, 0, run.output());
    assert.match(run.output(), /Stopped\n/);
    for (const { name, pid } of pids) {
      assert.throws(() => Deno.statSync(`/proc/${pid}`), Deno.errors.NotFound, `${name} runs on`);
    }
  } finally {
    await Promise.all([...clients].map((c) => c.close()));
    try {
      run.child.kill("SIGKILL");
    } catch {
      // Exited already.
    }
    await run.child.status;
    await run.drained;
    await Deno.remove(dir, { recursive: true });
  }
});
