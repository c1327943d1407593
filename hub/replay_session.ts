/**
 * One camera's replay on one viewer connection (docs/protocol.md, "Replay"): reads the
 * camera's recorded frames one at a time, sends each at its recorded timing divided by the
 * speed, stamped with its capture time (a `trustcam-at=` COM right after SOI) in the usual
 * viewer frame. Frames go out through a {@link LatestSender}: one write in flight and at most 4
 * frames (1 MiB) waiting; past that the waiting ones are dropped for the newest, so a viewer
 * slower than the replay skips ahead instead of queueing, and a fast replay holds a bounded few
 * frames for its viewer.
 *
 * Time comes from the relay's clock (`now`, `sleep`), so tests pace a replay by hand. Reads
 * are awaited one at a time and the loop sleeps until each frame is due: a 16x replay costs
 * one file read per frame sent, never a busy loop.
 */
import { withRecordedAt } from "../lib/jpeg_com.ts";
import { LatestSender } from "../lib/latest_sender.ts";
import {
  replayEndedMessage,
  type ReplayMessage,
  replayPausedMessage,
  replayPlayingMessage,
} from "../lib/protocol.ts";
import { RANGE_GAP_MS, type RecordedFrame, type RecordingArchive } from "../lib/recordings.ts";
import type { FrameSink } from "../lib/send_queue.ts";
import { buildViewerFrame } from "../lib/trailer.ts";
import type { Log } from "./log.ts";

/** Resolves after `ms` on the relay's clock, or as soon as `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** A {@link Sleep} on real timers; the timer is cleared when the signal aborts. */
export function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

export interface ReplayContext {
  /** Absent: the hub reads no archive, every replay ends at once. */
  readonly recordings?: RecordingArchive;
  /** Milliseconds (`performance.now()` style): the pacing clock. */
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly log: Log;
  /** Every replay's read loop: the relay waits for them on shutdown and counts them for tests. */
  track(run: Promise<void>): void;
}

export type ReplayState = "playing" | "paused" | "ended";

interface OutFrame {
  readonly data: Uint8Array;
  readonly time: number;
}

export class ReplaySession {
  readonly serial: string;
  readonly #ctx: ReplayContext;
  readonly #sink: FrameSink;
  readonly #send: (msg: ReplayMessage) => void;
  readonly #cn: string;
  #state: ReplayState = "ended";
  /** The capture time of the last frame sent, or the `from` of the play before the first. */
  #position = 0;
  #abort: AbortController | undefined;
  #sender: LatestSender<OutFrame> | undefined;
  /** Frames read since the last play. */
  #read = 0;

  constructor(
    ctx: ReplayContext,
    serial: string,
    cn: string,
    sink: FrameSink,
    send: (msg: ReplayMessage) => void,
  ) {
    this.#ctx = ctx;
    this.serial = serial;
    this.#cn = cn;
    this.#sink = sink;
    this.#send = send;
  }

  get state(): ReplayState {
    return this.#state;
  }

  /** Capture time of the last frame sent (the `from` of the play before the first). */
  get position(): number {
    return this.#sender?.last?.time ?? this.#position;
  }

  /** What the replay did since its last play (tests and the log read it). */
  get counts(): { read: number; sent: number; skipped: number; waiting: number } {
    const s = this.#sender;
    return {
      read: this.#read,
      sent: s?.sent ?? 0,
      skipped: s?.skipped ?? 0,
      waiting: s?.waiting ?? 0,
    };
  }

  /** (Re)starts from `from` (epoch ms): the `playing` ack goes out before any frame. */
  play(from: number, speed: number): void {
    this.#stop();
    this.#position = from;
    this.#read = 0;
    const abort = this.#abort = new AbortController();
    const sender = this.#sender = new LatestSender<OutFrame>(this.#sink);
    this.#state = "playing";
    this.#ctx.log("replay", {
      cn: this.#cn,
      serial: this.serial,
      from: new Date(from).toISOString(),
      speed,
    });
    this.#send(replayPlayingMessage(this.serial, from, speed));
    this.#ctx.track(this.#run(from, speed, abort.signal, sender));
  }

  /** Stops sending and keeps the position; acknowledged with `paused`. */
  pause(): void {
    this.#stop();
    this.#state = "paused";
    this.#send(replayPausedMessage(this.serial, this.#position));
  }

  /** Stops for good (`live`, close): no frame goes out after this returns. */
  end(): void {
    this.#stop();
    this.#state = "ended";
  }

  /** Ends the replay and says so to the viewer (the policy hides the camera now). */
  endAndTell(): void {
    this.end();
    this.#send(replayEndedMessage(this.serial, this.#position));
  }

  #stop(): void {
    this.#position = this.position;
    this.#abort?.abort();
    this.#abort = undefined;
    // The write in flight is in the socket already, ahead of any ack sent after this.
    this.#sender?.close();
  }

  async #run(
    from: number,
    speed: number,
    signal: AbortSignal,
    sender: LatestSender<OutFrame>,
  ): Promise<void> {
    const { recordings, now, sleep } = this.#ctx;
    try {
      const frames: AsyncIterable<RecordedFrame> = recordings
        ? recordings.frames(this.serial, from, Infinity, { signal })
        : (async function* () {})();
      let base = 0;
      let baseTime = 0;
      let prev = -Infinity;
      for await (const f of frames) {
        if (signal.aborted) return;
        this.#read++;
        // A gap in the recording (the camera or the recorder was off) is skipped, not waited.
        if (f.time - prev > RANGE_GAP_MS) {
          base = now();
          baseTime = f.time;
        }
        prev = f.time;
        const wait = base + (f.time - baseTime) / speed - now();
        if (wait > 0) await sleep(wait, signal);
        if (signal.aborted) return;
        sender.push({
          data: buildViewerFrame(withRecordedAt(f.jpeg, f.time), this.serial),
          time: f.time,
        });
      }
    } catch (err) {
      if (signal.aborted) return;
      this.#ctx.log("replay-error", { cn: this.#cn, serial: this.serial, error: err });
    }
    // `ended` follows the last frame into the socket.
    await sender.idle();
    if (signal.aborted) return;
    this.#position = this.position;
    this.#state = "ended";
    this.#send(replayEndedMessage(this.serial, this.#position));
  }
}
