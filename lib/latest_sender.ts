/**
 * The outgoing frames of one replay: at most one write in flight and one frame waiting; a frame
 * pushed while one already waits replaces it (the older one is skipped). A viewer slower than
 * the replay rate so skips ahead to the newest frame, as live viewers do, and a replay never
 * holds more than two frames for its viewer, however fast it runs. Pure: it sees the socket
 * only through {@link FrameSink}.
 */
import type { FrameSink, QueuedFrame } from "./send_queue.ts";

export class LatestSender<F extends QueuedFrame> {
  readonly #sink: FrameSink;
  #inFlight = false;
  #waiting: F | undefined;
  #closed = false;
  #idle: Array<() => void> = [];
  readonly #onWritten = (err?: Error) => this.#written(err);
  /** Writes started. */
  sent = 0;
  /** The last frame whose write started. */
  last: F | undefined;
  /** Frames replaced by a newer one before their write could start. */
  skipped = 0;

  constructor(sink: FrameSink) {
    this.#sink = sink;
  }

  /** Writes `data` now, or keeps it as the one frame waiting. Never throws. */
  push(frame: F): void {
    if (this.#closed) return;
    if (this.#inFlight) {
      if (this.#waiting) this.skipped++;
      this.#waiting = frame;
      return;
    }
    this.#write(frame);
  }

  /** A write is on its way to the sink. */
  get inFlight(): boolean {
    return this.#inFlight;
  }

  /** A frame waits behind the write in flight. */
  get waiting(): boolean {
    return this.#waiting !== undefined;
  }

  /** Resolves once nothing is in flight or waiting (at once if so, and once closed). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Drops the frame waiting (a pause, a `live`): nothing more goes out until the next push. */
  dropWaiting(): void {
    this.#waiting = undefined;
    this.#settle();
  }

  /** Drops the frame waiting and ignores later pushes (the replay or the viewer ended). */
  close(): void {
    this.#closed = true;
    this.dropWaiting();
  }

  #isIdle(): boolean {
    return this.#closed || (!this.#inFlight && this.#waiting === undefined);
  }

  #write(frame: F): void {
    this.#inFlight = true;
    let started = false;
    try {
      started = this.#sink.send(frame.data, this.#onWritten);
    } catch {
      // The socket was torn down under us: its close handler ends the replay.
    }
    if (!started) {
      this.#inFlight = false;
      this.close();
      return;
    }
    this.sent++;
    this.last = frame;
  }

  #written(err?: Error): void {
    this.#inFlight = false;
    if (err) {
      this.close();
      return;
    }
    const next = this.#waiting;
    this.#waiting = undefined;
    if (next && !this.#closed) this.#write(next);
    this.#settle();
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
