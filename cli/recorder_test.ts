import assert from "node:assert/strict";
import { main } from "./recorder.ts";

/** Runs `main` with console.log and console.error captured. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await main(args, {});
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("recorder main() prints --help and exits 0", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.out, /^trustcam recorder: records every camera of a NATS cluster/);
});

Deno.test("recorder main() exits 2 on a usage error, naming it", async () => {
  const r = await run(["--data", "rec"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: Missing --bus: .*\nRun with --help for the options\.$/);
});

Deno.test("recorder main() exits 1 when its data directory cannot be made", async () => {
  const r = await run(["--bus", "nats://127.0.0.1:1", "--data", "/proc/trustcam-nope"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^error: Cannot use --data "\/proc\/trustcam-nope": /);
});
