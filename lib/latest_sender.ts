/**
 * The outgoing frames of one replay: one write in flight and a few frames waiting behind it
 * (absorbing the jitter of a socket that keeps up). A frame pushed when the waiting ones are
 * at their bound drops them all and waits alone: a viewer slower than the replay rate skips
 * ahead to the newest frame, as live viewers do, and a replay never holds more than the bound
 * for its viewer, however fast it runs. Pure: it sees the socket only through
 * {@link FrameSink}.
 */
import type { FrameSink, QueuedFrame } from "./send_queue.ts";

export interface LatestSenderOptions {
  /** Frames that may wait behind the write in flight (default 4). */
  maxWaiting?: number;
  /** Bytes that may wait; one frame always may (default 1 MiB). */
  maxWaitingBytes?: number;
}

export class LatestSender<F extends QueuedFrame> {
  readonly #sink: FrameSink;
  readonly #maxWaiting: number;
  readonly #maxWaitingBytes: number;
  #inFlight = false;
  #waiting: F[] = [];
  #waitingBytes = 0;
  #closed = false;
  #idle: Array<() => void> = [];
  readonly #onWritten = (err?: Error) => this.#written(err);
  /** Writes started. */
  sent = 0;
  /** Frames dropped for a newer one before their write could start. */
  skipped = 0;
  /** The last frame whose write started. */
  last: F | undefined;

  constructor(sink: FrameSink, options: LatestSenderOptions = {}) {
    this.#sink = sink;
    this.#maxWaiting = Math.max(1, options.maxWaiting ?? 4);
    this.#maxWaitingBytes = options.maxWaitingBytes ?? 1024 * 1024;
  }

  /** Writes `frame` now, or keeps it waiting (dropping those waiting when full). Never throws. */
  push(frame: F): void {
    if (this.#closed) return;
    if (!this.#inFlight) {
      this.#write(frame);
      return;
    }
    const size = frame.data.byteLength;
    if (
      this.#waiting.length >= this.#maxWaiting ||
      this.#waitingBytes + size > this.#maxWaitingBytes
    ) {
      this.skipped += this.#waiting.length;
      this.#waiting.length = 0;
      this.#waitingBytes = 0;
    }
    this.#waiting.push(frame);
    this.#waitingBytes += size;
  }

  /** A write is on its way to the sink. */
  get inFlight(): boolean {
    return this.#inFlight;
  }

  /** Frames waiting behind the write in flight. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves once nothing is in flight or waiting (at once if so, and once closed). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Drops the frames waiting and ignores later pushes (pause, `live`, close). */
  close(): void {
    this.#closed = true;
    this.#waiting.length = 0;
    this.#waitingBytes = 0;
    this.#settle();
  }

  #isIdle(): boolean {
    return this.#closed || (!this.#inFlight && this.#waiting.length === 0);
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
    const next = this.#waiting.shift();
    if (next && !this.#closed) {
      this.#waitingBytes -= next.data.byteLength;
      this.#write(next);
    }
    this.#settle();
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
