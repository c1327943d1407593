/**
 * Each camera's latest JPEG on disk, so an offline camera still has a picture after a hub
 * restart (the wall greys it, the snapshot route serves it). Written at most once per flush
 * per camera, by rename, so a crash never leaves half a JPEG.
 */
export class SnapshotStore {
  #dir: string;
  #written = new WeakSet<object>();
  #cache = new Map<string, Uint8Array | null>();
  #pending: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.#dir = dir;
    Deno.mkdirSync(dir, { recursive: true });
  }

  /** The stored JPEG of a camera (serial already validated), or undefined. */
  get(serial: string): Uint8Array | undefined {
    let jpeg = this.#cache.get(serial);
    if (jpeg === undefined) {
      try {
        jpeg = Deno.readFileSync(`${this.#dir}/${serial}.jpg`);
      } catch {
        jpeg = null;
      }
      this.#cache.set(serial, jpeg);
    }
    return jpeg ?? undefined;
  }

  /**
   * Writes the frames not written yet. `frame` objects identify frames: a camera whose latest
   * frame is the one already on disk costs nothing.
   */
  flush(latest: Iterable<[string, { data: Uint8Array; jpegLength: number }]>): Promise<void> {
    const todo: [string, Uint8Array][] = [];
    for (const [serial, frame] of latest) {
      if (this.#written.has(frame)) continue;
      this.#written.add(frame);
      const jpeg = frame.data.subarray(0, frame.jpegLength);
      this.#cache.set(serial, jpeg);
      todo.push([serial, jpeg]);
    }
    if (todo.length === 0) return this.#pending;
    this.#pending = this.#pending.then(async () => {
      for (const [serial, jpeg] of todo) {
        const path = `${this.#dir}/${serial}.jpg`;
        await Deno.writeFile(`${path}.tmp`, jpeg);
        await Deno.rename(`${path}.tmp`, path);
      }
    });
    return this.#pending;
  }

  /**
   * Forgets a removed camera's picture, after any write queued for it: a camera that comes
   * back must not show the old one until its first frame.
   */
  remove(serial: string): Promise<void> {
    this.#cache.set(serial, null);
    this.#pending = this.#pending.then(async () => {
      try {
        await Deno.remove(`${this.#dir}/${serial}.jpg`);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    });
    return this.#pending;
  }
}
