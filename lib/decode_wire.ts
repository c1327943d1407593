/**
 * The framing between the hub and its decode process (hub/motion_decoder.ts and
 * hub/motion_decoder_child.ts): length-prefixed messages on a pipe, requests one way, replies
 * the other. Every message is
 *
 *     u32 length of what follows (big-endian) | u32 id | u8 kind | u16 a | u16 b | payload
 *
 * A request's kind is the operation, `a` the target width (`b` the JPEG quality of a resize),
 * the payload the JPEG; a reply's
 * kind is its outcome, `a` x `b` the size of a greyscale picture, the payload its pixels, the
 * thumbnail JPEG or the error's text. Pure: no I/O.
 */

export const WIRE_HEADER_BYTES = 4 + 4 + 1 + 2 + 2;

/** Request kinds. */
export const OP_LUMA = 1;
export const OP_THUMBNAIL = 2;
/** A reduced frame for a thin link (lib/thin_link.ts): width `a`, quality `b`, comment kept. */
export const OP_RESIZE = 3;
/** Reply kinds. */
export const REPLY_LUMA = 1;
export const REPLY_JPEG = 2;
export const REPLY_ERROR = 3;
/** Sent once, id 0, when the decoder has loaded and takes requests. */
export const REPLY_READY = 4;

export interface WireMessage {
  id: number;
  kind: number;
  a: number;
  b: number;
  /** A view into the reader's buffer, which the reader never writes into again. */
  payload: Uint8Array;
}

export type WireErrorCode = "TC_WIRE_TOO_LARGE" | "TC_WIRE_BAD_HEADER";

export class WireError extends Error {
  override name = "WireError";
  readonly code: WireErrorCode;
  constructor(code: WireErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const u16 = (name: string, v: number) => {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
    throw new WireError("TC_WIRE_BAD_HEADER", `Invalid ${name}: "${v}": must be 0-65535`);
  }
  return v;
};

export interface WireHeader {
  id: number;
  kind: number;
  a?: number;
  b?: number;
}

/** One message: a header and the payload in one buffer (one write to the pipe). */
export function encodeMessage(m: WireHeader, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(WIRE_HEADER_BYTES + payload.byteLength);
  out.set(encodeHeader(m, payload.byteLength));
  out.set(payload, WIRE_HEADER_BYTES);
  return out;
}

/** A message's header alone, for a payload written after it without a copy. */
export function encodeHeader(m: WireHeader, payloadLength: number): Uint8Array {
  if (!Number.isInteger(m.id) || m.id < 0 || m.id > 0xffff_ffff) {
    throw new WireError("TC_WIRE_BAD_HEADER", `Invalid message id: "${m.id}"`);
  }
  if (!Number.isInteger(m.kind) || m.kind < 1 || m.kind > 0xff) {
    throw new WireError("TC_WIRE_BAD_HEADER", `Invalid message kind: "${m.kind}"`);
  }
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > 0xffff_fff0) {
    throw new WireError("TC_WIRE_BAD_HEADER", `Invalid payload length: "${payloadLength}"`);
  }
  const out = new Uint8Array(WIRE_HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, WIRE_HEADER_BYTES - 4 + payloadLength);
  view.setUint32(4, m.id);
  view.setUint8(8, m.kind);
  view.setUint16(9, u16("a", m.a ?? 0));
  view.setUint16(11, u16("b", m.b ?? 0));
  return out;
}

export interface WireReaderOptions {
  /** Largest message (header included) accepted; a larger length prefix is an error. */
  maxMessageBytes: number;
}

/**
 * Reassembles messages from chunks as a pipe delivers them (split anywhere, several per
 * chunk). A length over the limit throws {@link WireError} `TC_WIRE_TOO_LARGE` before any of
 * it is buffered: the stream is then unusable and the caller ends it.
 */
export class WireReader {
  #max: number;
  #buf = new Uint8Array(0);
  #len = 0;

  constructor(options: WireReaderOptions) {
    if (!Number.isInteger(options.maxMessageBytes) || options.maxMessageBytes < WIRE_HEADER_BYTES) {
      throw new RangeError(`Invalid maxMessageBytes: "${options.maxMessageBytes}"`);
    }
    this.#max = options.maxMessageBytes;
  }

  /** Bytes held for a message not yet complete. */
  get buffered(): number {
    return this.#len;
  }

  push(chunk: Uint8Array): WireMessage[] {
    this.#append(chunk);
    const out: WireMessage[] = [];
    let at = 0;
    const view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#len);
    while (this.#len - at >= 4) {
      const total = 4 + view.getUint32(at);
      if (total < WIRE_HEADER_BYTES) {
        throw new WireError("TC_WIRE_BAD_HEADER", `Message length too small: "${total - 4}"`);
      }
      if (total > this.#max) {
        throw new WireError(
          "TC_WIRE_TOO_LARGE",
          `Message of ${total} bytes over the limit of ${this.#max}`,
        );
      }
      if (this.#len - at < total) break;
      out.push({
        id: view.getUint32(at + 4),
        kind: view.getUint8(at + 8),
        a: view.getUint16(at + 9),
        b: view.getUint16(at + 11),
        payload: this.#buf.subarray(at + WIRE_HEADER_BYTES, at + total),
      });
      at += total;
    }
    if (at > 0) {
      // Keep the incomplete tail in a fresh buffer: the payloads handed out stay intact.
      this.#buf = this.#buf.slice(at, this.#len);
      this.#len -= at;
    }
    return out;
  }

  #append(chunk: Uint8Array): void {
    if (this.#len + chunk.byteLength > this.#buf.byteLength) {
      const next = new Uint8Array(Math.max(this.#len + chunk.byteLength, this.#buf.byteLength * 2));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.set(chunk, this.#len);
    this.#len += chunk.byteLength;
  }
}
