/**
 * What a simulated camera sends on one open connection, like the firmware: a `status` text
 * at once and then every interval, and frames paced on a fixed timeline, dropped rather than
 * queued when the socket backs up.
 */

// @ts-types="@types/ws"
import WebSocket from "ws";
import { stampFrame } from "../lib/jpeg_com.ts";
import type { FrameLoop } from "./frame_loop.ts";
import type { Timer, TimerSet } from "./timer_set.ts";
import { type Activity, isMoving } from "./activity.ts";

export const SIM_FIRMWARE = "trustcam-sim/1.0.0";
/** Frames the socket may have queued before the camera drops new ones instead. */
export const MAX_QUEUED_FRAMES = 2;

/** What a camera counts across all its connections. */
export interface SendCounters {
  /** Stamp number of the next frame sent. */
  seq: number;
  /** Loop position of the next frame. */
  frameIndex: number;
  sent: number;
  skipped: number;
}

export interface FrameStreamOptions {
  loop: FrameLoop;
  /** The camera's timers, so stopping the camera stops the stream too. */
  timers: TimerSet;
  counters: SendCounters;
  fps: number;
  statusIntervalMs: number;
  /** Stamp each frame with its send time in a COM segment. */
  stamp: boolean;
  /** performance.now() when the camera started, for the status's uptime. */
  bootAt: number;
  /** When the scene moves; without one, always. */
  activity?: Activity;
}

export class FrameStream {
  readonly #ws: WebSocket;
  readonly #o: FrameStreamOptions;
  readonly #intervalMs: number;
  #openedAt = 0;
  #tick = 0;
  #sentHere = 0;
  #frameTimer: Timer | undefined;
  #statusTimer: Timer | undefined;

  constructor(ws: WebSocket, opts: FrameStreamOptions) {
    this.#ws = ws;
    this.#o = opts;
    this.#intervalMs = 1000 / opts.fps;
  }

  /** Frames this connection handed to its socket. */
  get sentHere(): number {
    return this.#sentHere;
  }

  /** Starts sending; `openedAt` (performance.now()) is the start of the frame timeline. */
  start(openedAt: number): void {
    this.#openedAt = openedAt;
    this.#sendStatus();
    this.#sendFrame();
  }

  stop(): void {
    this.#o.timers.cancel(this.#frameTimer);
    this.#o.timers.cancel(this.#statusTimer);
  }

  #sendStatus = (): void => {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(JSON.stringify(this.#status()));
    this.#statusTimer = this.#o.timers.later(this.#sendStatus, this.#o.statusIntervalMs);
  };

  // Frames follow an ideal timeline from the moment the connection opened, so timer
  // jitter does not accumulate; a tick more than one frame late skips ahead, never bursts.
  #sendFrame = (): void => {
    const ws = this.#ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    const c = this.#o.counters;
    const now = performance.now();
    const late = now - (this.#openedAt + this.#tick * this.#intervalMs);
    if (late > this.#intervalMs) {
      const missed = Math.floor(late / this.#intervalMs);
      c.skipped += missed;
      c.frameIndex += missed;
      this.#tick += missed;
    }
    const frame = this.#o.loop.frame(c.frameIndex);
    // A still scene sends the same picture again (with a new stamp).
    if (!this.#o.activity || isMoving(this.#o.activity, now - this.#o.bootAt)) c.frameIndex++;
    this.#tick++;
    if (ws.bufferedAmount > MAX_QUEUED_FRAMES * frame.byteLength) {
      c.skipped++;
    } else {
      const seq = c.seq++;
      const data = this.#o.stamp ? stampFrame(frame, seq, Date.now()) : frame;
      ws.send(data, { binary: true });
      c.sent++;
      this.#sentHere++;
    }
    this.#frameTimer = this.#o.timers.later(
      this.#sendFrame,
      this.#openedAt + this.#tick * this.#intervalMs - performance.now(),
    );
  };

  #status(): Record<string, string | number> {
    // Honest simulation: real counters, fixed plausible memory figures with a small wobble
    // (an ESP32-S3 with 8 MB PSRAM), rssi 0 as the protocol asks for a non-Wi-Fi link.
    const c = this.#o.counters;
    const wobble = (c.seq * 7919) % 4096;
    return {
      type: "status",
      fw: SIM_FIRMWARE,
      uptime_s: Math.floor((performance.now() - this.#o.bootAt) / 1000),
      heap_free: 151_000 + wobble,
      psram_free: 3_981_000 + 16 * wobble,
      rssi_dbm: 0,
      frames_sent: c.sent,
      frames_skipped: c.skipped,
    };
  }
}
