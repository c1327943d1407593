/**
 * The lean viewer's parser: walks a byte stream of WebSocket frames (server to client,
 * unmasked) or of the bare ceiling's length-prefixed frames and reports, per binary message,
 * only its first bytes (where the COM stamp is) and its last 18 (the serial trailer). Nothing
 * is copied but those few bytes, so a viewers process can keep up with far more traffic than
 * `ws` clients, whose per-message buffering made the client the bottleneck of the sweep.
 */

/** Bytes kept from the start of each message: SOI + the COM stamp segment fit easily. */
export const HEAD_BYTES = 64;
const TAIL_BYTES = 18;
const MAX_CONTROL = 125;

export interface ScannedMessage {
  /** first min(HEAD_BYTES, length) bytes */
  head: Uint8Array;
  /** last 18 bytes as ASCII (the serial trailer), "" when shorter */
  tail: string;
  length: number;
}

export interface ScannerEvents {
  binary(m: ScannedMessage): void;
  /** A WebSocket ping: the caller answers with {@link pongFrame}. */
  ping?(payload: Uint8Array): void;
  text?(text: string): void;
  close?(code: number): void;
}

type State = "header" | "payload";

/** Streaming scanner; `ws` mode parses RFC 6455 frames, `bare` mode `[u32 length][payload]`. */
export class FrameScanner {
  readonly #mode: "ws" | "bare";
  readonly #on: ScannerEvents;
  #state: State = "header";
  #hdr = new Uint8Array(14);
  #hdrN = 0;
  #hdrNeed = 2;
  #opcode = 0;
  #len = 0;
  #got = 0;
  #head = new Uint8Array(HEAD_BYTES);
  #headN = 0;
  #tail = new Uint8Array(TAIL_BYTES);
  #small: Uint8Array | null = null;

  constructor(mode: "ws" | "bare", on: ScannerEvents) {
    this.#mode = mode;
    this.#on = on;
    this.#hdrNeed = mode === "ws" ? 2 : 4;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.byteLength;
    while (i < n) {
      if (this.#state === "header") {
        while (this.#hdrN < this.#hdrNeed && i < n) this.#hdr[this.#hdrN++] = chunk[i++];
        if (this.#hdrN < this.#hdrNeed) return;
        if (!this.#headerDone()) continue;
      }
      const take = Math.min(this.#len - this.#got, n - i);
      this.#payload(chunk, i, take);
      i += take;
      this.#got += take;
      if (this.#got === this.#len) this.#messageDone();
    }
  }

  /** True when the header is complete (state now payload); false when more header is due. */
  #headerDone(): boolean {
    const h = this.#hdr;
    if (this.#mode === "bare") {
      this.#opcode = 2;
      this.#len = ((h[0] << 24) >>> 0) + (h[1] << 16) + (h[2] << 8) + h[3];
    } else {
      if (this.#hdrNeed === 2) {
        const l7 = h[1] & 0x7f;
        if (h[1] & 0x80) throw new RangeError("Server frames must not be masked");
        if (l7 === 126 || l7 === 127) {
          this.#hdrNeed = l7 === 126 ? 4 : 10;
          return false;
        }
        this.#len = l7;
      } else if (this.#hdrNeed === 4) {
        this.#len = (h[2] << 8) | h[3];
      } else {
        this.#len = (h[2] * 2 ** 24 + (h[3] << 16) + (h[4] << 8) + h[5]) * 2 ** 32 +
          ((h[6] << 24) >>> 0) + (h[7] << 16) + (h[8] << 8) + h[9];
      }
      this.#opcode = h[0] & 0x0f;
      if ((h[0] & 0x80) === 0 || this.#opcode === 0) {
        throw new RangeError("Fragmented messages are not expected from the hub");
      }
    }
    this.#state = "payload";
    this.#got = 0;
    this.#headN = 0;
    this.#tail.fill(0);
    this.#small = this.#opcode === 2 ? null : new Uint8Array(Math.min(this.#len, 4096));
    return true;
  }

  #payload(chunk: Uint8Array, at: number, take: number): void {
    if (take === 0) return;
    if (this.#small) {
      const room = this.#small.byteLength - this.#got;
      if (room > 0) this.#small.set(chunk.subarray(at, at + Math.min(room, take)), this.#got);
      return;
    }
    if (this.#headN < HEAD_BYTES) {
      const k = Math.min(HEAD_BYTES - this.#headN, take);
      this.#head.set(chunk.subarray(at, at + k), this.#headN);
      this.#headN += k;
    }
    // Keep the last 18 bytes seen: shift in from this piece.
    const end = at + take;
    if (take >= TAIL_BYTES) this.#tail.set(chunk.subarray(end - TAIL_BYTES, end));
    else {
      this.#tail.copyWithin(0, take);
      this.#tail.set(chunk.subarray(at, end), TAIL_BYTES - take);
    }
  }

  #messageDone(): void {
    const op = this.#opcode;
    const len = this.#len;
    this.#state = "header";
    this.#hdrN = 0;
    this.#hdrNeed = this.#mode === "ws" ? 2 : 4;
    if (op === 2) {
      this.#on.binary({
        head: this.#head.slice(0, this.#headN),
        tail: len >= TAIL_BYTES ? String.fromCharCode(...this.#tail) : "",
        length: len,
      });
    } else if (op === 9) this.#on.ping?.(this.#small!);
    else if (op === 1) this.#on.text?.(new TextDecoder().decode(this.#small!));
    else if (op === 8) {
      const p = this.#small!;
      this.#on.close?.(p.byteLength >= 2 ? (p[0] << 8) | p[1] : 1005);
    }
  }
}

/** A masked client frame (pong 0xA, close 0x8) with `payload` of at most 125 bytes. */
export function controlFrame(opcode: 0x8 | 0xa, payload: Uint8Array): Uint8Array {
  const len = Math.min(payload.byteLength, MAX_CONTROL);
  const out = new Uint8Array(6 + len);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | len;
  const mask = crypto.getRandomValues(new Uint8Array(4));
  out.set(mask, 2);
  for (let i = 0; i < len; i++) out[6 + i] = payload[i] ^ mask[i & 3];
  return out;
}
