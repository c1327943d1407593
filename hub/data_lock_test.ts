import assert from "node:assert/strict";
import { join } from "node:path";
import { holderAlive, LOCK_FILE, lockDataDir } from "./data_lock.ts";
import { HubStartError } from "./start_error.ts";

async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "trustcam_lock_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** The pid of a process that has exited (spawned, then waited for). */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true", { stdout: "null", stderr: "null" }).spawn();
  await child.status;
  return child.pid;
}

Deno.test("lockDataDir() creates the directory and its lock, and release() removes it", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "data");
  const lock = await lockDataDir(data, { port: 5000 });
  const holder = JSON.parse(await Deno.readTextFile(join(data, LOCK_FILE)));
  assert.equal(holder.pid, Deno.pid);
  assert.equal(holder.port, 5000);
  assert.equal(lock.tookOver, null);
  await lock.release();
  await assert.rejects(Deno.stat(join(data, LOCK_FILE)), Deno.errors.NotFound);
});

Deno.test("lockDataDir() refuses a directory a live hub holds, naming it", async () => {
  await using dir = await tempDir();
  const first = await lockDataDir(dir.path, { port: 5000 });
  const e = await lockDataDir(dir.path).catch((x) => x);
  assert.ok(e instanceof HubStartError, String(e));
  assert.match(
    e.message,
    new RegExp(
      `^Data directory in use by another hub: "${dir.path}": pid ${Deno.pid}, port 5000, since .+: stop that hub, or give this one its own --data$`,
    ),
  );
  await first.release();
  const again = await lockDataDir(dir.path);
  await again.release();
});

Deno.test("lockDataDir() takes over the lock of a process that is gone", async () => {
  await using dir = await tempDir();
  const pid = await deadPid();
  const stale = { pid, procStart: "1", startedAt: "2026-01-01T00:00:00.000Z" };
  await Deno.writeTextFile(join(dir.path, LOCK_FILE), JSON.stringify(stale));
  const lock = await lockDataDir(dir.path);
  assert.deepEqual(lock.tookOver, stale);
  assert.equal(JSON.parse(await Deno.readTextFile(lock.path)).pid, Deno.pid);
  await lock.release();
});

Deno.test("lockDataDir() takes over an unreadable lock file", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, LOCK_FILE), "not json");
  const lock = await lockDataDir(dir.path);
  assert.equal(lock.tookOver?.pid, 0);
  await lock.release();
});

Deno.test("holderAlive() tells a reused pid from its holder by the process start time", () => {
  const mine = { pid: Deno.ppid, procStart: "0", startedAt: "" };
  assert.equal(holderAlive(mine), false, "the parent started at another tick than 0");
  assert.equal(holderAlive({ ...mine, procStart: null }), true);
});
