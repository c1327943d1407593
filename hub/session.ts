/**
 * What device and viewer sessions share: the relay's dependencies, the per-camera metric
 * children, and the one way a session closes its socket or reports a socket error.
 */
import type { WebSocket } from "ws";
import type { Bus } from "../lib/bus.ts";
import { closeCodeOf, TrustcamError } from "../lib/errors.ts";
import type { CameraInfo, Registry } from "../lib/registry.ts";
import type { CameraEvent } from "../lib/protocol.ts";
import type { Peer } from "../lib/peer.ts";
import type { FrameLimits } from "../lib/frame_check.ts";
import type { RecordingArchive } from "../lib/recordings.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";
import type { Sleep } from "./replay_session.ts";
import type { ReducedStreams } from "./reduced_streams.ts";

export const OPEN = 1;
export const CLOSED = 3;

/** One open WebSocket of either role. */
export interface Session {
  readonly ws: WebSocket;
  readonly peer: Peer;
  /** Pings sent since the last pong; the relay's heartbeat reads and the pong handler resets. */
  missedPongs: number;
}

/** Bound metric children per camera, so the per-frame path does no label lookups. */
export interface CameraCounters {
  framesIn: { inc(n?: number): void };
  bytesIn: { inc(n?: number): void };
  framesOut: { inc(n?: number): void };
  bytesOut: { inc(n?: number): void };
  skipped: { inc(n?: number): void };
  /** Frames over the device's --max-fps, dropped before any check. */
  dropped: { inc(n?: number): void };
}

export interface Rate {
  perSec: number;
  burst: number;
}

/** The relay's options with their defaults, plus what the relay provides to its sessions. */
export interface SessionContext {
  readonly registry: Registry;
  readonly bus: Bus;
  readonly metrics: HubMetrics;
  readonly log: Log;
  readonly isSerial: (s: string) => boolean;
  readonly canSee: (viewer: string, serial: string) => boolean;
  /** Milliseconds, `performance.now()` style: token buckets and frame receive times. */
  readonly now: () => number;
  readonly maxFrameBytes: number;
  readonly frameLimits: FrameLimits;
  readonly maxFps: number;
  readonly viewerBufferBytes: number;
  readonly maxBadInRow: number;
  readonly deviceTextRate: Rate;
  readonly viewerControlRate: Rate;
  countersFor(serial: string): CameraCounters;
  /** Publishes a camera event on the bus. */
  announce(serial: string, event: CameraEvent, camera: CameraInfo): void;
  /** Every camera the hub knows of (the registry's and those events named since). */
  knownCameras(): Iterable<string>;
  /** The recording archive viewers replay (`play`); absent: replays end at once. */
  readonly recordings?: RecordingArchive;
  /** Waits on the clock of `now`: replay pacing. */
  readonly sleep: Sleep;
  /** Registers a replay's read loop until it settles. */
  track(run: Promise<void>): void;
  /** Thin links' reduced streams; absent, a viewer asking for a reduced size gets full. */
  readonly reduced?: Pick<ReducedStreams, "subscribe">;
}

/** Closes `s` for `err`: the close code comes from lib/errors.ts's table. */
export function closeSession(
  ctx: SessionContext,
  s: Session,
  err: TrustcamError,
  metricReason: string,
  detail?: string,
): void {
  ctx.metrics.closes.inc({ role: s.peer.role, reason: metricReason });
  const code = closeCodeOf(err) ?? 1011;
  ctx.log("close", {
    role: s.peer.role,
    cn: s.peer.cn,
    addr: s.peer.remoteAddress,
    code,
    reason: err.message,
    error: err.code,
    detail,
  });
  if (s.ws.readyState === OPEN) s.ws.close(code, err.message);
  else s.ws.terminate();
}

/**
 * A socket error. A message over the listener's `maxPayload` arrives here (`ws` has already
 * closed the socket with 1009): for a device that is a frame too large.
 */
export function reportSocketError(
  ctx: SessionContext,
  s: Session,
  err: Error & { code?: string },
): void {
  if (err.code !== "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
    ctx.log("ws-error", { cn: s.peer.cn, addr: s.peer.remoteAddress, error: err });
    return;
  }
  const role = s.peer.role;
  ctx.metrics.closes.inc({ role, reason: "too_large" });
  if (role === "device") {
    ctx.metrics.framesBad.inc({ serial: s.peer.cn, reason: "too_large" });
    ctx.registry.bad(s.peer.cn);
    const tooLarge = frameTooLarge();
    ctx.log("close", {
      role,
      cn: s.peer.cn,
      addr: s.peer.remoteAddress,
      code: closeCodeOf(tooLarge),
      reason: tooLarge.message,
      error: tooLarge.code,
    });
    return;
  }
  ctx.log("close", {
    role,
    cn: s.peer.cn,
    addr: s.peer.remoteAddress,
    code: 1009,
    reason: "Message too large",
  });
}

export function frameTooLarge(): TrustcamError {
  return new TrustcamError("TC_ERR_FRAME_TOO_LARGE", "Frame too large");
}
