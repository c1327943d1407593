/**
 * How bus frames and events travel over NATS (hub/nats_bus.ts; docs/protocol.md, "NATS bus"):
 * subject names, the hub-id header, the payloads, and the count of local interest that decides
 * when a hub subscribes to a camera in NATS. Pure: no sockets.
 *
 * A frame's payload is the viewer message itself (JPEG + 18-byte trailer, lib/trailer.ts), so
 * the JPEG length needs no header and the receiving hub hands the received bytes to its
 * viewers as they are. An event's payload is its JSON.
 */
import type { BusEvent, BusFrame } from "./bus.ts";
import { TRAILER_LENGTH } from "./trailer.ts";

export const SUBJECT_PREFIX = "trustcam";
/** Every camera's events: a hub subscribes to all of them (they are small and rare). */
export const EVENT_SUBJECTS = `${SUBJECT_PREFIX}.event.>`;
/** Every camera's "wanted" announcements: the hub holding a camera publishes it while wanted. */
export const WANT_SUBJECTS = `${SUBJECT_PREFIX}.want.>`;
/**
 * A recorder process wants every camera of the cluster. Inside `want.>`, so hubs hear it on the
 * subscription they have, with a token no serial encodes to (a serial's `%` is `%25`).
 */
export const WANT_ALL_SUBJECT = `${SUBJECT_PREFIX}.want.%all`;
/** Every camera's frames, for a process that wants them all. */
export const FRAME_SUBJECTS = `${SUBJECT_PREFIX}.frame.>`;
/** The id of the hub that accepted the frame or event; a hub ignores its own coming back. */
export const HUB_HEADER = "Trustcam-Hub";

/**
 * A serial as one subject token: NATS tokens cannot hold `.`, `*`, `>` or white space, and a
 * custom `--serial-pattern` may allow them, so those (and `%`) become `%XX`. The default
 * serials (hex) pass unchanged.
 */
export function subjectToken(serial: string): string {
  if (serial === "") throw new RangeError(`Serial must not be empty: "${serial}"`);
  return serial.replace(
    /[.*>%\s\p{Cc}]/gu,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

/** The inverse of {@link subjectToken}; null for a token no serial encodes to. */
export function serialOfToken(token: string): string | null {
  if (token === "" || /[.*>\s]/.test(token) || /%(?![0-9A-F]{2})/.test(token)) return null;
  const serial = token.replace(/%([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return subjectToken(serial) === token ? serial : null;
}

export function frameSubject(serial: string): string {
  return `${SUBJECT_PREFIX}.frame.${subjectToken(serial)}`;
}

export function eventSubject(serial: string): string {
  return `${SUBJECT_PREFIX}.event.${subjectToken(serial)}`;
}

/** A hub (or a recorder) that wants a camera's frames says so here, again every few seconds. */
export function wantSubject(serial: string): string {
  return `${SUBJECT_PREFIX}.want.${subjectToken(serial)}`;
}

/** The serial of a `trustcam.<kind>.<serial>` subject, or null. */
export function serialOfSubject(
  subject: string,
  kind: "frame" | "event" | "want",
): string | null {
  const head = `${SUBJECT_PREFIX}.${kind}.`;
  return subject.startsWith(head) ? serialOfToken(subject.slice(head.length)) : null;
}

/**
 * A frame received over NATS for `serial`: `data` is kept, not copied, and `receivedAt` is the
 * receiving hub's clock (a frame's age is measured on the hub that sends it to viewers).
 * Throws RangeError when the trailer does not name `serial`.
 */
export function frameOf(
  serial: string,
  data: Uint8Array,
  receivedAt: number,
  origin: string,
): BusFrame {
  const jpegLength = data.byteLength - TRAILER_LENGTH;
  if (jpegLength <= 0) throw new RangeError(`Bus frame too short: ${data.byteLength} bytes`);
  for (let i = 0; i < TRAILER_LENGTH; i++) {
    if (data[jpegLength + i] !== serial.charCodeAt(i) || serial.length !== TRAILER_LENGTH) {
      throw new RangeError(`Bus frame trailer does not name its subject's camera: "${serial}"`);
    }
  }
  return { serial, data, jpegLength, receivedAt, origin };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An event's payload on NATS: its JSON, memoized on the event as viewers need it too. */
export function encodeEvent(event: BusEvent): Uint8Array {
  event.json ??= JSON.stringify(event.payload);
  return encoder.encode(event.json);
}

/** An event received over NATS; throws SyntaxError or TypeError when it is not a JSON object. */
export function eventOf(serial: string, data: Uint8Array, origin: string): BusEvent {
  const json = decoder.decode(data);
  const payload = JSON.parse(json);
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new TypeError(`Bus event is not a JSON object: "${json.slice(0, 40)}"`);
  }
  return { serial, payload, json, origin };
}

/**
 * Local subscriptions per camera: a hub subscribes to a camera in NATS on the first and
 * unsubscribes on the last, whatever the number of viewers between.
 */
export class Interest {
  #counts = new Map<string, number>();

  /** Counts one more subscriber; true when it is the first. */
  add(serial: string): boolean {
    const n = this.#counts.get(serial) ?? 0;
    this.#counts.set(serial, n + 1);
    return n === 0;
  }

  /** Counts one subscriber less; true when it was the last. */
  remove(serial: string): boolean {
    const n = this.#counts.get(serial);
    if (n === undefined) throw new RangeError(`No subscriber to remove for "${serial}"`);
    if (n > 1) {
      this.#counts.set(serial, n - 1);
      return false;
    }
    this.#counts.delete(serial);
    return true;
  }

  has(serial: string): boolean {
    return this.#counts.has(serial);
  }

  /** The cameras with at least one subscriber. */
  serials(): string[] {
    return [...this.#counts.keys()];
  }

  get size(): number {
    return this.#counts.size;
  }
}
