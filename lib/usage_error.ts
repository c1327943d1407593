/**
 * Bad flags or values on any command line (the hub, `certs`, `cameras`): each command prints
 * the message and a `--help` hint and exits 2.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Runs a command's parser: its options, or the exit code after printing usage (0, `--help`)
 * or the message and a `--help` hint (2, a UsageError). Other errors are bugs and propagate.
 */
export function parseOrExit<T>(
  parse: () => T | "help",
  task: string,
  usage: string,
  out: { log(line: string): void; fail(line: string): void },
): T | number {
  try {
    const parsed = parse();
    if (parsed !== "help") return parsed;
    out.log(usage);
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    out.fail(`${err.message}\nRun \`deno task ${task} --help\` for usage`);
    return 2;
  }
}
