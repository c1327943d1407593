/**
 * `deno task start` when something is in the way (issue 14): each error says what to do next,
 * a typo'd --certs creates nothing, and one data directory serves one hub at a time.
 */
import assert from "node:assert/strict";
import { initPki } from "../cli/cert_dir.ts";
import { waitFor } from "./wait_for.ts";
import { startMain } from "./spawn_fixture.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** main.ts in `cwd`, as `deno task start` runs it, on loopback. */
const start = (cwd: string, args: string[]) => startMain(cwd, ["--host", "127.0.0.1", ...args]);

async function tempDir(prefix: string): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

Deno.test("main.ts with a --certs that does not exist creates nothing and names the command", async () => {
  await using dir = await tempDir("trustcam_certz_");
  await using run = start(dir.path, ["--certs", "certz", "--port", "0"]);
  assert.equal((await run.finish()).code, 1, run.output);
  assert.match(
    run.output,
    /^error: Certificates directory does not exist: "certz": create a PKI there with `deno task certs init --dir certz`, or start with --init-certs for a development one$/m,
  );
  assert.deepEqual([...Deno.readDirSync(dir.path)], [], "no PKI, no data directory");
});

Deno.test("main.ts --no-demo with missing certificates names the certs init command with --dir", async () => {
  await using dir = await tempDir("trustcam_nocertsdir_");
  await using run = start(dir.path, ["--no-demo", "--certs", "pki", "--port", "0"]);
  assert.equal((await run.finish()).code, 1, run.output);
  assert.match(run.output, /error: Cannot read "pki\/server\.key": missing/);
  assert.match(run.output, /^Create certificates with `deno task certs init --dir pki`/m);
});

Deno.test("main.ts suggests the nearest flag for a typo", async () => {
  await using run = start(ROOT, ["--prot", "5001"]);
  assert.equal((await run.finish()).code, 2);
  assert.match(run.output, /^error: Unknown option '--prot': did you mean --port\?$/m);
  assert.match(run.output, /Run with --help for the options/);
});

Deno.test("main.ts on a port in use names the holder and a free --port", async () => {
  await using dir = await tempDir("trustcam_portbusy_");
  await initPki(`${dir.path}/certs`);
  using held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (held.addr as Deno.NetAddr).port;
  await using run = start(dir.path, ["--no-demo", "--port", String(port)]);
  assert.equal((await run.finish()).code, 1, run.output);
  assert.match(
    run.output,
    new RegExp(`^error: Port ${port} on 127\\.0\\.0\\.1 is already in use`, "m"),
  );
  assert.match(run.output, new RegExp(`^It is held by pid ${Deno.pid}, deno\\.$`, "m"));
  assert.match(run.output, /^Stop that, or start with --port \d+ \(free now\)\.$/m);
  await Deno.stat(`${dir.path}/data`); // made before the port was tried
  await assert.rejects(Deno.stat(`${dir.path}/data/hub.lock`), Deno.errors.NotFound);
});

Deno.test("main.ts refuses a second hub on the same --data and takes over a dead hub's lock", async () => {
  await using dir = await tempDir("trustcam_datalock_");
  await initPki(`${dir.path}/certs`);
  const args = ["--no-demo", "--port", "0", "--record", "off", "--motion", "off"];
  {
    await using first = start(dir.path, args);
    await waitFor(() => first.output.includes("Ctrl-C stops everything"), 60_000, "the banner");
    const holder = JSON.parse(await Deno.readTextFile(`${dir.path}/data/hub.lock`));
    assert.equal(holder.pid, first.child.pid);

    await using second = start(dir.path, args);
    assert.equal((await second.finish()).code, 1, second.output);
    assert.match(
      second.output,
      new RegExp(
        `^error: Data directory in use by another hub: "data": pid ${first.child.pid}, port 0, since \\S+: stop that hub, or give this one its own --data$`,
        "m",
      ),
    );
    first.child.kill("SIGKILL");
    await first.finish();
  }
  // The killed hub left its lock behind: the next start takes it over and says so.
  await using third = start(dir.path, args);
  await waitFor(() => third.output.includes("Ctrl-C stops everything"), 60_000, "the banner");
  assert.match(
    third.output,
    /^Took over the lock data\/hub\.lock of a hub that is gone \(pid \d+/m,
  );
  third.child.kill("SIGTERM");
  assert.equal((await third.finish()).code, 0, third.output);
  await assert.rejects(Deno.stat(`${dir.path}/data/hub.lock`), Deno.errors.NotFound);
});
