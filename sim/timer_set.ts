/**
 * Timers a simulated camera owns, kept in one place so stopping it can prove nothing
 * outlives it.
 */

export type Timer = ReturnType<typeof setTimeout>;

export class TimerSet {
  readonly #ids = new Set<Timer>();

  /** Runs `fn` after `ms` (a negative delay runs it as soon as possible). */
  later(fn: () => void, ms: number): Timer {
    const id = setTimeout(() => {
      this.#ids.delete(id);
      fn();
    }, Math.max(0, ms));
    this.#ids.add(id);
    return id;
  }

  cancel(id: Timer | undefined): void {
    if (id === undefined) return;
    clearTimeout(id);
    this.#ids.delete(id);
  }

  clear(): void {
    for (const id of this.#ids) clearTimeout(id);
    this.#ids.clear();
  }

  get size(): number {
    return this.#ids.size;
  }
}
