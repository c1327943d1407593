/**
 * Thin links (docs/protocol.md, "Stream options"): what a viewer may ask of each camera's
 * stream besides the camera itself, a reduced size and a frame-rate cap, checked here, and the
 * rate gate the hub applies per viewer and per reduced stream. Pure: the hub and the page
 * both use it (the page for grouping cameras with equal options), so no I/O.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";

/** `full`: the camera's own JPEG; `tile`: {@link TILE_WIDTH} px wide, the aspect kept. */
export type StreamSize = "full" | "tile";

/** One camera's stream as a viewer asked for it. `maxFps` absent: no cap. */
export interface StreamOptions {
  size: StreamSize;
  maxFps?: number;
}

export const STREAM_SIZES: readonly StreamSize[] = ["full", "tile"];
/** Width of a `tile` frame, in pixels (never enlarged). */
export const TILE_WIDTH = 320;
/** JPEG quality of a `tile` frame: a tile is a fraction of the screen, detail is lost anyway. */
export const TILE_QUALITY = 60;
export const MIN_STREAM_FPS = 1;
export const MAX_STREAM_FPS = 30;
export const DEFAULT_STREAM: Readonly<StreamOptions> = Object.freeze({ size: "full" });

/**
 * The `size` and `maxFps` of a `subscribe` message (or of the `/ws` URL, as strings there:
 * `fromText`); absent ones take the defaults. Throws TC_ERR_BAD_CONTROL naming the bad value.
 */
export function parseStreamOptions(
  size: unknown,
  maxFps: unknown,
  fromText = false,
): StreamOptions {
  if (size !== undefined && !STREAM_SIZES.includes(size as StreamSize)) {
    throw new TrustcamError(
      "TC_ERR_BAD_CONTROL",
      `Invalid size: ${quote(size)}: must be "full" or "tile"`,
    );
  }
  const out: StreamOptions = { size: (size as StreamSize | undefined) ?? "full" };
  if (maxFps === undefined) return out;
  const n = fromText && typeof maxFps === "string" && /^[0-9]{1,3}$/.test(maxFps)
    ? Number(maxFps)
    : maxFps;
  if (
    typeof n !== "number" || !Number.isInteger(n) || n < MIN_STREAM_FPS || n > MAX_STREAM_FPS
  ) {
    throw new TrustcamError(
      "TC_ERR_BAD_CONTROL",
      `Invalid maxFps: ${
        quote(maxFps)
      }: must be an integer from ${MIN_STREAM_FPS} to ${MAX_STREAM_FPS}`,
    );
  }
  out.maxFps = n;
  return out;
}

/** Whether two options ask for the same stream. */
export function sameStreamOptions(a: StreamOptions, b: StreamOptions): boolean {
  return a.size === b.size && a.maxFps === b.maxFps;
}

/** A short key for options (`full`, `tile@5`): maps and grouping. */
export function streamKey(o: StreamOptions): string {
  return o.maxFps === undefined ? o.size : `${o.size}@${o.maxFps}`;
}

/** The highest of several caps; undefined (no cap) when any of them has none. */
export function highestFps(caps: Iterable<number | undefined>): number | undefined {
  let max = 0;
  for (const c of caps) {
    if (c === undefined) return undefined;
    if (c > max) max = c;
  }
  return max === 0 ? undefined : max;
}

/**
 * Lets frames through at most `maxFps` per second, latest-wins: a frame sooner than its turn is
 * skipped, never held for later. Turns are kept on a grid of one interval so that a camera's
 * jitter does not cost a frame per turn: from 15 fps capped to 5, every third frame passes.
 * Time is in ms from any monotonic clock (the hub uses each frame's receive time, so that a
 * reduced stream and its viewers decide alike).
 */
export class RateGate {
  #interval = 0;
  #due = -Infinity;

  constructor(maxFps?: number) {
    this.setMaxFps(maxFps);
  }

  get maxFps(): number | undefined {
    return this.#interval === 0 ? undefined : 1000 / this.#interval;
  }

  /** Changes the cap (undefined: none); the next frame passes. */
  setMaxFps(maxFps: number | undefined): void {
    if (maxFps !== undefined && !(maxFps > 0 && Number.isFinite(maxFps))) {
      throw new RangeError(`Invalid maxFps: "${maxFps}": must be a positive number`);
    }
    this.#interval = maxFps === undefined ? 0 : 1000 / maxFps;
    this.#due = -Infinity;
  }

  /** Whether a frame at `now` passes; if it does, it takes the turn. */
  admit(now: number): boolean {
    const interval = this.#interval;
    if (interval === 0) return true;
    // An eighth of an interval early still counts as on time (a frame's arrival jitters).
    if (now < this.#due - interval / 8) return false;
    // On the grid while frames keep up; a late one (a gap) starts the grid afresh.
    this.#due = now - this.#due < interval ? this.#due + interval : now + interval;
    return true;
  }
}
