/**
 * What a live page runs beside Preact: one ViewerSocket, one TilePainter per canvas, the
 * cameras wanted = canvases on screen (IntersectionObserver) while the tab is visible
 * (visibilitychange), and one timer that writes each tile's frame age. Frames go straight
 * from the socket to the painters; nothing per frame touches Preact.
 *
 * Thin links (lib/thin_link.ts): a wall's tiles (`observeTiles`) ask for tile-sized frames, a
 * camera page for full size; {@link LiveView.setStreamOptions} overrides one camera (an
 * enlarged tile asks full) and {@link LiveView.setMaxFps} caps them all (data saver).
 */
import { type SocketStatus, type StreamOptions, ViewerSocket } from "./viewer_socket.ts";
import { type PaintInfo, TilePainter } from "./painter.ts";
import type { HubMessage } from "./messages.ts";
import type { ReplayState } from "./replay.ts";
import { formatFrameAge } from "./format.ts";
import type { BackoffOptions } from "../backoff.ts";
import { type AccessProblem, PROBE_PATH, probeAccess } from "./access_probe.ts";

export interface LiveViewOptions {
  onMessage(msg: HubMessage): void;
  onStatus(status: SocketStatus, retryAt?: number): void;
  /** The hub refuses this certificate: the view has stopped; the page says why. */
  onEnded(problem: AccessProblem, viewer: string | undefined): void;
  /** Called after each paint of a tile (the camera page shows decode figures). */
  onPaint?(serial: string, info: PaintInfo): void;
  /** Watch visibility per canvas (the wall) or always want every attached tile (one camera). */
  observeTiles: boolean;
  /** How often frame ages are written; default 250 ms. */
  ageIntervalMs?: number;
}

interface Tile {
  serial: string;
  canvas: HTMLCanvasElement;
  painter: TilePainter;
  ageLabel: HTMLElement;
}

/**
 * The page's reconnect delays: 0.5 s doubling to at most 10 s (with equal jitter, 5-10 s).
 * Shorter than a camera's 30 s: a person is looking at this page and there is one per
 * screen, not one per device; "Retry now" skips the wait anyway.
 */
export const PAGE_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 10_000 };

/** The hub's WebSocket endpoint for this page. */
export function socketUrl(loc: Location = location): string {
  return `${loc.protocol === "http:" ? "ws" : "wss"}://${loc.host}/ws`;
}

export class LiveView {
  readonly #o: LiveViewOptions;
  readonly #tiles = new Map<string, Tile>();
  readonly #onScreen = new Set<string>();
  readonly #socket: ViewerSocket;
  readonly #observer: IntersectionObserver | undefined;
  #ageTimer: ReturnType<typeof setInterval> | undefined;
  #started = false;
  readonly #listeners = new Set<(msg: HubMessage) => void>();
  /** Per camera, the last still asked for: an older answer arriving later is not painted. */
  readonly #stillAsked = new Map<string, number>();
  /** Cameras whose stream options are not the page's default (an enlarged tile). */
  readonly #streamOverrides = new Map<string, StreamOptions>();
  /** The data saver's cap on every camera; undefined: none. */
  #maxFps: number | undefined;

  constructor(opts: LiveViewOptions) {
    this.#o = opts;
    this.#socket = new ViewerSocket({
      url: socketUrl(),
      onFrame: (serial, jpeg, receivedAt, recordedAt) =>
        this.#tiles.get(serial)?.painter.push(jpeg, receivedAt, recordedAt),
      onMessage: (msg) => {
        opts.onMessage(msg);
        for (const l of this.#listeners) l(msg);
      },
      onStatus: opts.onStatus,
      backoff: PAGE_BACKOFF,
      onEnded: (problem, viewer) => {
        this.close();
        opts.onEnded(problem, viewer);
      },
      // The same origin, so the browser presents the certificate the socket presented.
      probe: (signal) => probeAccess(new URL(PROBE_PATH, location.href).href, signal),
    });
    if (opts.observeTiles && typeof IntersectionObserver === "function") {
      // A margin so a tile scrolled into view already has a picture.
      this.#observer = new IntersectionObserver((entries) => {
        for (const e of entries) {
          const serial = (e.target as HTMLElement).dataset.liveSerial;
          if (!serial) continue;
          if (e.isIntersecting) this.#onScreen.add(serial);
          else this.#onScreen.delete(serial);
        }
        this.#updateWanted();
      }, { rootMargin: "200px" });
    }
  }

  get socket(): ViewerSocket {
    return this.#socket;
  }

  /** Painter of a camera's tile, for figures (fps) on the camera page. */
  painter(serial: string): TilePainter | undefined {
    return this.#tiles.get(serial)?.painter;
  }

  /** Hears every hub message besides `onMessage` (the timeline hears replay answers). */
  listen(listener: (msg: HubMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Asks for `serial`'s frames with options `o` (an enlarged tile asks `{size: "full"}`);
   * undefined: back to the page's default (tiles on the wall, full size on a camera page).
   */
  setStreamOptions(serial: string, o: StreamOptions | undefined): void {
    if (o === undefined) this.#streamOverrides.delete(serial);
    else this.#streamOverrides.set(serial, { ...o });
    this.#updateWanted();
  }

  /** Caps every camera's frame rate (data saver, 1-30); undefined: no cap but each camera's. */
  setMaxFps(maxFps: number | undefined): void {
    if (maxFps !== undefined && !(Number.isInteger(maxFps) && maxFps >= 1 && maxFps <= 30)) {
      throw new RangeError(`Invalid maxFps: "${maxFps}": must be an integer from 1 to 30`);
    }
    this.#maxFps = maxFps;
    this.#updateWanted();
  }

  /** What `serial` is asked with now: its override or the page's default, under the cap. */
  streamOptions(serial: string): StreamOptions {
    const o = this.#streamOverrides.get(serial) ??
      { size: this.#o.observeTiles ? "tile" : "full" };
    const cap = this.#maxFps;
    if (cap === undefined || (o.maxFps !== undefined && o.maxFps <= cap)) return o;
    return { size: o.size, maxFps: cap };
  }

  /** Skips the wait before the next reconnect attempt ("Retry now"). */
  retryNow(): void {
    this.#socket.retryNow();
  }

  /** Replays `serial` from `from` (epoch ms) at `speed` through the same painter. */
  play(serial: string, from: number, speed: number): void {
    this.#stillAsked.delete(serial);
    this.#socket.play(serial, from, speed);
  }

  pause(serial: string): void {
    this.#socket.pause(serial);
  }

  goLive(serial: string): void {
    this.#stillAsked.delete(serial);
    this.#socket.goLive(serial);
  }

  replayState(serial: string): ReplayState | undefined {
    return this.#socket.replayState(serial);
  }

  /**
   * When the picture on a camera's canvas was taken (a recorded frame) or arrived (epoch ms);
   * undefined before the first paint. Steady between paints, for "last picture at".
   */
  pictureAt(serial: string): number | undefined {
    const p = this.#tiles.get(serial)?.painter;
    if (p?.shownRecordedAt !== undefined) return p.shownRecordedAt;
    const at = p?.shownReceivedAt;
    return at === undefined ? undefined : Math.round(performance.timeOrigin + at);
  }

  /** Capture time of the recorded frame on the camera's canvas; undefined when live. */
  shownAt(serial: string): number | undefined {
    return this.#tiles.get(serial)?.painter.shownRecordedAt;
  }

  /**
   * Paints the recorded frame nearest `at` (a seek while paused), unless another still was
   * asked for or the replay moved on meanwhile. Its capture time, or undefined when none.
   */
  async paintRecorded(serial: string, at: number): Promise<number | undefined> {
    const asked = (this.#stillAsked.get(serial) ?? 0) + 1;
    this.#stillAsked.set(serial, asked);
    try {
      const res = await fetch(
        `/api/cameras/${encodeURIComponent(serial)}/recording.jpg?at=${Math.round(at)}`,
        { cache: "no-store" },
      );
      if (!res.ok) return undefined;
      const jpeg = new Uint8Array(await res.arrayBuffer());
      const taken = Date.parse(res.headers.get("x-timestamp") ?? "");
      const tile = this.#tiles.get(serial);
      if (!tile || this.#stillAsked.get(serial) !== asked || Number.isNaN(taken)) return undefined;
      tile.painter.push(jpeg, performance.now(), taken);
      return taken;
    } catch {
      return undefined;
    }
  }

  attach(
    serial: string,
    canvas: HTMLCanvasElement,
    ageLabel: HTMLElement,
    onFirstPaint: () => void,
  ): () => void {
    let first = true;
    const painter = new TilePainter(canvas, {
      onPaint: (info) => {
        if (first) {
          first = false;
          onFirstPaint();
        }
        this.#o.onPaint?.(serial, info);
      },
    });
    const tile: Tile = { serial, canvas, painter, ageLabel };
    this.#tiles.get(serial)?.painter.close();
    this.#tiles.set(serial, tile);
    canvas.dataset.liveSerial = serial;
    if (this.#observer) this.#observer.observe(canvas);
    else this.#onScreen.add(serial);
    this.#updateWanted();
    return () => {
      if (this.#tiles.get(serial) !== tile) return;
      painter.close();
      this.#observer?.unobserve(canvas);
      this.#tiles.delete(serial);
      this.#onScreen.delete(serial);
      this.#updateWanted();
    };
  }

  /**
   * Draws a still (the last frame of an offline camera) unless live frames came first.
   * `takenAt` (epoch ms, the camera's lastFrameAt) makes its age read true.
   */
  async paintSnapshot(serial: string, url: string, takenAt?: number): Promise<void> {
    const tile = this.#tiles.get(serial);
    if (!tile) return;
    try {
      const res = await fetch(url, { cache: "no-store" });
      if (!res.ok) return;
      const jpeg = new Uint8Array(await res.arrayBuffer());
      if (this.#tiles.get(serial) === tile && tile.painter.shownReceivedAt === undefined) {
        const age = takenAt === undefined ? 0 : Math.max(0, Date.now() - takenAt);
        tile.painter.push(jpeg, performance.now() - age);
      }
    } catch {
      // No snapshot: the tile says "No picture".
    }
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    // Browser tests (and devtools) read the subscription and counters here.
    (globalThis as { __trustcamLive?: LiveView }).__trustcamLive = this;
    document.addEventListener("visibilitychange", this.#onVisibility);
    // Back on the network (a laptop waking, Wi-Fi again): no reason to wait out a delay.
    addEventListener("online", this.#onOnline);
    this.#onVisibility();
    this.#socket.start();
    this.#ageTimer = setInterval(() => this.#writeAges(), this.#o.ageIntervalMs ?? 250);
  }

  close(): void {
    document.removeEventListener("visibilitychange", this.#onVisibility);
    removeEventListener("online", this.#onOnline);
    clearInterval(this.#ageTimer);
    this.#observer?.disconnect();
    for (const t of this.#tiles.values()) t.painter.close();
    this.#tiles.clear();
    this.#socket.close();
  }

  #onVisibility = () => {
    this.#socket.setPaused(document.visibilityState === "hidden");
  };

  #onOnline = () => this.#socket.retryNow();

  #updateWanted(): void {
    const wanted = [...this.#onScreen].filter((s) => this.#tiles.has(s));
    this.#socket.want(wanted, (serial) => this.streamOptions(serial));
  }

  #writeAges(): void {
    const now = performance.now();
    for (const t of this.#tiles.values()) {
      const at = t.painter.shownReceivedAt;
      const text = at === undefined ? "–" : formatFrameAge(now - at);
      if (t.ageLabel.textContent !== text) t.ageLabel.textContent = text;
    }
  }
}
