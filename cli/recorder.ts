/**
 * `deno task recorder --bus nats://host:4222 --data DIR`: records every camera of a NATS
 * cluster in one process of its own (hub/cluster_recorder.ts). Its data directory is locked
 * as a hub's is, so a hub and a recorder never write the same archive.
 */
import { parseRecorderOptions, RECORDER_ENV, RECORDER_USAGE } from "../lib/recorder_options.ts";
import { UsageError } from "../lib/usage_error.ts";
import { startClusterRecorder } from "../hub/cluster_recorder.ts";
import { consoleLog } from "../hub/log.ts";
import { HubStartError } from "../hub/start_error.ts";
import { type DataLock, lockDataDir } from "../hub/data_lock.ts";

/** What a data directory that cannot be made or written gives: an answer, not a stack. */
const FILE_ERRORS = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.NotCapable,
  Deno.errors.NotADirectory,
  Deno.errors.AlreadyExists,
];

/** The recorder's own variables only: a container grants `--allow-env=TRUSTCAM_*` and no more. */
function recorderEnv(): Record<string, string | undefined> {
  return Object.fromEntries(RECORDER_ENV.map((name) => [name, Deno.env.get(name)]));
}

export async function main(
  args: string[],
  env: Record<string, string | undefined> = recorderEnv(),
): Promise<number> {
  let o;
  try {
    o = parseRecorderOptions(args, env);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\nRun with --help for the options.`);
      return 2;
    }
    throw err;
  }
  if (o.mode === "help") {
    console.log(RECORDER_USAGE);
    return 0;
  }
  const log = consoleLog();
  let lock: DataLock;
  let recorder;
  try {
    lock = await lockDataDir(o.dataDir);
    try {
      recorder = await startClusterRecorder(o, { log });
    } catch (err) {
      await lock.release();
      throw err;
    }
  } catch (err) {
    if (err instanceof HubStartError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    if (FILE_ERRORS.some((type) => err instanceof type)) {
      console.error(`error: Cannot use --data "${o.dataDir}": ${(err as Error).message}`);
      return 1;
    }
    throw err;
  }
  const why = await new Promise<string>((resolve) => {
    const handlers = (["SIGINT", "SIGTERM"] as const).map((sig) => {
      const h = () => {
        for (const [s, f] of handlers) Deno.removeSignalListener(s, f);
        resolve(sig);
      };
      Deno.addSignalListener(sig, h);
      return [sig, h] as const;
    });
  });
  log("recorder-stopping", { why });
  // A second Ctrl-C during a slow shutdown ends the process at once.
  const force = () => Deno.exit(130);
  Deno.addSignalListener("SIGINT", force);
  await recorder.close();
  await lock.release();
  Deno.removeSignalListener("SIGINT", force);
  log("recorder-stopped");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
