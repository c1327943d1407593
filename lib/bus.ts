/**
 * Frame and event fan-out between the devices' sessions and the viewers' sessions. The relay
 * talks only to this interface so that a NATS bus (subjects `trustcam.frame.<serial>` and
 * `trustcam.event.<serial>`) can replace the in-process one without touching the relay.
 *
 * Who subscribes to what: each viewer session subscribes to the frames of exactly the cameras
 * it receives, one subscription per serial (a viewer watching one camera costs the other
 * cameras' frames nothing, and a NATS bus carries to a hub only the cameras its viewers
 * watch). The relay itself holds the one `"*"` subscription: the hub's latest-frame cache and
 * the camera events, which it hands to the viewers allowed to see each camera.
 */

/** One relayed frame. `data` is the viewer message (JPEG + trailer), shared by all. */
export interface BusFrame {
  serial: string;
  data: Uint8Array;
  /** Length of the JPEG part of `data`. */
  jpegLength: number;
  /** `performance.now()`-style milliseconds when this hub accepted (or received) the frame. */
  receivedAt: number;
  /** The id of the hub that accepted the frame when it came over the NATS bus; none = this hub. */
  origin?: string;
}

/** A camera event; `payload` is what viewers get (already JSON-safe). */
export interface BusEvent {
  serial: string;
  payload: Record<string, unknown>;
  /** `payload` serialized, memoized by the first consumer that needs text. */
  json?: string;
  /** The id of the hub that published the event when it came over the NATS bus; none = this hub. */
  origin?: string;
}

export interface BusHandler {
  frame?(frame: BusFrame): void;
  event?(event: BusEvent): void;
}

export interface Bus {
  publishFrame(frame: BusFrame): void;
  publishEvent(event: BusEvent): void;
  /** Subscribes to one camera, or every camera with `"*"`; returns the unsubscribe. */
  subscribe(serial: string | "*", handler: BusHandler): () => void;
  /** Live local subscriptions, for leak checks and the bus-subscription gauge. */
  readonly size?: number;
  close(): Promise<void>;
}

/**
 * The embedded bus: synchronous delivery in the publisher's turn, no copies. A handler that
 * throws is reported through `onError` and never stops delivery to the others.
 */
export class InProcessBus implements Bus {
  #bySerial = new Map<string, Set<BusHandler>>();
  #all = new Set<BusHandler>();
  #onError: (err: unknown) => void;

  constructor(options: { onError?: (err: unknown) => void } = {}) {
    this.#onError = options.onError ?? ((err) => console.error("Bus handler failed:", err));
  }

  publishFrame(frame: BusFrame): void {
    this.#deliver(frame.serial, (h) => h.frame?.(frame));
  }

  publishEvent(event: BusEvent): void {
    this.#deliver(event.serial, (h) => h.event?.(event));
  }

  subscribe(serial: string | "*", handler: BusHandler): () => void {
    let set: Set<BusHandler>;
    if (serial === "*") set = this.#all;
    else {
      set = this.#bySerial.get(serial) ?? new Set();
      this.#bySerial.set(serial, set);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
      if (serial !== "*" && set.size === 0 && this.#bySerial.get(serial) === set) {
        this.#bySerial.delete(serial);
      }
    };
  }

  /** Live subscriptions to one camera, or to every camera with `"*"` (tests read this). */
  count(serial: string | "*"): number {
    return (serial === "*" ? this.#all : this.#bySerial.get(serial))?.size ?? 0;
  }

  /** Number of live subscriptions, for leak checks. */
  get size(): number {
    let n = this.#all.size;
    for (const s of this.#bySerial.values()) n += s.size;
    return n;
  }

  close(): Promise<void> {
    this.#all.clear();
    this.#bySerial.clear();
    return Promise.resolve();
  }

  #deliver(serial: string, call: (h: BusHandler) => void): void {
    const specific = this.#bySerial.get(serial);
    if (specific) {
      for (const h of specific) {
        try {
          call(h);
        } catch (err) {
          this.#onError(err);
        }
      }
    }
    for (const h of this.#all) {
      try {
        call(h);
      } catch (err) {
        this.#onError(err);
      }
    }
  }
}

/**
 * A view of `bus` whose subscribers get only what this hub accepted itself (no `origin`): the
 * recorder, motion analysis and the MQTT bridge work on their own hub's cameras, not on the
 * remote frames a NATS bus brings in for viewers.
 */
export function ownTraffic(bus: Bus): Bus {
  return {
    publishFrame: (frame) => bus.publishFrame(frame),
    publishEvent: (event) => bus.publishEvent(event),
    // The view owns nothing: closing the bus is its owner's business.
    close: () => Promise.resolve(),
    subscribe(serial, handler) {
      return bus.subscribe(serial, {
        frame: handler.frame && ((f) => f.origin === undefined && handler.frame?.(f)),
        event: handler.event && ((e) => e.origin === undefined && handler.event?.(e)),
      });
    },
  };
}
