/**
 * "Did you mean --port?" for a mistyped flag: the known flag nearest by edit distance, when
 * one is near enough to be the likely intent and no other is as near.
 */

/**
 * Edits (insert, delete, substitute, swap two adjacent characters) from `a` to `b`: the
 * optimal string alignment distance, so `prot` is one edit from `port`, as a typist sees it.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1, cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The flag in `known` (names without dashes) nearest to `flag` (as typed, `--prot` or
 * `--prot=1`), as `--name`; null when none is within a third of its length (at least one
 * edit) or two are equally near.
 */
export function suggestOption(flag: string, known: readonly string[]): string | null {
  const name = flag.replace(/^-+/, "").replace(/=.*$/s, "").toLowerCase();
  if (name === "") return null;
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | null = null, bestDistance = Infinity, tie = false;
  for (const candidate of new Set(known)) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      [best, bestDistance, tie] = [candidate, distance, false];
    } else if (distance === bestDistance) tie = true;
  }
  return best !== null && !tie && bestDistance <= limit ? `--${best}` : null;
}

/** The flag node's parseArgs names in its "Unknown option '--x'" error, or null. */
export function unknownOptionOf(message: string): string | null {
  return /^Unknown option '([^']+)'/.exec(message)?.[1] ?? null;
}
