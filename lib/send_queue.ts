/**
 * One viewer's outgoing frames: one write in flight at a time, the next ones waiting in order,
 * a frame skipped when the bytes held for the viewer (waiting here plus in the transport)
 * are over a limit. Pure: it sees the socket only through {@link FrameSink}.
 *
 * Why one write in flight: writing every frame straight into the socket let all sockets fill
 * under overload, a socket holding many buffered writes costs Deno's node:tls far more per
 * write, and then every viewer waited behind a full queue (bench/README.md has the figures).
 * Holding the queue here keeps the socket's own buffer short; a viewer that keeps up (even
 * through a burst of every camera at once) loses nothing, one that falls behind skips frames
 * with at most the limit held for it. The per-frame path allocates nothing: frames are shared
 * buffers, and the write callback is made once per queue.
 */

/** What the queue writes into: a WebSocket, seen narrowly. */
export interface FrameSink {
  /** Bytes the transport holds that are not written yet. */
  readonly bufferedAmount: number;
  /**
   * Starts one write; `done` runs once, later (never before `send` returns), when it finished
   * or failed. Returns false, without calling `done`, when the transport no longer takes writes
   * (closing). May throw when the transport was torn down under it.
   */
  send(data: Uint8Array, done: (err?: Error) => void): boolean;
}

/** Anything with the bytes to write; the queue hands the same object back in its events. */
export interface QueuedFrame {
  readonly data: Uint8Array;
}

/** What happened to the frames pushed; called synchronously, must not throw. */
export interface SendQueueEvents<F extends QueuedFrame> {
  /** A write of `frame` started. */
  onSent(frame: F): void;
  /** `frame` was dropped: the bytes held were over the limit when it came. */
  onSkipped(frame: F): void;
  /** `send` threw; the frames waiting were dropped. */
  onFailed(err: unknown): void;
}

export class SendQueue<F extends QueuedFrame> {
  readonly #sink: FrameSink;
  readonly #limit: number;
  readonly #events: SendQueueEvents<F>;
  #inFlight = false;
  #waiting: F[] = [];
  #waitingBytes = 0;
  #closed = false;
  readonly #onWritten = (err?: Error) => this.#written(err);

  /** `limitBytes`: a frame is skipped while more than this is held (waiting + the sink's). */
  constructor(sink: FrameSink, limitBytes: number, events: SendQueueEvents<F>) {
    if (!(limitBytes >= 0)) throw new RangeError(`Invalid send queue limit: ${limitBytes} bytes`);
    this.#sink = sink;
    this.#limit = limitBytes;
    this.#events = events;
  }

  /** Writes `frame` now, queues it behind the write in flight, or skips it. Never throws. */
  push(frame: F): void {
    if (this.#closed) return;
    if (this.#waitingBytes + this.#sink.bufferedAmount > this.#limit) {
      this.#events.onSkipped(frame);
      return;
    }
    if (this.#inFlight) {
      this.#waiting.push(frame);
      this.#waitingBytes += frame.data.byteLength;
      return;
    }
    this.#write(frame);
  }

  /** Drops the frames waiting and ignores later pushes (the viewer left). */
  close(): void {
    this.#closed = true;
    this.#drop();
  }

  /**
   * Drops the waiting frames `unwanted` selects, without counting them skipped: the viewer no
   * longer wants them (a camera it now replays).
   */
  dropWhere(unwanted: (frame: F) => boolean): void {
    if (this.#waiting.length === 0) return;
    this.#waiting = this.#waiting.filter((f) => !unwanted(f));
    this.#waitingBytes = 0;
    for (const f of this.#waiting) this.#waitingBytes += f.data.byteLength;
  }

  /** A write is on its way to the sink. */
  get inFlight(): boolean {
    return this.#inFlight;
  }

  /** Frames waiting behind the write in flight. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Bytes of the frames waiting. */
  get waitingBytes(): number {
    return this.#waitingBytes;
  }

  #write(frame: F): void {
    this.#inFlight = true;
    let started: boolean;
    try {
      started = this.#sink.send(frame.data, this.#onWritten);
    } catch (err) {
      this.#inFlight = false;
      this.#drop();
      this.#events.onFailed(err);
      return;
    }
    if (!started) {
      // Closing: whatever waits would never go out.
      this.#inFlight = false;
      this.#drop();
      return;
    }
    this.#events.onSent(frame);
  }

  #written(err?: Error): void {
    this.#inFlight = false;
    if (err) {
      this.#drop();
      return;
    }
    const next = this.#waiting.shift();
    if (next) {
      this.#waitingBytes -= next.data.byteLength;
      this.#write(next);
    }
  }

  #drop(): void {
    this.#waiting.length = 0;
    this.#waitingBytes = 0;
  }
}
