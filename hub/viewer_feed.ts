/**
 * How a viewer session receives one camera (thin links, lib/thin_link.ts): from the bus at full
 * size, or from the camera's shared reduced stream (hub/reduced_streams.ts), through a rate gate
 * of the viewer's own when it asked for a `maxFps`. Either way one subscription per camera,
 * whose unsubscribe the session calls exactly as it did for the bus alone.
 */
import type { BusFrame, BusHandler } from "../lib/bus.ts";
import { DEFAULT_STREAM, RateGate, streamKey, type StreamOptions } from "../lib/thin_link.ts";
import type { SessionContext } from "./session.ts";

/** One camera's subscription: its unsubscribe, and the options it was made with. */
export interface Feed {
  off: () => void;
  /** {@link streamKey} of `options`: a change of options is a change of key. */
  key: string;
  options: StreamOptions;
}

/**
 * The options a camera is received with: as asked, but full size on a hub without reduced
 * streams (the ack says so).
 */
export function feedOptions(ctx: SessionContext, asked: StreamOptions): StreamOptions {
  if (asked.size === "full" || ctx.reduced) return asked;
  return asked.maxFps === undefined ? DEFAULT_STREAM : { size: "full", maxFps: asked.maxFps };
}

/** Subscribes `handler` to `serial`'s frames as `options` say. */
export function openFeed(
  ctx: SessionContext,
  serial: string,
  options: StreamOptions,
  handler: BusHandler,
): Feed {
  // Uncapped frames take the session's shared handler: no gate on the per-frame path.
  const h = options.maxFps === undefined ? handler : new GatedHandler(options.maxFps, handler);
  const reduced = ctx.reduced;
  const off = options.size === "full" || !reduced
    ? ctx.bus.subscribe(serial, h)
    : reduced.subscribe(serial, options.size, options.maxFps, h);
  return { off, key: streamKey(options), options };
}

/**
 * A viewer's `maxFps` for one camera, on the frames' receive times: the same decisions as the
 * reduced stream's gate at the same cap, so a shared stream's frames are not thinned twice.
 */
class GatedHandler implements BusHandler {
  readonly #gate: RateGate;
  readonly #next: BusHandler;

  constructor(maxFps: number, next: BusHandler) {
    this.#gate = new RateGate(maxFps);
    this.#next = next;
  }

  frame(f: BusFrame): void {
    if (this.#gate.admit(f.receivedAt)) this.#next.frame?.(f);
  }
}
