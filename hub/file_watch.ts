/**
 * Re-reads a small file when it changes. Polls the modification time instead of using
 * inotify: editors replace files by rename, and a poll of one stat per second is nothing
 * next to the frames we relay.
 */
export class FileWatch implements Disposable {
  #timer: ReturnType<typeof setInterval> | undefined;
  #last: string | undefined;
  #lastError: string | undefined;

  /**
   * Calls `onChange(text)` now and on each change; `null` text means the file is absent.
   * Later read failures (permissions, a directory in its place) go to `onError`, once per
   * distinct failure, and the next poll retries.
   */
  constructor(
    readonly path: string,
    private onChange: (text: string | null) => void,
    intervalMs = 1000,
    private onError: (err: Error) => void = () => {},
  ) {
    this.poll();
    this.#timer = setInterval(() => {
      try {
        this.poll();
      } catch (err) {
        const key = (err as Error).message;
        if (key === this.#lastError) return;
        this.#lastError = key;
        // Whatever was read last stays in force; once the file reads again, it is read anew.
        this.#last = "error";
        this.onError(err as Error);
      }
    }, intervalMs);
  }

  /** Checks once; errors of `onChange` propagate to the caller of the first poll only. */
  poll(): void {
    let stamp: string;
    let text: string | null;
    try {
      const st = Deno.statSync(this.path);
      stamp = `${st.mtime?.getTime()}:${st.size}:${st.ino}`;
      if (stamp === this.#last) return;
      text = Deno.readTextFileSync(this.path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      stamp = "absent";
      if (stamp === this.#last) return;
      text = null;
    }
    this.#lastError = undefined;
    const first = this.#last === undefined;
    this.#last = stamp;
    if (first) this.onChange(text);
    else {
      try {
        this.onChange(text);
      } catch {
        // The callback reports its own errors; keep polling.
      }
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
