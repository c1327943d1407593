/**
 * The page's one WebSocket to the hub: binary frames are split with lib/trailer.ts (the same
 * module the hub builds them with) and handed to the frame callback; JSON messages are
 * parsed and handed on. It keeps the hub's subscription equal to the cameras the page wants
 * (tiles on screen, tab visible) and each camera's stream options (thin links: size and frame
 * rate, lib/thin_link.ts), in few control messages, and reconnects with backoff
 * (lib/client/reconnect_machine.ts) until the hub states that this certificate is refused.
 */
import { parseViewerFrame } from "../trailer.ts";
import type { BackoffOptions } from "../backoff.ts";
import {
  INITIAL_LINK,
  type LinkAction,
  type LinkEvent,
  type LinkState,
  stepLink,
} from "./reconnect_machine.ts";
import type { AccessProblem } from "./access_probe.ts";
import { type HubMessage, parseHubMessage } from "./messages.ts";
import { type ReplayCommand, type ReplayState, ReplayTracker } from "./replay.ts";
import { recordedAt } from "../jpeg_com.ts";
import { DEFAULT_STREAM, streamKey, type StreamOptions } from "../thin_link.ts";
import { subscriptionDiff } from "./subscription_diff.ts";

export type { StreamOptions };

export type SocketStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface ViewerSocketOptions {
  /** wss://host/ws; the initial subscription is added as `?cameras=`. */
  url: string;
  /** A frame to paint; `recordedAt` is its capture time when it is a replayed one. */
  onFrame(serial: string, jpeg: Uint8Array, receivedAt: number, recordedAt?: number): void;
  onMessage?(msg: HubMessage): void;
  /** Status changes; `retryAt` (Date.now() ms) is set while reconnecting. */
  onStatus?(status: SocketStatus, retryAt?: number): void;
  /**
   * The page stopped for good: the hub refuses this certificate. `viewer` is the name the
   * hub greeted it with, if it did.
   */
  onEnded?(problem: AccessProblem, viewer: string | undefined): void;
  /**
   * Asks the hub whether it refuses this certificate (lib/client/access_probe.ts), after a
   * close that says nothing; without it, failures only back off.
   */
  probe?(signal: AbortSignal): Promise<AccessProblem | null>;
  /** A probe that has not settled by then counts as saying nothing; default 5 s. */
  probeTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Minimum time between two subscription updates; keeps far below the hub's limit. */
  flushIntervalMs?: number;
  /** For tests: another WebSocket implementation. */
  WebSocket?: typeof WebSocket;
}

/** Above this many cameras the initial set goes in messages, not in the URL. */
const MAX_URL_CAMERAS = 64;
const DEFAULT_FLUSH_MS = 100;
const DEFAULT_PROBE_TIMEOUT_MS = 5000;

export class ViewerSocket {
  readonly #o: ViewerSocketOptions;
  readonly #WS: typeof WebSocket;
  #ws: WebSocket | undefined;
  /** Cameras the page wants frames for. */
  #wanted = new Set<string>();
  /** Their stream options, where not the default. */
  #wantedOptions = new Map<string, StreamOptions>();
  /** Paused (hidden tab): the hub is asked for nothing. */
  #paused = false;
  /** What the hub has for this connection, as far as we told it. */
  #hubSet = new Set<string>();
  /** And with which stream options, where not the default. */
  #hubOptions = new Map<string, StreamOptions>();
  /** What the hub last acknowledged (`subscribed`) on this connection. */
  #confirmed: ReadonlySet<string> = new Set<string>();
  #link: LinkState = INITIAL_LINK;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Aborts the probe in flight; cleared when it settles or is dropped. */
  #probeAbort: AbortController | undefined;
  /** The CN from the hub's hello, for the page that says the certificate was refused. */
  #viewer: string | undefined;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #lastFlush = 0;
  #closed = false;
  #status: SocketStatus = "connecting";
  readonly #replay = new ReplayTracker();
  /** Counters for the page and for tests. */
  readonly counters = {
    frames: 0,
    badFrames: 0,
    messages: 0,
    connects: 0,
    controlSent: 0,
    /** Frames in flight across a replay command, not painted (lib/client/replay.ts). */
    replayDropped: 0,
  };

  constructor(opts: ViewerSocketOptions) {
    this.#o = opts;
    this.#WS = opts.WebSocket ?? WebSocket;
  }

  get status(): SocketStatus {
    return this.#status;
  }

  /** What the hub is sending this connection (for tests and the camera page). */
  get subscribed(): ReadonlySet<string> {
    return this.#hubSet;
  }

  /**
   * What the hub says this connection receives, from its last `subscribed` message: lags
   * {@link subscribed} until the hub has applied the last change.
   */
  get confirmed(): ReadonlySet<string> {
    return this.#confirmed;
  }

  /** Why the hub refuses this certificate, once it has said so; the socket stays closed. */
  get problem(): AccessProblem | undefined {
    return this.#link.problem;
  }

  /** Opens the socket; call once, after the first {@link want}s. */
  start(): void {
    this.#dispatch({ type: "start" });
  }

  /**
   * Sets the cameras the page wants, and how (`optionsOf`; default: full size, no cap); the
   * hub is told soon, in one batch.
   */
  want(serials: Iterable<string>, optionsOf?: (serial: string) => StreamOptions): void {
    this.#wanted = new Set(serials);
    this.#wantedOptions = new Map();
    if (optionsOf) {
      for (const s of this.#wanted) {
        const o = optionsOf(s);
        if (streamKey(o) !== "full") this.#wantedOptions.set(s, o);
      }
    }
    this.#scheduleFlush();
  }

  /** The stream options the hub was asked for `serial` (tests and the page read it). */
  streamOptions(serial: string): StreamOptions | undefined {
    return this.#hubSet.has(serial) ? this.#hubOptions.get(serial) ?? DEFAULT_STREAM : undefined;
  }

  /** Pauses all frames (hidden tab), replays included, or resumes the wanted set. */
  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    this.#scheduleFlush();
    for (const cmd of paused ? this.#replay.suspend() : this.#replay.resume()) this.#command(cmd);
  }

  /**
   * Replays `camera` from `from` (epoch ms) at `speed`: from the hub's acknowledgement on,
   * only its recorded frames are handed on. Again while replaying: a seek.
   */
  play(camera: string, from: number, speed: number): void {
    this.#command(this.#replay.play(camera, from, speed));
  }

  /** Stops the recorded frames of `camera`; the page resumes with {@link play}. */
  pause(camera: string): void {
    this.#command(this.#replay.pause(camera));
  }

  /** Ends the replay of `camera`: its live frames flow again. */
  goLive(camera: string): void {
    const cmd = this.#replay.live(camera);
    if (!cmd || !this.#command(cmd)) return;
    // The hub subscribes the camera with `live`, wanted or not (a hidden tab): say so, and let
    // the next flush take it back if it is not wanted.
    this.#hubSet.add(camera);
    // With the hub's default options at worst: the flush asks for the wanted ones again.
    this.#hubOptions.delete(camera);
    this.#scheduleFlush();
  }

  /** The replay of `camera` as the page asked and the hub acknowledged; undefined: live. */
  replayState(camera: string): ReplayState | undefined {
    return this.#replay.state(camera);
  }

  /**
   * Ends the wait before the next attempt ("Retry now"): it starts at once, or as soon as a
   * probe in flight says the hub does not refuse this certificate. Otherwise nothing.
   */
  retryNow(): void {
    this.#dispatch({ type: "retry" });
  }

  close(): void {
    this.#closed = true;
    this.#dispatch({ type: "stop" });
    clearTimeout(this.#flushTimer);
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState <= 1) ws.close(1000);
    this.#setStatus("closed");
  }

  #target(): Set<string> {
    return this.#paused ? new Set() : this.#wanted;
  }

  #dispatch(e: LinkEvent): void {
    const [next, actions] = stepLink(this.#link, e, {
      backoff: this.#o.backoff,
      probes: this.#o.probe !== undefined,
    });
    this.#link = next;
    for (const a of actions) this.#run(a);
  }

  #run(a: LinkAction): void {
    switch (a.type) {
      case "connect":
        return this.#connect(a.retry);
      case "wait":
        this.#setStatus("reconnecting", Date.now() + a.delayMs);
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          this.#dispatch({ type: "delayed" });
        }, a.delayMs);
        return;
      case "probe":
        return this.#probe();
      case "skip":
        clearTimeout(this.#retryTimer);
        this.#retryTimer = undefined;
        return;
      case "cancel":
        clearTimeout(this.#retryTimer);
        this.#retryTimer = undefined;
        this.#probeAbort?.abort();
        this.#probeAbort = undefined;
        return;
      case "end":
        clearTimeout(this.#flushTimer);
        this.#setStatus("closed");
        this.#o.onEnded?.(a.problem, this.#viewer);
        return;
    }
  }

  #probe(): void {
    const ac = new AbortController();
    this.#probeAbort = ac;
    const timer = setTimeout(
      () => ac.abort(),
      this.#o.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    );
    this.#o.probe!(ac.signal).catch(() => null).then((problem) => {
      clearTimeout(timer);
      // Dropped (the page closed, or the machine moved on): its answer no longer counts.
      if (this.#probeAbort !== ac) return;
      this.#probeAbort = undefined;
      this.#dispatch({ type: "probed", problem });
    });
  }

  #connect(retry: boolean): void {
    if (this.#closed) return;
    // The URL carries one set of options: the most common among the cameras wanted, the others
    // follow in messages on open.
    const target = this.#target();
    const byKey = new Map<string, string[]>();
    for (const s of [...target].sort()) {
      const key = streamKey(this.#wantedOptions.get(s) ?? DEFAULT_STREAM);
      byKey.set(key, [...byKey.get(key) ?? [], s]);
    }
    let initial: string[] = [];
    for (const group of byKey.values()) if (group.length > initial.length) initial = group;
    if (initial.length > MAX_URL_CAMERAS) initial = [];
    const options = this.#wantedOptions.get(initial[0]) ?? DEFAULT_STREAM;
    const url = new URL(this.#o.url);
    // An empty list subscribes to nothing: the tiles ask for what they show.
    url.searchParams.set("cameras", initial.join(","));
    if (initial.length > 0 && options.size !== "full") url.searchParams.set("size", options.size);
    if (initial.length > 0 && options.maxFps !== undefined) {
      url.searchParams.set("maxFps", String(options.maxFps));
    }
    this.#hubSet = new Set(initial);
    this.#hubOptions = new Map(
      streamKey(options) === "full" ? [] : initial.map((s) => [s, options]),
    );
    this.#confirmed = new Set();
    const ws = new this.#WS(url.href);
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    this.#setStatus(retry ? "reconnecting" : "connecting");
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      this.counters.connects++;
      this.#dispatch({ type: "opened" });
      this.#setStatus("open");
      this.#flush();
      // The new connection knows nothing of the replays: bring them back.
      for (const cmd of this.#replay.reconnected()) this.#command(cmd);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.#ws !== ws) return;
      const receivedAt = performance.now();
      if (typeof ev.data === "string") {
        this.counters.messages++;
        const msg = parseHubMessage(ev.data);
        if (!msg) return;
        if (msg.type === "hello") {
          this.#viewer = msg.viewer || undefined;
          // The hub accepted us: the next failure starts backoff over.
          this.#dispatch({ type: "accepted" });
        }
        if (msg.type === "subscribed") this.#confirmed = new Set(msg.cameras);
        if (msg.type === "replay") this.#replay.onMessage(msg);
        if (msg.type === "error") this.#replay.onError(msg.code);
        this.#o.onMessage?.(msg);
        return;
      }
      let frame;
      try {
        frame = parseViewerFrame(ev.data as ArrayBuffer);
      } catch {
        this.counters.badFrames++;
        return;
      }
      this.counters.frames++;
      // Only cameras with a replay pay for reading the capture time.
      let at: number | undefined;
      if (this.#replay.tracks(frame.serial)) {
        at = recordedAt(frame.jpeg);
        if (!this.#replay.accept(frame.serial, at)) {
          this.counters.replayDropped++;
          return;
        }
      }
      this.#o.onFrame(frame.serial, frame.jpeg, receivedAt, at);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      if (this.#closed) return;
      this.#dispatch({ type: "closed", code: ev.code, reason: ev.reason });
    };
    // Errors are followed by close, which does the work.
    ws.onerror = () => {};
  }

  /** Sends a replay command now, or leaves it to {@link ReplayTracker.reconnected} on open. */
  #command(cmd: ReplayCommand | undefined): boolean {
    const ws = this.#ws;
    if (!cmd || !ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(cmd));
    this.counters.controlSent++;
    return true;
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#closed) return;
    const wait = Math.max(
      0,
      this.#lastFlush + (this.#o.flushIntervalMs ?? DEFAULT_FLUSH_MS) - performance.now(),
    );
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flush();
    }, wait);
  }

  #flush(): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return; // sent on open instead
    const target = this.#target();
    const messages = subscriptionDiff(this.#hubSet, target, {
      from: this.#hubOptions,
      to: this.#wantedOptions,
    });
    if (messages.length === 0) return;
    for (const m of messages) ws.send(m);
    this.counters.controlSent += messages.length;
    this.#hubSet = new Set(target);
    this.#hubOptions = new Map([...this.#wantedOptions].filter(([s]) => target.has(s)));
    this.#lastFlush = performance.now();
  }

  #setStatus(status: SocketStatus, retryAt?: number): void {
    this.#status = status;
    this.#o.onStatus?.(status, retryAt);
  }
}
