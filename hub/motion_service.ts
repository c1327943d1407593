/**
 * Motion detection in the hub: a bus subscriber hands every camera's frames (references, no
 * copy) to the {@link MotionAnalyzer}, off the relay's path; each event's start is stored
 * (hub/event_store.ts) and announced as a {@link MotionNotice} to the feed's listeners
 * (viewers, MQTT, motion recording), its end updates the row and is announced in turn. The
 * thumbnail (a 320 px JPEG of the peak frame) is encoded after the notice, in the decode
 * process, and replaced at the end when the peak moved.
 *
 * With `--motion off` nothing subscribes to the bus and no frame is analyzed; the feed stays
 * (it never speaks) and the stored events can still be listed. sharp (native code) never
 * loads in the hub's process: decoding runs in a niced process of its own
 * (hub/motion_decoder.ts), started only when motion detection runs.
 */
import type { Bus } from "../lib/bus.ts";
import { MotionFanout } from "../lib/motion_fanout.ts";
import type { MotionFeed, MotionNotice } from "../lib/motion_notice.ts";
import type { MotionSettings } from "../lib/motion_settings.ts";
import type { MotionStatus } from "../lib/motion_status.ts";
import type { MotionEventOptions } from "../lib/motion_events.ts";
import { MotionAnalyzer, type MotionEvent } from "./motion_analyzer.ts";
import { MotionDecoder } from "./motion_decoder.ts";
import type { SqliteEventStore } from "./event_store.ts";
import type { Log } from "./log.ts";

interface Counter {
  inc(labels: Record<string, string>, n?: number): void;
}

export interface MotionServiceOptions {
  /** `--motion on`. */
  enabled: boolean;
  bus: Bus;
  /** A camera's settings now (lib/registry.ts `motionSettingsOf`): asked per frame. */
  settingsOf(serial: string): Readonly<MotionSettings>;
  store: SqliteEventStore;
  log: Log;
  metrics: { analyzed: Counter; skipped: Counter; events: Counter };

  /** The event hysteresis (tests shorten the end). */
  events?: MotionEventOptions;
}

interface OpenEvent {
  id: string;
  peakAt: number;
  /** Thumbnail writes of this event, in order: the end's never loses to the start's. */
  thumbnails: Promise<void>;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const roundRect = (r: { x: number; y: number; w: number; h: number }) => ({
  x: round4(r.x),
  y: round4(r.y),
  w: round4(r.w),
  h: round4(r.h),
});

export class MotionService implements MotionFeed, MotionStatus {
  #o: MotionServiceOptions;
  #feed: MotionFanout;
  #analyzer: MotionAnalyzer | undefined;
  #decoder: MotionDecoder | undefined;
  #offBus: (() => void) | undefined;
  #open = new Map<string, OpenEvent>();
  #thumbnails = new Set<Promise<void>>();
  /** The last thumbnail write queued per event id, while it runs. */
  #writing = new Map<string, Promise<void>>();
  #encodeThumbnail: (jpeg: Uint8Array) => Promise<Uint8Array> = () => {
    throw new Error("Motion detection is off");
  };
  /** Cameras whose last frame did not decode: logged once until one decodes again. */
  #failing = new Set<string>();

  /** Starts the service; starts the decode process only when `enabled`. */
  static open(o: MotionServiceOptions): MotionService {
    const service = new MotionService(o);
    if (!o.enabled) return service;
    const decoder = new MotionDecoder({ log: o.log });
    service.#decoder = decoder;
    service.#start(
      new MotionAnalyzer({
        decode: (jpeg, width) => decoder.luma(jpeg, width),
        settingsOf: (serial) => o.settingsOf(serial),
        onEvent: (e) => service.#onEvent(e),
        onAnalyzed: (serial) => {
          service.#failing.delete(serial);
          o.metrics.analyzed.inc({ serial });
        },
        onSkip: (serial) => o.metrics.skipped.inc({ serial }),
        onError: (serial, err) => {
          // A camera sending undecodable frames would otherwise log at its analysis rate.
          if (service.#failing.has(serial)) return;
          service.#failing.add(serial);
          o.log("motion-error", { serial, error: err });
        },
        events: o.events,
      }),
      (jpeg) => decoder.thumbnail(jpeg),
    );
    return service;
  }

  private constructor(o: MotionServiceOptions) {
    this.#o = o;
    this.#feed = new MotionFanout((err) =>
      o.log("error", { where: "motion-listener", error: err })
    );
  }

  #start(analyzer: MotionAnalyzer, thumbnail: (jpeg: Uint8Array) => Promise<Uint8Array>): void {
    this.#analyzer = analyzer;
    this.#encodeThumbnail = thumbnail;
    this.#offBus = this.#o.bus.subscribe("*", {
      frame: (f) => analyzer.offer(f.serial, f.data.subarray(0, f.jpegLength)),
      // A camera gone cannot show motion: its event ends now, not after the quiet time.
      event: (e) => {
        if (e.payload.type === "camera" && e.payload.event === "offline") {
          analyzer.forget(e.serial);
        }
      },
    });
  }

  subscribe(listener: (notice: MotionNotice) => void): () => void {
    return this.#feed.subscribe(listener);
  }

  thumbnailWritten(id: string): Promise<void> | undefined {
    return this.#writing.get(id);
  }

  running(): boolean {
    return this.#analyzer !== undefined;
  }

  active(serial: string): boolean {
    return this.#open.has(serial);
  }

  /** A camera's settings changed: turned off, its open event ends now. */
  settingsChanged(serial: string): void {
    if (!this.#o.settingsOf(serial).enabled) this.#analyzer?.forget(serial);
  }

  /** Frames analyzed, skipped and failed of a camera (tests, the bench). */
  stats(serial: string) {
    return this.#analyzer?.stats(serial);
  }

  /** Stops analyzing, ends the open events (stored and announced), waits for thumbnails. */
  async close(): Promise<void> {
    this.#offBus?.();
    await this.#analyzer?.close();
    while (this.#thumbnails.size > 0) await Promise.all(this.#thumbnails);
    await this.#decoder?.close();
  }

  #onEvent(e: MotionEvent): void {
    const { store } = this.#o;
    const facts = {
      serial: e.serial,
      startedAt: e.startedAt,
      score: round4(e.peakScore),
      peakAt: e.peakAt,
      box: roundRect(e.box),
    };
    let open = this.#open.get(e.serial);
    if (e.state === "start") {
      open = { id: store.start(facts), peakAt: e.peakAt, thumbnails: Promise.resolve() };
      this.#open.set(e.serial, open);
      this.#o.metrics.events.inc({ serial: e.serial });
      this.#thumbnail(open, e.peakJpeg);
    } else {
      if (open === undefined) return;
      this.#open.delete(e.serial);
      store.end(open.id, { ...facts, endedAt: e.endedAt ?? e.peakAt });
      if (e.peakAt !== open.peakAt) this.#thumbnail(open, e.peakJpeg);
    }
    this.#feed.publish({
      id: open.id,
      camera: e.serial,
      state: e.state,
      startedAt: new Date(e.startedAt).toISOString(),
      ...(e.state === "end" ? { endedAt: new Date(e.endedAt ?? e.peakAt).toISOString() } : {}),
      score: facts.score,
      box: facts.box,
    });
  }

  /** Encodes and stores the thumbnail after the ones queued for this event. */
  #thumbnail(open: OpenEvent, jpeg: Uint8Array): void {
    const done = open.thumbnails = open.thumbnails
      .then(() => this.#encodeThumbnail(jpeg))
      .then((thumb) => this.#o.store.setThumbnail(open.id, thumb))
      .catch((err) => this.#o.log("error", { where: "motion-thumbnail", id: open.id, error: err }))
      .finally(() => {
        this.#thumbnails.delete(done);
        if (this.#writing.get(open.id) === done) this.#writing.delete(open.id);
      });
    this.#thumbnails.add(done);
    this.#writing.set(open.id, done);
  }
}
