/**
 * Paints one camera's frames on its canvas. At most one decode is in flight per tile; frames
 * that arrive meanwhile replace each other, so a slow decoder skips frames instead of falling
 * behind live. Every ImageBitmap is closed and every object URL revoked, counted in
 * {@link paintStats} so tests (and devtools) can see that nothing piles up.
 *
 * Decoding uses `createImageBitmap(blob)`: in Chromium it decoded and drew QVGA frames about
 * 4x faster than object URL + `img.decode()` (bench/decode_bench.ts); the image path is kept
 * for browsers without createImageBitmap.
 */

/** Page-wide painting counters. */
export interface PaintStats {
  /** Decodes started. */
  decodes: number;
  /** Decodes in flight now: at most one per tile. */
  inFlight: number;
  /** Frames drawn on a canvas. */
  painted: number;
  /** Frames dropped because a newer one arrived while a decode was in flight. */
  replaced: number;
  /** Frames that failed to decode (the last good picture stays). */
  errors: number;
  /** ImageBitmaps created and not yet closed. */
  bitmapsOpen: number;
  /** Object URLs created and not yet revoked. */
  urlsOpen: number;
}

export const paintStats: PaintStats = {
  decodes: 0,
  inFlight: 0,
  painted: 0,
  replaced: 0,
  errors: 0,
  bitmapsOpen: 0,
  urlsOpen: 0,
};
// Read by the browser tests and handy in devtools: `__trustcamPaint`.
(globalThis as { __trustcamPaint?: PaintStats }).__trustcamPaint = paintStats;

/**
 * Runs `work` on the newest item only: while one run is in flight, pushed items replace each
 * other and the last one runs next. Pure scheduling; the painter supplies the work.
 */
export class LatestWins<T> {
  #pending: T | undefined;
  #hasPending = false;
  #busy = false;
  #closed = false;

  constructor(
    private readonly work: (item: T) => Promise<void>,
    private readonly hooks: { replaced?: () => void; error?: (err: unknown) => void } = {},
  ) {}

  /** True while a run is in flight. */
  get busy(): boolean {
    return this.#busy;
  }

  push(item: T): void {
    if (this.#closed) return;
    if (this.#busy) {
      if (this.#hasPending) this.hooks.replaced?.();
      this.#pending = item;
      this.#hasPending = true;
      return;
    }
    void this.#run(item);
  }

  /** Drops the pending item; a run in flight finishes but nothing follows it. */
  close(): void {
    this.#closed = true;
    this.#pending = undefined;
    this.#hasPending = false;
  }

  async #run(item: T): Promise<void> {
    this.#busy = true;
    try {
      await this.work(item);
    } catch (err) {
      this.hooks.error?.(err);
    }
    this.#busy = false;
    if (this.#hasPending && !this.#closed) {
      const next = this.#pending as T;
      this.#pending = undefined;
      this.#hasPending = false;
      void this.#run(next);
    }
  }
}

export interface PaintInfo {
  /** `performance.now()` when the frame's message arrived. */
  receivedAt: number;
  paintedAt: number;
  width: number;
  height: number;
  /** The JPEG just drawn (a view; do not keep it). */
  jpeg: Uint8Array;
  /** Capture time (epoch ms) of a recorded frame; undefined for a live one. */
  recordedAt?: number;
}

export type DecodeMethod = "bitmap" | "img";

export interface TilePainterOptions {
  method?: DecodeMethod;
  onPaint?: (info: PaintInfo) => void;
}

interface Frame {
  jpeg: Uint8Array;
  receivedAt: number;
  recordedAt?: number;
}

/** How many paint times a painter keeps to measure its frame rate. */
const FPS_WINDOW = 64;

export class TilePainter {
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #queue: LatestWins<Frame>;
  readonly #method: DecodeMethod;
  readonly #onPaint?: (info: PaintInfo) => void;
  readonly #paintTimes = new Float64Array(FPS_WINDOW);
  #paintCount = 0;
  #img: HTMLImageElement | undefined;
  #closed = false;
  /** `performance.now()` of the frame on the canvas, or undefined before the first. */
  shownReceivedAt: number | undefined;
  /** Capture time of the recorded frame on the canvas; undefined while it shows live. */
  shownRecordedAt: number | undefined;

  constructor(canvas: HTMLCanvasElement, opts: TilePainterOptions = {}) {
    const ctx = canvas.getContext("2d", { alpha: false });
    if (!ctx) throw new Error("Canvas 2D context unavailable");
    this.#canvas = canvas;
    this.#ctx = ctx;
    this.#method = opts.method ??
      (typeof createImageBitmap === "function" ? "bitmap" : "img");
    this.#onPaint = opts.onPaint;
    this.#queue = new LatestWins((f) => this.#paint(f), {
      replaced: () => paintStats.replaced++,
      error: () => paintStats.errors++,
    });
  }

  /**
   * Queues a frame; it is painted now or replaces the one waiting. Recorded and live frames
   * go through here alike; `recordedAt` tells a recorded one.
   */
  push(jpeg: Uint8Array, receivedAt = performance.now(), recordedAt?: number): void {
    this.#queue.push({ jpeg, receivedAt, recordedAt });
  }

  /** Frames painted per second over the last ~2 s (0 when none). */
  fps(now = performance.now()): number {
    const n = Math.min(this.#paintCount, FPS_WINDOW);
    let count = 0;
    let oldest = now;
    for (let i = 0; i < n; i++) {
      const t = this.#paintTimes[i];
      if (now - t <= 2000) {
        count++;
        if (t < oldest) oldest = t;
      }
    }
    if (count < 2) return 0;
    return (count - 1) / Math.max((now - oldest) / 1000, 0.001);
  }

  close(): void {
    this.#closed = true;
    this.#queue.close();
  }

  async #paint(frame: Frame): Promise<void> {
    if (this.#closed) return;
    paintStats.decodes++;
    paintStats.inFlight++;
    try {
      await this.#decodeAndDraw(frame);
    } finally {
      paintStats.inFlight--;
    }
  }

  async #decodeAndDraw(frame: Frame): Promise<void> {
    const blob = new Blob([frame.jpeg as Uint8Array<ArrayBuffer>], { type: "image/jpeg" });
    if (this.#method === "bitmap") {
      const bitmap = await createImageBitmap(blob);
      paintStats.bitmapsOpen++;
      try {
        if (!this.#closed) this.#draw(bitmap, bitmap.width, bitmap.height, frame);
      } finally {
        bitmap.close();
        paintStats.bitmapsOpen--;
      }
    } else {
      const url = URL.createObjectURL(blob);
      paintStats.urlsOpen++;
      try {
        const img = this.#img ??= new Image();
        img.src = url;
        await img.decode();
        if (!this.#closed) this.#draw(img, img.naturalWidth, img.naturalHeight, frame);
      } finally {
        URL.revokeObjectURL(url);
        paintStats.urlsOpen--;
      }
    }
  }

  #draw(source: CanvasImageSource, width: number, height: number, frame: Frame): void {
    const canvas = this.#canvas;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    this.#ctx.drawImage(source, 0, 0, width, height);
    const now = performance.now();
    this.#paintTimes[this.#paintCount++ % FPS_WINDOW] = now;
    this.shownReceivedAt = frame.receivedAt;
    this.shownRecordedAt = frame.recordedAt;
    paintStats.painted++;
    this.#onPaint?.({
      receivedAt: frame.receivedAt,
      paintedAt: now,
      width,
      height,
      jpeg: frame.jpeg,
      recordedAt: frame.recordedAt,
    });
  }
}
