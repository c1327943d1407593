/**
 * Viewer control messages (`subscribe` / `unsubscribe`, `play` / `pause` / `live`), a viewer's
 * subscription state and the token bucket that limits how fast peers may send control
 * messages. See docs/protocol.md, "Text messages: JSON control".
 */
import { TrustcamError } from "./errors.ts";
import {
  MAX_REPLAY_SPEED,
  MIN_REPLAY_SPEED,
  type ReplayCommand,
  type SubscriptionCommand,
  type ViewerCommand,
} from "./protocol.ts";
import { quote } from "./quote.ts";
import { parseInstant } from "./time_param.ts";
import { canonicalSerial } from "./serial.ts";
import { DEFAULT_STREAM, parseStreamOptions, type StreamOptions } from "./thin_link.ts";
import {
  checkTextSize,
  MAX_TEXT_BYTES,
  parseControlObject,
  utf8ByteLength,
} from "./text_message.ts";

export type { ReplayCommand, SubscriptionCommand, ViewerCommand };
export { checkTextSize, MAX_TEXT_BYTES, parseControlObject, utf8ByteLength };

/** Most cameras one subscribe/unsubscribe message may name. */
export const MAX_CAMERAS_PER_COMMAND = 256;
/** Default cap on the cameras a subscription remembers, so a viewer cannot grow it forever. */
export const MAX_SUBSCRIBED_CAMERAS = 4096;

/**
 * Parses a viewer's text message. Serials come back canonical (upper case) and without
 * duplicates. Throws TC_ERR_BAD_CONTROL for anything malformed and TC_ERR_BAD_SERIAL for a
 * string that is not a device serial.
 */
export function parseViewerCommand(text: string, isSerial: (s: string) => boolean): ViewerCommand {
  const msg = parseControlObject(text);
  const type = msg.type;
  if (type === "play" || type === "pause" || type === "live") {
    return parseReplayCommand(type, msg, isSerial);
  }
  if (type !== "subscribe" && type !== "unsubscribe") {
    throw new TrustcamError(
      "TC_ERR_BAD_CONTROL",
      type === undefined ? "Control message has no type" : `Unknown message type: ${quote(type)}`,
    );
  }
  const cameras = msg.cameras;
  const options = streamOptionsOf(type, msg.size, msg.maxFps, false);
  if (cameras === "*") return { type, cameras, ...options };
  if (!Array.isArray(cameras)) {
    throw new TrustcamError(
      "TC_ERR_BAD_CONTROL",
      cameras === undefined
        ? `Control message "${type}" has no cameras`
        : `Invalid cameras: ${quote(cameras)} (expected "*" or an array of serials)`,
    );
  }
  return { type, cameras: cameraList(cameras, isSerial, "one message"), ...options };
}

/** A `subscribe`'s stream options as the command carries them (none when default). */
function streamOptionsOf(
  type: "subscribe" | "unsubscribe",
  size: unknown,
  maxFps: unknown,
  fromText: boolean,
): { size?: StreamOptions["size"]; maxFps?: number } {
  if (type === "unsubscribe") {
    if (size !== undefined || maxFps !== undefined) {
      throw new TrustcamError(
        "TC_ERR_BAD_CONTROL",
        'Control message "unsubscribe" takes no size or maxFps',
      );
    }
    return {};
  }
  const o = parseStreamOptions(size, maxFps, fromText);
  if (o.size === "full" && o.maxFps === undefined) return {};
  return o;
}

/** The stream options a subscribe command asks for. */
export function commandStreamOptions(cmd: SubscriptionCommand): StreamOptions {
  if (cmd.type !== "subscribe" || (cmd.size === undefined && cmd.maxFps === undefined)) {
    return DEFAULT_STREAM;
  }
  const o: StreamOptions = { size: cmd.size ?? "full" };
  if (cmd.maxFps !== undefined) o.maxFps = cmd.maxFps;
  return o;
}

/**
 * The `?cameras=` of a viewer's `/ws` URL (comma-separated serials; empty: none) as the
 * subscribe command it stands for, checked like one: TC_ERR_BAD_SERIAL for a string that is not
 * a serial, TC_ERR_BAD_CONTROL for more than {@link MAX_CAMERAS_PER_COMMAND}.
 */
export function parseCamerasParam(
  value: string,
  isSerial: (s: string) => boolean,
  params?: URLSearchParams,
): SubscriptionCommand {
  const options = streamOptionsOf(
    "subscribe",
    params?.get("size") ?? undefined,
    params?.get("maxFps") ?? undefined,
    true,
  );
  return {
    type: "subscribe",
    cameras: cameraList(value.split(",").filter(Boolean), isSerial, "?cameras="),
    ...options,
  };
}

/**
 * `play` / `pause` / `live`: one camera (TC_ERR_BAD_CONTROL when missing or not a string,
 * TC_ERR_BAD_SERIAL when not a serial); for `play` a `from` (TC_ERR_BAD_TIME when missing or
 * neither ISO 8601 nor epoch ms, as a number or a string) and an optional `speed` from
 * {@link MIN_REPLAY_SPEED} to {@link MAX_REPLAY_SPEED} (TC_ERR_BAD_CONTROL otherwise).
 */
function parseReplayCommand(
  type: ReplayCommand["type"],
  msg: Record<string, unknown>,
  isSerial: (s: string) => boolean,
): ReplayCommand {
  const camera = msg.camera;
  if (typeof camera !== "string") {
    throw new TrustcamError(
      "TC_ERR_BAD_CONTROL",
      camera === undefined
        ? `Control message "${type}" has no camera`
        : `Invalid camera: ${quote(camera)} (expected a camera serial)`,
    );
  }
  if (!isSerial(camera)) {
    throw new TrustcamError("TC_ERR_BAD_SERIAL", `Invalid camera serial: ${quote(camera)}`);
  }
  const serial = canonicalSerial(camera);
  if (type !== "play") return { type, camera: serial };
  const from = msg.from;
  if (from === undefined) throw new TrustcamError("TC_ERR_BAD_TIME", "Missing from");
  // A number is epoch ms as its digits would be: no fraction, no sign, no exponent.
  const at = parseInstant("from", typeof from === "string" ? from : JSON.stringify(from));
  const speed = msg.speed === undefined ? 1 : msg.speed;
  if (typeof speed !== "number" || !(speed >= MIN_REPLAY_SPEED && speed <= MAX_REPLAY_SPEED)) {
    const range = `${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED}`;
    throw new TrustcamError(
      "TC_ERR_BAD_CONTROL",
      `Invalid speed: ${quote(speed)}: must be a number from ${range}`,
    );
  }
  return { type, camera: serial, from: at, speed };
}

/** Checked, canonical, de-duplicated serials; `where` names the source in the error. */
function cameraList(cameras: unknown[], isSerial: (s: string) => boolean, where: string) {
  if (cameras.length > MAX_CAMERAS_PER_COMMAND) {
    throw new TrustcamError(
      "TC_ERR_BAD_CONTROL",
      `Too many cameras in ${where}: ${cameras.length} > ${MAX_CAMERAS_PER_COMMAND}`,
    );
  }
  const out = new Set<string>();
  for (let i = 0; i < cameras.length; i++) {
    const s = cameras[i];
    if (typeof s !== "string") {
      throw new TrustcamError("TC_ERR_BAD_CONTROL", `Invalid cameras[${i}]: ${quote(s)}`);
    }
    if (!isSerial(s)) {
      throw new TrustcamError("TC_ERR_BAD_SERIAL", `Invalid camera serial: ${quote(s)}`);
    }
    out.add(canonicalSerial(s));
  }
  return [...out];
}

/**
 * Which cameras a viewer receives: either every camera except some ("all" mode, the default
 * on connect) or an explicit set. Serials are compared in canonical (upper case) form.
 */
export class Subscription {
  #all: boolean;
  /** Exceptions in "all" mode, members otherwise. */
  #set = new Set<string>();
  #max: number;
  /** Stream options of the cameras a `subscribe` named; the others have `#allOptions`. */
  #options = new Map<string, StreamOptions>();
  /** What a `subscribe` of "*" asked for: every camera not named since. */
  #allOptions: StreamOptions = DEFAULT_STREAM;

  constructor(
    initial: "*" | Iterable<string> = "*",
    options: { maxCameras?: number } = {},
  ) {
    this.#max = options.maxCameras ?? MAX_SUBSCRIBED_CAMERAS;
    this.#all = initial === "*";
    if (initial !== "*") {
      for (const s of initial) this.#set.add(canonicalSerial(s));
      this.#checkSize();
    }
  }

  /**
   * Applies a parsed command. Throws TC_ERR_BAD_CONTROL, leaving the state unchanged, when it
   * would make the subscription remember more than `maxCameras` serials.
   */
  apply(cmd: SubscriptionCommand): void {
    if (cmd.cameras === "*") {
      this.#all = cmd.type === "subscribe";
      this.#set.clear();
      this.#options.clear();
      this.#allOptions = commandStreamOptions(cmd);
      return;
    }
    if (cmd.type === "subscribe" && this.#all) {
      // The cameras named in "all" mode are not in the set: their options are bounded alike.
      let added = 0;
      for (const s of cmd.cameras) if (!this.#options.has(canonicalSerial(s))) added++;
      this.#checkSize(this.#options.size + added);
    }
    // Growing the set: subscribing to members, or unsubscribing in "all" mode (exceptions).
    const grows = (cmd.type === "subscribe") !== this.#all;
    if (grows) {
      let added = 0;
      for (const s of cmd.cameras) if (!this.#set.has(canonicalSerial(s))) added++;
      this.#checkSize(this.#set.size + added);
      for (const s of cmd.cameras) this.#set.add(canonicalSerial(s));
    } else {
      for (const s of cmd.cameras) this.#set.delete(canonicalSerial(s));
    }
    if (cmd.type === "unsubscribe") {
      for (const s of cmd.cameras) this.#options.delete(canonicalSerial(s));
      return;
    }
    const options = commandStreamOptions(cmd);
    for (const s of cmd.cameras) this.#options.set(canonicalSerial(s), options);
  }

  /** The stream options of a camera this subscription has (canonical form). */
  optionsOf(serial: string): StreamOptions {
    return this.#options.get(serial) ?? (this.#all ? this.#allOptions : DEFAULT_STREAM);
  }

  /** Whether frames of `serial` (canonical form) go to this viewer. O(1), no allocation. */
  has(serial: string): boolean {
    return this.#all ? !this.#set.has(serial) : this.#set.has(serial);
  }

  /** `all: true` → every camera but `cameras`; `all: false` → exactly `cameras`. Sorted. */
  toJSON(): { all: boolean; cameras: string[] } {
    return { all: this.#all, cameras: [...this.#set].sort() };
  }

  #checkSize(size = this.#set.size) {
    if (size > this.#max) {
      throw new TrustcamError(
        "TC_ERR_BAD_CONTROL",
        `Too many cameras in subscription: ${size} > ${this.#max}`,
      );
    }
  }
}

/**
 * A token bucket: `burst` messages at once, then `ratePerSec` on average. Time comes in as
 * milliseconds so that tests and the hub share one clock.
 */
export class TokenBucket {
  readonly ratePerSec: number;
  readonly burst: number;
  #tokens: number;
  #last = NaN;

  constructor(ratePerSec: number, burst: number) {
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) {
      throw new RangeError(`Invalid token rate: ${ratePerSec} per second`);
    }
    if (!(burst >= 1) || !Number.isFinite(burst)) {
      throw new RangeError(`Invalid token burst: ${burst} < 1`);
    }
    this.ratePerSec = ratePerSec;
    this.burst = burst;
    this.#tokens = burst;
  }

  /** Takes one token at `now` (ms); false when the bucket is empty. */
  take(now: number): boolean {
    if (this.#last !== this.#last) this.#last = now;
    else if (now > this.#last) {
      // A clock that steps back refills nothing until it passes the last time seen.
      this.#tokens = Math.min(
        this.burst,
        this.#tokens + ((now - this.#last) * this.ratePerSec) / 1000,
      );
      this.#last = now;
    }
    if (this.#tokens >= 1 - 1e-9) {
      this.#tokens -= 1;
      return true;
    }
    return false;
  }
}
