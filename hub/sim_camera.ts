/**
 * One simulated camera: a device certificate, a loop of pre-encoded JPEGs and the same
 * WebSocket behaviour as the firmware (frames paced at a fixed rate, a `status` text every
 * 10 s, reconnect with backoff). Frames are encoded ahead of time and cycled, so a laptop
 * can run many cameras; the loop is re-rendered off the send path when the minute changes so
 * the picture's clock stays true.
 */

// @ts-types="@types/ws"
import WebSocket from "ws";
import { backoffDelay } from "../lib/backoff.ts";
import { stampFrame } from "../lib/jpeg_com.ts";
import { FRAME_DIMENSIONS, type FrameSize, renderFrame } from "../lib/sim_frames.ts";

export const SIM_FIRMWARE = "trustcam-sim/1.0.0";
export const DEFAULT_STATUS_INTERVAL_MS = 10_000;
/** A connection that lived this long was healthy: the next failure starts backoff over. */
export const HEALTHY_CONNECTION_MS = 5_000;
/** Frames the socket may have queued before the camera drops new ones instead. */
export const MAX_QUEUED_FRAMES = 2;
/** How long stop() waits for the hub's close frame before cutting the TCP connection. */
const CLOSE_GRACE_MS = 2_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;

type Timer = ReturnType<typeof setTimeout>;

export interface SimCameraEvent {
  type: "connected" | "disconnected" | "error" | "rendered";
  detail?: string;
  /** Reconnect attempt number (0 = first retry) of the retry just scheduled. */
  attempt?: number;
  /** WebSocket close code on "disconnected". */
  code?: number;
  /** Delay before the next connection attempt, on "disconnected". */
  delayMs?: number;
  /** On "rendered": the loop just encoded. */
  render?: { frames: number; ms: number; avgBytes: number; clock: Date };
}

export interface SimCameraOptions {
  /** Hub endpoint, e.g. wss://127.0.0.1:5000/ws. */
  server: string;
  serial: string;
  /** Client certificate, key, optional chain (sent instead of the bare certificate), CAs. */
  certPem: string;
  keyPem: string;
  chainPem?: string;
  caPem: string;
  fps: number;
  size: FrameSize;
  /** Frames in the rendered loop; default 2 * fps, at least 2. */
  loopFrames?: number;
  /** Pre-rendered frames, cycled as they are (no clock updates); otherwise renderFrame(). */
  frames?: Uint8Array[];
  /**
   * How often a self-rendered loop is redrawn so the clock in the picture stays true;
   * default 60 s (the picture shows HH:MM). Shorter only in tests.
   */
  renderPeriodMs?: number;
  /** A status goes out on connect and then every interval; default 10 s. */
  statusIntervalMs?: number;
  /** Stamp each frame with its send time in a COM segment (default true). */
  stamp?: boolean;
  backoff?: { baseMs?: number; maxMs?: number };
  signal?: AbortSignal;
  onEvent?: (e: SimCameraEvent) => void;
}

/** Close codes the hub uses to refuse a device; the camera keeps retrying but says so. */
const REFUSAL_CODES: Record<number, string> = {
  1008: "refused by the hub (revoked or forbidden)",
  4000: "replaced by another connection with the same serial",
};

export class SimCamera {
  readonly #opts: SimCameraOptions;
  readonly #serial: string;
  readonly #intervalMs: number;
  readonly #loopFrames: number;
  readonly #statusIntervalMs: number;
  readonly #renderPeriodMs: number;
  readonly #stats = { sent: 0, skipped: 0, connects: 0 };

  #frames: Uint8Array[] = [];
  #started = false;
  #stopped = false;
  #bootAt = 0;
  #seq = 0;
  #frameIndex = 0;
  #attempt = 0;
  #ws: WebSocket | undefined;
  #closed: Promise<void> = Promise.resolve();

  // Every pending timer, so stop() can prove nothing outlives it.
  readonly #timers = new Set<Timer>();
  #onAbort = () => void this.stop();

  constructor(opts: SimCameraOptions) {
    if (!(opts.fps > 0 && opts.fps <= 120)) {
      throw new RangeError(`Frame rate must be above 0 and at most 120: "${opts.fps}"`);
    }
    if (!(opts.size in FRAME_DIMENSIONS)) {
      throw new RangeError(`Unknown frame size: "${opts.size}" (expected qvga or vga)`);
    }
    const loopFrames = opts.loopFrames ?? Math.max(2, Math.round(2 * opts.fps));
    if (!Number.isInteger(loopFrames) || loopFrames < 2) {
      throw new RangeError(`Loop must hold at least 2 frames: "${loopFrames}"`);
    }
    if (opts.frames !== undefined && opts.frames.length === 0) {
      throw new RangeError("Pre-rendered frames must not be empty");
    }
    if (opts.renderPeriodMs !== undefined && !(opts.renderPeriodMs >= 100)) {
      throw new RangeError(`Render period must be at least 100 ms: "${opts.renderPeriodMs}"`);
    }
    const statusIntervalMs = opts.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
    if (!(statusIntervalMs > 0)) {
      throw new RangeError(`Status interval must be above 0 ms: "${statusIntervalMs}"`);
    }
    this.#opts = opts;
    this.#serial = opts.serial;
    this.#intervalMs = 1000 / opts.fps;
    this.#loopFrames = loopFrames;
    this.#statusIntervalMs = statusIntervalMs;
    this.#renderPeriodMs = opts.renderPeriodMs ?? 60_000;
  }

  /** Counters since start(): frames handed to the socket, frames dropped, connections made. */
  get stats(): { readonly sent: number; readonly skipped: number; readonly connects: number } {
    return { ...this.#stats };
  }

  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  get serial(): string {
    return this.#serial;
  }

  /** Renders the first loop (unless frames were given), then connects. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#bootAt = performance.now();
    if (this.#opts.signal?.aborted) {
      this.#stopped = true;
      return;
    }
    this.#opts.signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (this.#opts.frames) {
      this.#frames = this.#opts.frames;
      this.#connect();
      return;
    }
    const now = Date.now();
    const t0 = performance.now();
    void this.#renderLoop(new Date(now)).then((frames) => {
      if (!frames) return;
      this.#frames = frames;
      this.#connect();
      this.#scheduleClockUpdate(now, performance.now() - t0);
    });
  }

  /** Stops every timer and closes the connection; resolves once the socket is closed. */
  async stop(): Promise<void> {
    if (this.#stopped) return await this.#closed;
    this.#stopped = true;
    this.#opts.signal?.removeEventListener("abort", this.#onAbort);
    for (const id of this.#timers) clearTimeout(id);
    this.#timers.clear();
    const ws = this.#ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      if (ws.readyState === WebSocket.CONNECTING) {
        ws.terminate();
      } else {
        ws.close(1000);
        // A hub that never answers the close frame must not hold stop() for ws's 30 s.
        const grace = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
        void this.#closed.then(() => clearTimeout(grace));
      }
    }
    await this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #later(fn: () => void, ms: number): Timer {
    const id = setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, Math.max(0, ms));
    this.#timers.add(id);
    return id;
  }

  #cancel(id: Timer | undefined): void {
    if (id === undefined) return;
    clearTimeout(id);
    this.#timers.delete(id);
  }

  #emit(e: SimCameraEvent): void {
    try {
      this.#opts.onEvent?.(e);
    } catch {
      // A logging callback must not break the camera.
    }
  }

  // ---------------------------------------------------------------------------------------
  // Frames and the clock

  /**
   * Encodes a loop one frame per macrotask, so sending (this camera's and others') is held
   * up by one encode at most. Resolves undefined when stopped midway.
   */
  async #renderLoop(clock: Date): Promise<Uint8Array[] | undefined> {
    const opts = {
      serial: this.#serial,
      size: this.#opts.size,
      count: this.#loopFrames,
      clock,
    };
    const frames: Uint8Array[] = [];
    let busyMs = 0;
    for (let i = 0; i < this.#loopFrames; i++) {
      await new Promise<void>((resolve) => this.#later(resolve, 0));
      if (this.#stopped) return undefined;
      const t0 = performance.now();
      frames.push(renderFrame(opts, i));
      busyMs += performance.now() - t0;
    }
    const avgBytes = Math.round(frames.reduce((n, f) => n + f.byteLength, 0) / frames.length);
    this.#emit({
      type: "rendered",
      detail: `${frames.length} frames in ${Math.round(busyMs)} ms ` +
        `(${(busyMs / frames.length).toFixed(1)} ms/frame, ${(avgBytes / 1024).toFixed(1)} KB avg)`,
      render: { frames: frames.length, ms: busyMs, avgBytes, clock },
    });
    return frames;
  }

  /**
   * Renders the next period's loop ahead of time and swaps it in on the boundary. Rendering
   * starts early enough to finish: the last render's time, tripled, and at least 5 s before
   * (plus a random spread).
   */
  #scheduleClockUpdate(shown: number, lastRenderMs: number): void {
    const period = this.#renderPeriodMs;
    // The first boundary after both now and the loop on show (a swap timer may fire early).
    const next = Math.floor(Math.max(Date.now(), shown) / period) * period + period;
    // A random extra lead spreads many cameras' renders over the minute instead of all
    // encoding at once and delaying each other's frames.
    const lead = Math.max(5_000, 3 * lastRenderMs) + Math.random() * Math.min(20_000, period / 3);
    this.#later(async () => {
      const t0 = performance.now();
      const frames = await this.#renderLoop(new Date(next));
      if (!frames) return;
      const took = performance.now() - t0;
      this.#later(() => {
        this.#frames = frames;
        this.#scheduleClockUpdate(next, took);
      }, next - Date.now());
    }, next - lead - Date.now());
  }

  // ---------------------------------------------------------------------------------------
  // Connection

  #connect(): void {
    if (this.#stopped) return;
    const o = this.#opts;
    let ws: WebSocket;
    try {
      ws = new WebSocket(o.server, {
        cert: o.chainPem ?? o.certPem,
        key: o.keyPem,
        ca: o.caPem,
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        perMessageDeflate: false,
      });
    } catch (err) {
      // A malformed URL: retrying cannot help, but the caller hears about it.
      this.#emit({ type: "error", detail: errorText(err) });
      return;
    }
    this.#ws = ws;
    let resolveClosed!: () => void;
    this.#closed = new Promise((r) => resolveClosed = r);

    let openedAt = 0;
    let sentHere = 0;
    let frameTimer: Timer | undefined;
    let statusTimer: Timer | undefined;
    let lastError: string | undefined;

    const sendStatus = () => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify(this.#status()));
      statusTimer = this.#later(sendStatus, this.#statusIntervalMs);
    };

    // Frames follow an ideal timeline from the moment the connection opened, so timer
    // jitter does not accumulate; a tick more than one frame late skips ahead, never bursts.
    let tick = 0;
    const sendFrame = () => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const now = performance.now();
      const late = now - (openedAt + tick * this.#intervalMs);
      if (late > this.#intervalMs) {
        const missed = Math.floor(late / this.#intervalMs);
        this.#stats.skipped += missed;
        this.#frameIndex += missed;
        tick += missed;
      }
      const frame = this.#frames[this.#frameIndex % this.#frames.length];
      this.#frameIndex++;
      tick++;
      if (ws.bufferedAmount > MAX_QUEUED_FRAMES * frame.byteLength) {
        this.#stats.skipped++;
      } else {
        const seq = this.#seq++;
        const data = this.#opts.stamp === false ? frame : stampFrame(frame, seq, Date.now());
        ws.send(data, { binary: true });
        this.#stats.sent++;
        sentHere++;
      }
      frameTimer = this.#later(sendFrame, openedAt + tick * this.#intervalMs - performance.now());
    };

    ws.on("open", () => {
      openedAt = performance.now();
      this.#stats.connects++;
      this.#emit({ type: "connected", detail: o.server });
      if (this.#stopped) return;
      sendStatus();
      sendFrame();
    });
    ws.on("error", (err) => {
      lastError = errorText(err);
      this.#emit({ type: "error", detail: lastError });
    });
    ws.on("unexpected-response", (_req, res) => {
      // The hub refused the upgrade (403 for a revoked certificate): ws then closes.
      lastError = `HTTP ${res.statusCode} ${res.statusMessage ?? ""}`.trim();
      this.#emit({ type: "error", detail: `Upgrade refused: ${lastError}` });
      res.resume();
      ws.terminate();
    });
    ws.on("message", () => {
      // Devices get nothing they must act on; pings are answered by ws itself.
    });
    ws.on("close", (code: number, reason: Buffer) => {
      this.#cancel(frameTimer);
      this.#cancel(statusTimer);
      if (this.#ws === ws) this.#ws = undefined;
      resolveClosed();
      const wasOpen = openedAt > 0;
      const refusal = REFUSAL_CODES[code];
      const healthy = wasOpen && refusal === undefined &&
        (sentHere > 0 || performance.now() - openedAt > HEALTHY_CONNECTION_MS);
      if (healthy) this.#attempt = 0;
      const why = [
        wasOpen ? `closed ${code}` : "connection failed",
        reason.length > 0 ? `"${reason.toString()}"` : undefined,
        refusal,
        !wasOpen ? lastError : undefined,
      ].filter(Boolean).join(": ");
      if (this.#stopped) {
        this.#emit({ type: "disconnected", code, detail: `${why}: stopped` });
        return;
      }
      const attempt = this.#attempt++;
      const delayMs = backoffDelay(attempt, this.#opts.backoff);
      this.#emit({
        type: "disconnected",
        code,
        attempt,
        delayMs,
        detail: `${why}: retry in ${delayMs} ms`,
      });
      this.#later(() => this.#connect(), delayMs);
    });
  }

  #status(): Record<string, string | number> {
    // Honest simulation: real counters, fixed plausible memory figures with a small wobble
    // (an ESP32-S3 with 8 MB PSRAM), rssi 0 as the protocol asks for a non-Wi-Fi link.
    const wobble = (this.#seq * 7919) % 4096;
    return {
      type: "status",
      fw: SIM_FIRMWARE,
      uptime_s: Math.floor((performance.now() - this.#bootAt) / 1000),
      heap_free: 151_000 + wobble,
      psram_free: 3_981_000 + 16 * wobble,
      rssi_dbm: 0,
      frames_sent: this.#stats.sent,
      frames_skipped: this.#stats.skipped,
    };
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" && !err.message.includes(code)
      ? `${err.message} (${code})`
      : err.message;
  }
  return String(err);
}
