/**
 * One hub per data directory: two hubs on the same `--data` would both append to the same
 * recordings and SQLite files. The lock is a file, `hub.lock`, created exclusively and naming
 * its holder; a lock whose holder is gone (a crash, SIGKILL) is taken over.
 */
import { join } from "node:path";
import { HubStartError } from "./start_error.ts";

export const LOCK_FILE = "hub.lock";

/** What the lock file records of its holder. */
export interface LockHolder {
  pid: number;
  /** The holder's start time as the kernel knows it (Linux), so a reused pid is not mistaken for it. */
  procStart: string | null;
  startedAt: string;
  port?: number;
}

export interface DataLock {
  path: string;
  /** A stale lock this one replaced, for the log. */
  tookOver: LockHolder | null;
  release(): Promise<void>;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); null where there is no /proc. */
function procStart(pid: number): string | null | "gone" {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return existsSync("/proc/self/stat") ? "gone" : null;
    }
    return null;
  }
  // "pid (comm) state …": comm may hold spaces; fields restart after its closing parenthesis.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
}

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether the process that wrote `holder` still runs (true when it cannot be known). */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.pid === Deno.pid) return true;
  const start = procStart(holder.pid);
  if (start === "gone") return false;
  return start === null || holder.procStart === null || start === holder.procStart;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text);
    return Number.isInteger(h?.pid) && h.pid > 0 ? h as LockHolder : null;
  } catch {
    return null;
  }
}

/**
 * Takes `<dataDir>/hub.lock` (creating the directory), or throws a HubStartError naming the
 * holder. A lock left by a dead process, or unreadable, is replaced and reported in `tookOver`.
 */
export async function lockDataDir(
  dataDir: string,
  info: { port?: number } = {},
): Promise<DataLock> {
  await Deno.mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const me: LockHolder = {
    pid: Deno.pid,
    procStart: (() => {
      const s = procStart(Deno.pid);
      return s === "gone" ? null : s;
    })(),
    startedAt: new Date().toISOString(),
    ...info,
  };
  let tookOver: LockHolder | null = null;
  for (let attempt = 0;; attempt++) {
    try {
      await Deno.writeTextFile(path, JSON.stringify(me) + "\n", { createNew: true });
      break;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists) || attempt > 0) throw lockError(err, path);
    }
    let text = "";
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    const holder = parseHolder(text);
    if (holder && holderAlive(holder)) {
      const port = holder.port === undefined ? "" : `, port ${holder.port}`;
      throw new HubStartError(
        `Data directory in use by another hub: "${dataDir}": pid ${holder.pid}${port}, ` +
          `since ${holder.startedAt}: stop that hub, or give this one its own --data`,
        path,
      );
    }
    tookOver = holder ?? { pid: 0, procStart: null, startedAt: "unknown" };
    await Deno.remove(path).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  }
  return {
    path,
    tookOver,
    async release() {
      // Only our own lock: a hub that took over meanwhile (we were thought dead) keeps its own.
      const now = parseHolder(await Deno.readTextFile(path).catch(() => ""));
      if (now?.pid === me.pid && now.startedAt === me.startedAt) {
        await Deno.remove(path).catch(() => {});
      }
    },
  };
}

function lockError(err: unknown, path: string): Error {
  if (err instanceof HubStartError) return err;
  return new HubStartError(
    `Cannot lock the data directory: "${path}": ${(err as Error).message}`,
    path,
    { cause: err },
  );
}
