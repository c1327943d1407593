/**
 * The replays of one viewer connection: at most {@link MAX_REPLAYS} cameras, each a
 * {@link ReplaySession}. A camera stays here from its `play` until its `live` (paused or ended
 * too): while it is here the viewer session does not subscribe to its live frames.
 */
import { TrustcamError } from "../lib/errors.ts";
import type { ReplayCommand, ReplayMessage } from "../lib/protocol.ts";
import { quote } from "../lib/quote.ts";
import type { FrameSink } from "../lib/send_queue.ts";
import { type ReplayContext, ReplaySession } from "./replay_session.ts";

/** What the replays need of the relay: its clock, archive and log, and the policy. */
export interface ViewerReplayContext extends ReplayContext {
  canSee(viewer: string, serial: string): boolean;
}

export interface ReplayInfo {
  camera: string;
  state: string;
  read: number;
  sent: number;
  skipped: number;
  waiting: number;
}

/** Cameras one connection may replay at once (playing, paused or ended, until `live`). */
export const MAX_REPLAYS = 4;

export class ViewerReplays {
  readonly #ctx: ViewerReplayContext;
  readonly #cn: string;
  readonly #sink: FrameSink;
  readonly #send: (msg: ReplayMessage) => void;
  readonly #replays = new Map<string, ReplaySession>();

  constructor(
    ctx: ViewerReplayContext,
    cn: string,
    sink: FrameSink,
    send: (msg: ReplayMessage) => void,
  ) {
    this.#ctx = ctx;
    this.#cn = cn;
    this.#sink = sink;
    this.#send = send;
  }

  /** Whether `serial` is replayed (so its live frames are held back). O(1). */
  has(serial: string): boolean {
    return this.#replays.has(serial);
  }

  /** The cameras replayed, sorted, with their states and counts (tests read it). */
  get states(): ReplayInfo[] {
    return [...this.#replays.values()]
      .map((r) => ({ camera: r.serial, state: r.state, ...r.counts }))
      .sort((a, b) => a.camera < b.camera ? -1 : 1);
  }

  /**
   * `play` (acknowledged by its session), `pause` (likewise) or `live` (the replay ends; the
   * viewer session subscribes the camera and acknowledges). Throws, changing nothing,
   * TC_ERR_FORBIDDEN for a camera the policy hides, TC_ERR_REPLAY_LIMIT for a fifth camera and
   * TC_ERR_BAD_CONTROL for pausing a camera that is not replayed.
   */
  command(cmd: ReplayCommand): void {
    const serial = cmd.camera;
    if (!this.#ctx.canSee(this.#cn, serial)) {
      throw new TrustcamError("TC_ERR_FORBIDDEN", `Not allowed to see camera: ${quote(serial)}`);
    }
    let replay = this.#replays.get(serial);
    if (cmd.type === "live") {
      replay?.end();
      this.#replays.delete(serial);
      return;
    }
    if (cmd.type === "pause") {
      if (!replay) {
        throw new TrustcamError("TC_ERR_BAD_CONTROL", `Camera is not replaying: ${quote(serial)}`);
      }
      replay.pause();
      return;
    }
    if (!replay) {
      if (this.#replays.size >= MAX_REPLAYS) {
        throw new TrustcamError(
          "TC_ERR_REPLAY_LIMIT",
          `Too many cameras replaying: ${this.#replays.size + 1} > ${MAX_REPLAYS}`,
        );
      }
      replay = new ReplaySession(this.#ctx, serial, this.#cn, this.#sink, this.#send);
      this.#replays.set(serial, replay);
    }
    replay.play(cmd.from, cmd.speed);
  }

  /** Ends, with an `ended` message, the replays of cameras `visible` refuses; true if any. */
  endHidden(visible: (serial: string) => boolean): boolean {
    let ended = false;
    for (const [serial, replay] of this.#replays) {
      if (visible(serial)) continue;
      replay.endAndTell();
      this.#replays.delete(serial);
      ended = true;
    }
    return ended;
  }

  /** Ends every replay (the socket closed). */
  close(): void {
    for (const replay of this.#replays.values()) replay.end();
    this.#replays.clear();
  }
}
