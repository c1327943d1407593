/**
 * Segments in use by readers. Retention asks before deleting a segment, so a recording being
 * played back or exported stays on disk until its reader lets go (deleting an open file on
 * Linux would keep its bytes, but a reader moving to its next segment would find it gone).
 */

export class SegmentLeases {
  #held = new Map<string, number>();

  /** Holds the segment of `serial` starting at `start` until the result is disposed. */
  acquire(serial: string, start: number): Disposable {
    const key = keyOf(serial, start);
    this.#held.set(key, (this.#held.get(key) ?? 0) + 1);
    let released = false;
    return {
      [Symbol.dispose]: () => {
        if (released) return;
        released = true;
        const n = this.#held.get(key)! - 1;
        if (n === 0) this.#held.delete(key);
        else this.#held.set(key, n);
      },
    };
  }

  isHeld(serial: string, start: number): boolean {
    return this.#held.has(keyOf(serial, start));
  }

  /** Number of leased segments (for tests and /metrics). */
  get size(): number {
    return this.#held.size;
  }
}

function keyOf(serial: string, start: number): string {
  return `${serial}/${start}`;
}
