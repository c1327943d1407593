/**
 * Which cameras another hub wants now, as the hub that holds them hears it: a hub that
 * subscribes to a camera in NATS announces it at once and again every {@link WANT_REFRESH_MS};
 * the holder publishes the camera's frames only while an announcement younger than
 * {@link WANT_TTL_MS} stands. So frames cross the bus only where some hub's viewers (or a
 * recorder) watch them, a hub that dies stops being served within the TTL, and nothing needs
 * rebuilding after NATS or a hub restarts: the next round of announcements is the state. A
 * recorder process (cli/recorder.ts) wants every camera, including those not connected yet: it
 * announces that once on `trustcam.want.%all` ({@link Wants.heardAll}), not per serial. Pure,
 * with an injected clock.
 */

/** How often a hub repeats what it wants. */
export const WANT_REFRESH_MS = 2_000;
/** An announcement stands this long: two refreshes may be lost before frames stop. */
export const WANT_TTL_MS = 3 * WANT_REFRESH_MS;

export class Wants {
  #ttl: number;
  #heard = new Map<string, number>();
  #allAt: number | null = null;

  constructor(options: { ttlMs?: number } = {}) {
    this.#ttl = options.ttlMs ?? WANT_TTL_MS;
    if (!(this.#ttl > 0)) throw new RangeError(`Invalid want TTL: "${this.#ttl}"`);
  }

  /** Someone wants `serial` as of `now`. */
  heard(serial: string, now: number): void {
    this.#heard.set(serial, now);
  }

  /** Someone wants every camera as of `now`. */
  heardAll(now: number): void {
    this.#allAt = now;
  }

  /** Whether an announcement for every camera stands at `now`. */
  allWanted(now: number): boolean {
    if (this.#allAt === null) return false;
    if (now - this.#allAt < this.#ttl) return true;
    this.#allAt = null;
    return false;
  }

  /** Whether `serial` is wanted at `now`; forgets it once its announcement has expired. */
  wanted(serial: string, now: number): boolean {
    return this.allWanted(now) || this.#standing(serial, now);
  }

  #standing(serial: string, now: number): boolean {
    const at = this.#heard.get(serial);
    if (at === undefined) return false;
    if (now - at < this.#ttl) return true;
    this.#heard.delete(serial);
    return false;
  }

  /** Cameras with a standing announcement of their own (tests, metrics). */
  size(now: number): number {
    let n = 0;
    for (const serial of [...this.#heard.keys()]) if (this.#standing(serial, now)) n++;
    return n;
  }
}
