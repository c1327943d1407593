/**
 * Byte sizes as people write them on a command line: `1073741824`, `500M`, `20G`, `1.5T`.
 * Suffixes are binary (K = 1024, M = 1024², …), as `df -h` and `du -h` print them; a trailing
 * `B` or `iB` is accepted (`500MiB`, `20GB` both mean the binary size).
 */

const UNITS: Record<string, number> = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** The bytes `text` names, rounded down; throws a RangeError saying what is wrong. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m || (m[3] && !m[2] && m[3].toLowerCase() === "ib")) {
    throw new RangeError("expected bytes, or a number with K, M, G or T (e.g. 500M, 20G)");
  }
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toUpperCase()]);
  if (!Number.isSafeInteger(bytes)) throw new RangeError("too large");
  return bytes;
}

/** A size for logs and the banner: `512 B`, `1.5 KiB`, `20 GiB`. */
export function formatByteSize(bytes: number): string {
  let unit = "";
  let n = bytes;
  for (const u of ["KiB", "MiB", "GiB", "TiB"]) {
    if (n < 1024) break;
    n /= 1024;
    unit = u;
  }
  if (!unit) return `${bytes} B`;
  return `${Number.isInteger(n) ? n : n.toFixed(1).replace(/\.0$/, "")} ${unit}`;
}

/** A duration for logs and the banner, in its largest whole-ish unit: `7 d`, `1 h`, `90 s`. */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [["d", 86_400_000], ["h", 3_600_000], ["min", 60_000]];
  for (const [name, size] of units) {
    if (ms >= size) {
      const n = ms / size;
      return `${Number.isInteger(n) ? n : n.toFixed(1).replace(/\.0$/, "")} ${name}`;
    }
  }
  return `${Math.round(ms / 1000)} s`;
}
