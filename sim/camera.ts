/**
 * One simulated camera: a device certificate, a loop of pre-encoded JPEGs and the same
 * WebSocket behaviour as the firmware (frames paced at a fixed rate, a `status` text every
 * 10 s, reconnect with backoff, to the next of its hub addresses when it has several). Frames are encoded ahead of time and cycled, so a laptop
 * can run many cameras. This file keeps the connection up; sim/frame_stream.ts sends on it
 * and sim/frame_loop.ts redraws the loop when the picture's clock changes.
 */

// @ts-types="@types/ws"
import WebSocket from "ws";
import { backoffDelay } from "../lib/backoff.ts";
import { FRAME_DIMENSIONS, type FrameSize } from "./frames.ts";
import { FrameLoop, type LoopRender } from "./frame_loop.ts";
import { FrameStream, type SendCounters } from "./frame_stream.ts";
import type { Activity } from "./activity.ts";
import { TimerSet } from "./timer_set.ts";

export { MAX_QUEUED_FRAMES, SIM_FIRMWARE } from "./frame_stream.ts";

export const DEFAULT_STATUS_INTERVAL_MS = 10_000;
/** A connection that lived this long was healthy: the next failure starts backoff over. */
export const HEALTHY_CONNECTION_MS = 5_000;
/** How long stop() waits for the hub's close frame before cutting the TCP connection. */
const CLOSE_GRACE_MS = 2_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Frames in a camera's self-rendered loop at `fps`: two seconds' worth, at least 2. */
export function defaultLoopFrames(fps: number): number {
  return Math.max(2, Math.round(2 * fps));
}

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
  render?: LoopRender;
}

export interface SimCameraOptions {
  /**
   * Hub endpoint, e.g. wss://127.0.0.1:5000/ws, or several (hubs of one cluster): each
   * reconnect goes to the next, so a camera whose hub died finds another one.
   */
  server: string | readonly string[];
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
  /** Pre-rendered frames, cycled as they are (no clock updates); otherwise a FrameLoop's. */
  frames?: Uint8Array[];
  /**
   * How often a self-rendered loop is redrawn so the clock in the picture stays true;
   * default 60 s (the picture shows HH:MM). Shorter only in tests.
   */
  renderPeriodMs?: number;
  /** A status goes out on connect and then every interval; default 10 s. */
  statusIntervalMs?: number;
  /** When the scene moves (sim/activity.ts); default always. */
  activity?: Activity;
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
  readonly #servers: readonly string[];
  /** Index in #servers of the address the next connection goes to. */
  #hub = 0;
  readonly #statusIntervalMs: number;
  readonly #counters: SendCounters = { seq: 0, frameIndex: 0, sent: 0, skipped: 0 };
  #connects = 0;

  #started = false;
  #stopped = false;
  #bootAt = 0;
  #attempt = 0;
  #ws: WebSocket | undefined;
  #closed: Promise<void> = Promise.resolve();

  readonly #loop: FrameLoop;
  // Every pending timer, so stop() can prove nothing outlives it.
  readonly #timers = new TimerSet();
  #onAbort = () => void this.stop();

  constructor(opts: SimCameraOptions) {
    if (!(opts.fps > 0 && opts.fps <= 120)) {
      throw new RangeError(`Frame rate must be above 0 and at most 120: "${opts.fps}"`);
    }
    if (!(opts.size in FRAME_DIMENSIONS)) {
      throw new RangeError(`Unknown frame size: "${opts.size}" (expected qvga or vga)`);
    }
    const loopFrames = opts.loopFrames ?? defaultLoopFrames(opts.fps);
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
    const servers = typeof opts.server === "string" ? [opts.server] : opts.server;
    if (servers.length === 0) throw new RangeError("No hub address: give at least one server");
    this.#servers = [...servers];
    this.#opts = opts;
    this.#serial = opts.serial;
    this.#statusIntervalMs = statusIntervalMs;
    this.#loop = new FrameLoop({
      serial: opts.serial,
      size: opts.size,
      count: loopFrames,
      renderPeriodMs: opts.renderPeriodMs ?? 60_000,
      frames: opts.frames,
      onRendered: (render) =>
        this.#emit({
          type: "rendered",
          detail: `${render.frames} frames in ${Math.round(render.ms)} ms ` +
            `(${(render.ms / render.frames).toFixed(1)} ms/frame, ` +
            `${(render.avgBytes / 1024).toFixed(1)} KB avg)`,
          render,
        }),
    });
  }

  /** Counters since start(): frames handed to the socket, frames dropped, connections made. */
  get stats(): { readonly sent: number; readonly skipped: number; readonly connects: number } {
    const { sent, skipped } = this.#counters;
    return { sent, skipped, connects: this.#connects };
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
    if (this.#loop.ready) {
      this.#connect();
      return;
    }
    void this.#loop.start().then((ready) => {
      if (ready) this.#connect();
    });
  }

  /** Stops every timer and closes the connection; resolves once the socket is closed. */
  async stop(): Promise<void> {
    if (this.#stopped) return await this.#closed;
    this.#stopped = true;
    this.#opts.signal?.removeEventListener("abort", this.#onAbort);
    this.#loop.stop();
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

  #emit(e: SimCameraEvent): void {
    try {
      this.#opts.onEvent?.(e);
    } catch {
      // A logging callback must not break the camera.
    }
  }

  // ---------------------------------------------------------------------------------------
  // Connection

  #connect(): void {
    if (this.#stopped) return;
    const o = this.#opts;
    const server = this.#servers[this.#hub];
    let ws: WebSocket;
    try {
      ws = new WebSocket(server, {
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
    let stream: FrameStream | undefined;
    let lastError: string | undefined;

    ws.on("open", () => {
      openedAt = performance.now();
      this.#connects++;
      this.#emit({ type: "connected", detail: server });
      if (this.#stopped) return;
      stream = new FrameStream(ws, {
        loop: this.#loop,
        timers: this.#timers,
        counters: this.#counters,
        fps: o.fps,
        statusIntervalMs: this.#statusIntervalMs,
        stamp: o.stamp !== false,
        bootAt: this.#bootAt,
        activity: o.activity,
      });
      stream.start(openedAt);
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
      stream?.stop();
      if (this.#ws === ws) this.#ws = undefined;
      resolveClosed();
      const wasOpen = openedAt > 0;
      const refusal = REFUSAL_CODES[code];
      const healthy = wasOpen && refusal === undefined &&
        ((stream?.sentHere ?? 0) > 0 || performance.now() - openedAt > HEALTHY_CONNECTION_MS);
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
      // Whatever ended this connection (the hub died, refused, or replaced us), another hub
      // of the cluster may do better; with one address this is that address again.
      this.#hub = (this.#hub + 1) % this.#servers.length;
      const attempt = this.#attempt++;
      const delayMs = backoffDelay(attempt, this.#opts.backoff);
      this.#emit({
        type: "disconnected",
        code,
        attempt,
        delayMs,
        detail: `${why}: retry in ${delayMs} ms`,
      });
      this.#timers.later(() => this.#connect(), delayMs);
    });
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
