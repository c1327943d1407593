/**
 * Which cameras another hub wants now, as the hub that holds them hears it: a hub that
 * subscribes to a camera in NATS announces it at once and again every {@link WANT_REFRESH_MS};
 * the holder publishes the camera's frames only while an announcement younger than
 * {@link WANT_TTL_MS} stands. So frames cross the bus only where some hub's viewers (or a
 * recorder) watch them, a hub that dies stops being served within the TTL, and nothing needs
 * rebuilding after NATS or a hub restarts: the next round of announcements is the state. Pure,
 * with an injected clock.
 */

/** How often a hub repeats what it wants. */
export const WANT_REFRESH_MS = 2_000;
/** An announcement stands this long: two refreshes may be lost before frames stop. */
export const WANT_TTL_MS = 3 * WANT_REFRESH_MS;

export class Wants {
  #ttl: number;
  #heard = new Map<string, number>();

  constructor(options: { ttlMs?: number } = {}) {
    this.#ttl = options.ttlMs ?? WANT_TTL_MS;
    if (!(this.#ttl > 0)) throw new RangeError(`Invalid want TTL: "${this.#ttl}"`);
  }

  /** Someone wants `serial` as of `now`. */
  heard(serial: string, now: number): void {
    this.#heard.set(serial, now);
  }

  /** Whether `serial` is wanted at `now`; forgets it once its announcement has expired. */
  wanted(serial: string, now: number): boolean {
    const at = this.#heard.get(serial);
    if (at === undefined) return false;
    if (now - at < this.#ttl) return true;
    this.#heard.delete(serial);
    return false;
  }

  /** Cameras with a standing announcement (tests, metrics). */
  size(now: number): number {
    let n = 0;
    for (const serial of [...this.#heard.keys()]) if (this.wanted(serial, now)) n++;
    return n;
  }
}
