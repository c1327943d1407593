/**
 * Runs load steps one at a time, in the order they were asked for. Two sweeps that each wait
 * for their run before asking for the next therefore alternate run by run (trustcam, ceiling,
 * trustcam, ...), so whatever drifts on a shared box meanwhile (other work, caches, clocks)
 * hits both hubs alike instead of one sweep's whole half of the run.
 */
export class RunQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #error: unknown = undefined;
  #failed = false;

  /** The first job that failed, if any: later jobs are refused, the caller stops everything. */
  get error(): unknown {
    return this.#error;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(() => {
      if (this.#failed) throw new Error("Not run: an earlier run failed");
      return job().catch((err) => {
        if (!this.#failed) {
          this.#failed = true;
          this.#error = err;
        }
        throw err;
      });
    });
    this.#tail = result.catch(() => {});
    return result;
  }
}
