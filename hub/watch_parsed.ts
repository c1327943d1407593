/**
 * A file the hub obeys while it runs (the revocation list, the access policy): parsed now and
 * on every change. At start-up a bad file stops the hub with one message naming it; later a
 * bad edit is logged and the previous version stays in force, so a typo never opens the door.
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
 * Calls `onChange(parse(text))` now and after each change; `text` is null while the file is
 * absent. Throws {@link HubStartError} when the first parse fails.
 */
export function watchParsed<T>(
  path: string,
  parse: (text: string | null) => T,
  onChange: (value: T) => void,
  o: WatchParsedOptions,
): Disposable & { close(): void } {
  let started = false;
  const watch = new FileWatch(path, (text) => {
    let value: T;
    try {
      value = parse(text);
    } catch (err) {
      if (!started) {
        throw new HubStartError(`Invalid ${o.label} "${path}": ${(err as Error).message}`, path, {
          cause: err,
        });
      }
      o.log(`${o.event}-invalid`, { path, error: err, kept: "previous" });
      return;
    }
    onChange(value);
  }, o.intervalMs);
  started = true;
  return watch;
}
