/**
 * The page's side of WebSocket replay (docs/protocol.md, "Replay"): per camera what the page
 * asked for (`play` / `pause` / `live`, built by lib/protocol.ts) and what the hub acknowledged, so
 * the socket knows which of the camera's frames to paint. Recorded and live frames share one
 * binary message; recorded ones carry their capture time (`trustcam-at=` COM), so after a
 * command the frames still in flight from before it are told apart and dropped:
 *
 * - live (no entry): paint frames without a capture time;
 * - `starting`: a `play` is not yet acknowledged: paint nothing (frames from the old position,
 *   or live frames, are in flight);
 * - `playing`: paint recorded frames only;
 * - `paused` / `ended`: paint nothing from the socket (the page may paint a still itself);
 * - `leaving`: `live` sent, not yet acknowledged: paint live frames only.
 *
 * Pure: the socket feeds it commands, messages and frames' capture times.
 */
import {
  liveCommand,
  MAX_REPLAY_SPEED,
  MIN_REPLAY_SPEED,
  pauseCommand,
  playCommand,
  type ReplayCommand,
  type ReplayMessage,
} from "../protocol.ts";

export type { ReplayCommand, ReplayMessage };

export type ReplayMode = "starting" | "playing" | "paused" | "ended" | "leaving";

export interface ReplayState {
  mode: ReplayMode;
  /** Where the last `play` asked to start, epoch ms. */
  from: number;
  speed: number;
  /** Capture time of the last recorded frame let through, epoch ms. */
  lastAt?: number;
}

/** Speeds the page offers. */
export const SPEEDS = [1, 2, 4, 8] as const;

/** Error codes the hub answers a refused `play` with. */
const PLAY_REFUSALS = new Set([
  "TC_ERR_FORBIDDEN",
  "TC_ERR_BAD_TIME",
  "TC_ERR_BAD_CONTROL",
  "TC_ERR_REPLAY_LIMIT",
  "TC_ERR_RATE",
]);

/** A `play` the hub will take: a finite start, a speed in its range. */
export function checkedPlay(camera: string, from: number, speed: number): ReplayCommand {
  if (!Number.isFinite(from)) throw new RangeError(`Invalid replay start: "${from}"`);
  if (!(speed >= MIN_REPLAY_SPEED && speed <= MAX_REPLAY_SPEED)) {
    throw new RangeError(
      `Invalid replay speed: "${speed}": must be ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED}`,
    );
  }
  return playCommand(camera, Math.round(from), speed);
}

/** What the page asked of the hub per camera, and which frames to let through. */
export class ReplayTracker {
  /** `pending`: plays not yet acknowledged; `suspended`: paused by {@link suspend}. */
  readonly #states = new Map<string, ReplayState & { pending: number; suspended?: boolean }>();

  /** The replay of `camera`, or undefined while it is live. */
  state(camera: string): ReplayState | undefined {
    const s = this.#states.get(camera);
    return s && { mode: s.mode, from: s.from, speed: s.speed, lastAt: s.lastAt };
  }

  /** Whether frames of `camera` need their capture time read ({@link accept}). */
  tracks(camera: string): boolean {
    return this.#states.has(camera);
  }

  play(camera: string, from: number, speed: number): ReplayCommand {
    const cmd = checkedPlay(camera, from, speed);
    const s = this.#states.get(camera);
    // A second play before the first is acknowledged waits for both acknowledgements.
    const pending = (s && s.mode !== "leaving" ? s.pending : 0) + 1;
    this.#states.set(camera, { mode: "starting", from, speed, pending });
    return cmd;
  }

  /** Undefined when `camera` is not replaying (nothing to pause). */
  pause(camera: string): ReplayCommand | undefined {
    const s = this.#states.get(camera);
    if (!s || s.mode === "leaving") return undefined;
    s.mode = "paused";
    s.suspended = false;
    return pauseCommand(camera);
  }

  /** Undefined when `camera` is live already. */
  live(camera: string): ReplayCommand | undefined {
    const s = this.#states.get(camera);
    if (!s || s.mode === "leaving") return undefined;
    this.#states.set(camera, { mode: "leaving", from: s.from, speed: s.speed, pending: 0 });
    return liveCommand(camera);
  }

  /** Applies an acknowledgement; true when the camera's state changed. */
  onMessage(msg: ReplayMessage): boolean {
    const s = this.#states.get(msg.camera);
    if (!s) return false;
    switch (msg.state) {
      case "playing":
        if (s.pending > 0) s.pending--;
        if (s.mode === "starting" && s.pending === 0) {
          s.mode = "playing";
          return true;
        }
        return false;
      case "ended":
        if (s.mode !== "playing") return false;
        s.mode = "ended";
        return true;
      case "live":
        if (s.mode !== "leaving") return false;
        this.#states.delete(msg.camera);
        return true;
      default:
        return false;
    }
  }

  /**
   * A control message was refused: a `play` still waiting is taken as the refused one, and
   * its camera goes back to live (the hub kept sending it live). The cameras that did.
   */
  onError(code: string): string[] {
    if (!PLAY_REFUSALS.has(code)) return [];
    for (const [camera, s] of this.#states) {
      if (s.pending === 0) continue;
      s.pending--;
      if (s.pending === 0 && s.mode === "starting") {
        this.#states.delete(camera);
        return [camera];
      }
      return [];
    }
    return [];
  }

  /** Whether to paint a frame of `camera` captured at `at` (undefined: a live frame). */
  accept(camera: string, at: number | undefined): boolean {
    const s = this.#states.get(camera);
    if (!s) return at === undefined;
    switch (s.mode) {
      case "playing":
        if (at === undefined) return false;
        s.lastAt = at;
        return true;
      case "leaving":
        return at === undefined;
      default:
        return false;
    }
  }

  /**
   * The tab is hidden: nobody sees the picture, so what plays is paused (as live frames are
   * unsubscribed). The commands.
   */
  suspend(): ReplayCommand[] {
    const out: ReplayCommand[] = [];
    for (const [camera, s] of this.#states) {
      if (s.mode !== "starting" && s.mode !== "playing") continue;
      s.mode = "paused";
      s.suspended = true;
      out.push(pauseCommand(camera));
    }
    return out;
  }

  /** The tab is visible again: what {@link suspend} paused plays on from where it stopped. */
  resume(): ReplayCommand[] {
    const out: ReplayCommand[] = [];
    for (const [camera, s] of this.#states) {
      if (!s.suspended) continue;
      s.suspended = false;
      if (s.mode !== "paused") continue;
      out.push(this.play(camera, s.lastAt ?? s.from, s.speed));
    }
    return out;
  }

  /**
   * After a reconnect the hub knows nothing of the replays: the commands that bring them
   * back, playing on from the last frame let through.
   */
  reconnected(): ReplayCommand[] {
    const out: ReplayCommand[] = [];
    for (const [camera, s] of this.#states) {
      if (s.mode === "leaving" || s.mode === "ended") {
        // A new connection starts live.
        this.#states.delete(camera);
        continue;
      }
      const from = s.lastAt ?? s.from;
      out.push(checkedPlay(camera, from, s.speed));
      s.pending = 1;
      if (s.mode === "paused") out.push(pauseCommand(camera));
      else s.mode = "starting";
    }
    return out;
  }
}
