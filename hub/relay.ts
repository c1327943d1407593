/**
 * The relay: device sessions in, viewer sessions out, the bus in between. It keeps the maps of
 * sessions, the latest frame per camera and the camera events, and runs what concerns every
 * connection at once (heartbeat, stats, revocation, shutdown); everything about one socket is
 * in hub/device_session.ts and hub/viewer_session.ts. There are no per-connection timers: the
 * hub calls `heartbeat()` and `broadcastStats()` from intervals it owns, so a closed
 * connection leaves nothing behind (the seed leaked one timer per connection, forever).
 */
import type { WebSocket } from "ws";
import type { Bus, BusEvent, BusFrame } from "../lib/bus.ts";
import { TrustcamError } from "../lib/errors.ts";
import type { CameraInfo, Registry } from "../lib/registry.ts";
import {
  type CameraEvent,
  cameraMessage,
  encodeMessage,
  groupsMessage,
  statsMessage,
} from "../lib/protocol.ts";
import type { Peer } from "../lib/peer.ts";
import type { RecordingArchive } from "../lib/recordings.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";
import { DeviceSession } from "./device_session.ts";
import { ViewerSession } from "./viewer_session.ts";
import { type Sleep, timerSleep } from "./replay_session.ts";
import { type CameraCounters, CLOSED, type Session, type SessionContext } from "./session.ts";
import type { DeviceClaims } from "./cluster_sessions.ts";

export interface RelayOptions {
  registry: Registry;
  bus: Bus;
  metrics: HubMetrics;
  log: Log;
  isSerial: (s: string) => boolean;
  /**
   * Reads the access policy in force now. When the policy changes, call
   * {@link Relay.policyChanged}: viewers' bus subscriptions are checked then, not per frame.
   */
  canSee: (viewer: string, serial: string) => boolean;
  maxFrameBytes: number;
  viewerBufferBytes: number;
  /** Frames per second a device may send; more are dropped (default 30). */
  maxFps?: number;
  /** Largest width and height a frame may declare (default 4096). */
  maxDimension?: number;
  /** Bad device messages in a row before the device is closed with 1003. */
  maxBadInRow?: number;
  deviceTextRate?: { perSec: number; burst: number };
  viewerControlRate?: { perSec: number; burst: number };
  /** The clock of rate limits and frame receive times, in ms; `performance.now()` by default. */
  now?: () => number;
  /** Waits on the clock of `now` (replay pacing); real timers by default. */
  sleep?: Sleep;
  /** The archive viewers replay with `play`; without one every replay ends at once. */
  recordings?: RecordingArchive;
  /** Cluster-wide device sessions (hub/cluster_sessions.ts, `--bus`); none on a lone hub. */
  sessions?: DeviceClaims;
  /**
   * Another hub's event on its way to this hub's viewers (a cluster): returns what they get
   * instead, or null when they get nothing (see hub/services.ts).
   */
  remoteEvent?: (e: BusEvent) => BusEvent | null;
  /**
   * Hub `hub` claimed a camera whose session this hub is about to close (a cluster): the
   * cluster's view learns it first, so this hub's viewers hear that the camera moved, not that
   * it went offline, whichever of the claim and that hub's `online` arrives first.
   */
  movedTo?: (serial: string, hub: string) => void;
  /** Thin links' reduced streams (hub/reduced_streams.ts); absent, viewers get full size. */
  reduced?: SessionContext["reduced"];
}

export class Relay {
  readonly devices = new Map<string, DeviceSession>();
  readonly viewers = new Set<ViewerSession>();
  /** Latest frame per camera, for snapshots and MJPEG; fed from the bus like any viewer. */
  readonly latest = new Map<string, BusFrame>();
  #ctx: SessionContext;
  #counters = new Map<string, CameraCounters>();
  /** Every camera the registry had at start and every one an event named since. */
  #known = new Set<string>();
  #offBus: () => void;
  /** Replay read loops still running, connections closed or not: shutdown waits for them. */
  #replayRuns = new Set<Promise<void>>();
  #claims: DeviceClaims | undefined;
  /** Each device session's id in the cluster's claims. */
  #claimIds = new WeakMap<DeviceSession, string>();
  #remoteEvent: ((e: BusEvent) => BusEvent | null) | undefined;
  #movedTo: ((serial: string, hub: string) => void) | undefined;

  constructor(options: RelayOptions) {
    const limits = { maxFps: 30, maxDimension: 4096, ...options };
    this.#ctx = {
      maxBadInRow: 50,
      deviceTextRate: { perSec: 10, burst: 10 },
      viewerControlRate: { perSec: 20, burst: 40 },
      now: () => performance.now(),
      sleep: timerSleep,
      ...options,
      maxFps: limits.maxFps,
      frameLimits: { maxBytes: options.maxFrameBytes, maxDimension: limits.maxDimension },
      countersFor: (serial) => this.#countersFor(serial),
      announce: (serial, event, camera) => this.#announce(serial, event, camera),
      knownCameras: () => this.#known,
      track: (run) => {
        this.#replayRuns.add(run);
        const done = () => this.#replayRuns.delete(run);
        run.then(done, done);
      },
    };
    this.#claims = options.sessions;
    this.#remoteEvent = options.remoteEvent;
    this.#movedTo = options.movedTo;
    for (const c of options.registry.list()) this.#known.add(c.serial);
    // The hub's own subscription to every camera: its snapshot cache, and the events it hands
    // to each viewer that may see the camera (viewers subscribe to frames only).
    this.#offBus = this.#ctx.bus.subscribe("*", {
      frame: (f) => this.latest.set(f.serial, f),
      event: (e) => this.#onEvent(e),
    });
  }

  #countersFor(serial: string): CameraCounters {
    let c = this.#counters.get(serial);
    if (!c) {
      const m = this.#ctx.metrics;
      const labels = { serial };
      c = {
        framesIn: m.framesIn.labels(labels),
        bytesIn: m.bytesIn.labels(labels),
        framesOut: m.framesOut.labels(labels),
        bytesOut: m.bytesOut.labels(labels),
        skipped: m.framesSkipped.labels(labels),
        dropped: m.framesDropped.labels({ serial, reason: "max_fps" }),
      };
      this.#counters.set(serial, c);
    }
    return c;
  }

  attachDevice(ws: WebSocket, peer: Peer): void {
    const ctx = this.#ctx;
    const serial = peer.cn;
    const session = new DeviceSession(ctx, ws, peer, (s) => {
      const claim = this.#claimIds.get(s);
      if (claim !== undefined) this.#claims?.closed(serial, claim);
      // A replaced connection must not mark the camera offline under its successor.
      if (this.devices.get(serial) !== s) return;
      this.devices.delete(serial);
      const info = ctx.registry.disconnected(serial);
      // In a cluster another hub may hold the camera already: viewers learn where it is now.
      const now = info && ctx.registry.get(serial);
      if (now && now.state !== "offline") this.#announce(serial, "online", now);
      else if (info) this.#announce(serial, "offline", info);
      ctx.registry.flush();
    });
    const previous = this.devices.get(serial);
    this.devices.set(serial, session);
    if (this.#claims) this.#claimIds.set(session, this.#claims.opened(serial));
    if (previous) {
      ctx.log("replace", { serial, addr: previous.peer.remoteAddress, by: peer.remoteAddress });
      previous.close(new TrustcamError("TC_ERR_REPLACED", "replaced"), "replaced");
    }
    ctx.log("connect", { role: "device", cn: peer.cn, serial, addr: peer.remoteAddress });
    this.#announce(serial, "online", ctx.registry.connected(serial));
    ctx.registry.flush();
  }

  /** Hub `by` holds `serial` now: its session `claim` here, if still open, closes 4000. */
  replaceDevice(serial: string, claim: string, by: string): void {
    const s = this.devices.get(serial);
    if (!s || this.#claimIds.get(s) !== claim) return;
    this.#ctx.log("replace", { serial, addr: s.peer.remoteAddress, by: "another hub" });
    this.#movedTo?.(serial, by);
    s.close(new TrustcamError("TC_ERR_REPLACED", "replaced"), "replaced");
  }

  attachViewer(ws: WebSocket, peer: Peer, url: URL): void {
    const session = new ViewerSession(this.#ctx, ws, peer, url, (s) => this.viewers.delete(s));
    this.viewers.add(session);
  }

  /** Skip counts of one viewer (tests and the API read these). */
  viewerSkips(cn: string): Map<string, number> {
    const total = new Map<string, number>();
    for (const v of this.viewers) {
      if (v.peer.cn !== cn) continue;
      for (const [s, n] of v.skipped) total.set(s, (total.get(s) ?? 0) + n);
    }
    return total;
  }

  /**
   * The access policy changed: every viewer's bus subscriptions follow it now, and a viewer
   * whose set changed is told with a `subscribed` message.
   */
  policyChanged(): void {
    for (const v of this.viewers) if (v.sync()) v.ack();
  }

  #onEvent(e: BusEvent): void {
    if (e.origin !== undefined && this.#remoteEvent) {
      const seen = this.#remoteEvent(e);
      if (!seen) return;
      e = seen;
    }
    const removed = e.payload.type === "camera" && e.payload.event === "removed";
    if (removed) {
      this.#known.delete(e.serial);
      this.latest.delete(e.serial);
    } else this.#known.add(e.serial);
    for (const v of this.viewers) v.event(e);
  }

  #announce(serial: string, event: CameraEvent, camera: CameraInfo): void {
    this.#ctx.bus.publishEvent({ serial, payload: cameraMessage(event, camera) });
  }

  /** Announces an event that happened outside a session (rename, stall, recording mode). */
  announce(serial: string, event: "renamed" | "stalled" | "recording" | "motion" | "hidden"): void {
    const info = this.#ctx.registry.get(serial);
    if (info) this.#announce(serial, event, info);
  }

  /**
   * Announces a camera the registry has just forgotten (`camera` as it was last); when the
   * event comes back from the bus the relay drops what it kept of it (latest frame, place
   * among the known cameras).
   */
  announceRemoved(camera: CameraInfo): void {
    this.#announce(camera.serial, "removed", camera);
  }

  /** Tells every viewer that the camera groups changed (each refetches its own view). */
  groupsChanged(): void {
    const text = encodeMessage(groupsMessage());
    for (const v of this.viewers) v.sendText(text);
  }

  /**
   * Announces a camera another hub holds that went offline or came back here (its hub went
   * quiet, or was heard again): `camera` as last known, unless the registry knows better.
   */
  announceElsewhere(camera: CameraInfo): void {
    const info = this.#ctx.registry.get(camera.serial) ?? camera;
    this.#announce(camera.serial, info.state === "offline" ? "offline" : "online", info);
  }

  /** Pings every peer; one that missed two pongs in a row is terminated. */
  heartbeat(): void {
    const ctx = this.#ctx;
    for (const s of this.#sessions()) {
      if (s.missedPongs >= 2) {
        ctx.metrics.closes.inc({ role: s.peer.role, reason: "missed_pongs" });
        ctx.log("terminate", {
          role: s.peer.role,
          cn: s.peer.cn,
          addr: s.peer.remoteAddress,
          reason: "missed pongs",
        });
        s.ws.terminate();
        continue;
      }
      s.missedPongs++;
      try {
        s.ws.ping();
      } catch {
        // Closing already; the close handler cleans up.
      }
    }
  }

  /** Sends per-camera stats to every viewer, each seeing only what it may. */
  broadcastStats(): void {
    if (this.viewers.size === 0) return;
    const ctx = this.#ctx;
    const stats = ctx.registry.stats();
    let shared: string | undefined;
    for (const v of this.viewers) {
      const visible = stats.filter((s) => ctx.canSee(v.peer.cn, s.serial));
      const text = visible.length === stats.length
        ? (shared ??= encodeMessage(statsMessage(stats)))
        : encodeMessage(statsMessage(visible));
      v.sendText(text);
    }
  }

  /** Closes every connection whose certificate is now revoked; returns how many. */
  enforceRevocations(isRevoked: (p: Peer) => boolean): number {
    let n = 0;
    for (const s of this.#sessions()) {
      if (!isRevoked(s.peer)) continue;
      n++;
      this.#ctx.log("revoke", {
        role: s.peer.role,
        cn: s.peer.cn,
        addr: s.peer.remoteAddress,
        fingerprint: s.peer.fingerprint256,
      });
      s.close(new TrustcamError("TC_ERR_REVOKED", "Certificate revoked"), "revoked");
    }
    return n;
  }

  /** Closes everything (hub shutdown) and waits for the close handshakes, bounded. */
  async closeAll(waitMs = 2000): Promise<void> {
    this.#offBus();
    const all = this.#sessions();
    const closed = all.map((s) =>
      s.ws.readyState === CLOSED
        ? Promise.resolve()
        : new Promise<void>((r) => s.ws.once("close", r))
    );
    for (const s of all) {
      s.close(new TrustcamError("TC_ERR_SHUTDOWN", "Hub shutting down"), "shutdown");
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((r) => timer = setTimeout(r, waitMs)),
    ]);
    clearTimeout(timer);
    for (const s of all) if (s.ws.readyState !== CLOSED) s.ws.terminate();
    await Promise.all(closed);
    // Closed sessions aborted their replays; a read in progress still finishes.
    await Promise.all(this.#replayRuns);
  }

  /** Replay read loops running (a closed connection's last read may still be finishing). */
  get replaysRunning(): number {
    return this.#replayRuns.size;
  }

  get connectionCounts(): { device: number; viewer: number } {
    return { device: this.devices.size, viewer: this.viewers.size };
  }

  #sessions(): (Session & { close(err: TrustcamError, reason: string): void })[] {
    return [...this.devices.values(), ...this.viewers];
  }
}
