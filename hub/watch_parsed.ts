/**
 * A file the hub obeys while it runs (the revocation list and CRL, the access policy): parsed
 * now and on every change. At start-up a bad file stops the hub with one message naming it.
 * Later the file fails closed: a bad edit, a file that turns unreadable, is emptied or
 * disappears is logged at error level each time and the previous version stays in force, so
 * neither a typo nor a lost file ever opens the door.
 */
import { FileWatch } from "./file_watch.ts";
import { HubStartError } from "./start_error.ts";
import type { Log } from "./log.ts";

export interface WatchParsedOptions {
  log: Log;
  /** Log event prefix: "policy" logs "policy-invalid". */
  event: string;
  /** What the file is, for the start-up error: "policy file". */
  label: string;
  intervalMs?: number;
}

/**
 * Calls `onChange(parse(text))` now and after each change. `text` is null only at start-up,
 * when the file does not exist yet (a fresh install); once running, a missing or empty file
 * is an error like an unparseable one. Throws {@link HubStartError} when the first parse
 * fails.
 */
export function watchParsed<T>(
  path: string,
  parse: (text: string | null) => T,
  onChange: (value: T) => void,
  o: WatchParsedOptions,
): Disposable & { close(): void } {
  let started = false;
  const refuse = (error: unknown) =>
    o.log(`${o.event}-invalid`, { level: "error", path, error, kept: "previous" });
  const watch = new FileWatch(
    path,
    (text) => {
      let value: T;
      try {
        if (started && text === null) throw new Error("File missing");
        if (started && text === "") throw new Error("File empty");
        value = parse(text);
      } catch (err) {
        if (!started) {
          throw new HubStartError(
            `Invalid ${o.label} "${path}": ${(err as Error).message}`,
            path,
            { cause: err },
          );
        }
        refuse(err);
        return;
      }
      onChange(value);
    },
    o.intervalMs,
    refuse,
  );
  started = true;
  return watch;
}
