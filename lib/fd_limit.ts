/**
 * The process's open-file limit and the connection cap derived from it. Every accepted TCP
 * connection costs one file descriptor; when accept() meets EMFILE, Deno 2.9's node:net
 * listener stops accepting for good (docs/known-issues.md), so the hub keeps its connections
 * well below the soft limit and leaves the rest to files, SQLite, watchers and bursts of
 * connections accepted before the excess can be closed.
 */

/** RLIMIT_NOFILE; `Infinity` for "unlimited". */
export interface NofileLimit {
  soft: number;
  hard: number;
}

/** Used when the limit cannot be read (not Linux, no read permission on /proc). */
export const ASSUMED_NOFILE = 1024;

/** Descriptors kept out of the connection cap, at the least. */
export const MIN_RESERVE = 64;

/** The fewest connections a derived cap allows, however low the limit. */
export const MIN_CONNECTIONS = 8;

/** Reads "Max open files" from the text of /proc/self/limits; null when it is not there. */
export function parseProcLimits(text: string): NofileLimit | null {
  const line = text.split("\n").find((l) => l.startsWith("Max open files"));
  if (!line) return null;
  const [soft, hard] = line.slice("Max open files".length).trim().split(/\s+/).map(limitValue);
  if (soft === undefined || hard === undefined || Number.isNaN(soft) || Number.isNaN(hard)) {
    return null;
  }
  return { soft, hard };
}

function limitValue(s: string): number {
  if (s === "unlimited") return Infinity;
  return /^\d+$/.test(s) ? Number(s) : NaN;
}

/**
 * The default `--max-connections`: three quarters of the soft limit, keeping at least
 * {@link MIN_RESERVE} descriptors for everything else (never below {@link MIN_CONNECTIONS}).
 */
export function defaultMaxConnections(soft: number): number {
  if (!Number.isFinite(soft)) return defaultMaxConnections(1_048_576);
  const reserve = Math.max(MIN_RESERVE, Math.ceil(soft / 4));
  return Math.max(MIN_CONNECTIONS, soft - reserve);
}
