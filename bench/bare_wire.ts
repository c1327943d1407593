/**
 * The ceiling's wire format: no WebSocket, just `[u32 big-endian length][payload]` over TLS.
 * Cameras send JPEGs, viewers receive JPEG + the same 18-byte serial trailer trustcam sends.
 */

export const HEADER_BYTES = 4;
/** Refuse lengths past this: a corrupt header must not allocate gigabytes. */
export const MAX_BARE_FRAME = 8 * 1024 * 1024;

/** Writes the length header of a `payloadLength`-byte frame into `out[0..4)`. */
export function writeHeader(out: Uint8Array, payloadLength: number): void {
  out[0] = payloadLength >>> 24;
  out[1] = (payloadLength >>> 16) & 0xff;
  out[2] = (payloadLength >>> 8) & 0xff;
  out[3] = payloadLength & 0xff;
}

/** Header + payload in one new buffer. */
export function encodeBareFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.byteLength);
  writeHeader(out, payload.byteLength);
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * Cuts a byte stream into frames with one copy each: every frame's payload is copied once
 * into a buffer with `headroom` bytes before it and `tailroom` after, so the hub can send
 * header + payload + trailer without copying again.
 */
export class BareFrameSplitter {
  #hdr = new Uint8Array(HEADER_BYTES);
  #hdrN = 0;
  #buf: Uint8Array | null = null;
  #need = 0;
  #have = 0;
  readonly #headroom: number;
  readonly #tailroom: number;
  readonly #onFrame: (buf: Uint8Array, payloadLength: number) => void;

  constructor(
    onFrame: (buf: Uint8Array, payloadLength: number) => void,
    opts: { headroom?: number; tailroom?: number } = {},
  ) {
    this.#onFrame = onFrame;
    this.#headroom = opts.headroom ?? 0;
    this.#tailroom = opts.tailroom ?? 0;
  }

  /** Feeds a chunk; throws RangeError on a length over {@link MAX_BARE_FRAME}. */
  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.byteLength;
    while (i < n) {
      if (this.#buf === null) {
        while (this.#hdrN < HEADER_BYTES && i < n) this.#hdr[this.#hdrN++] = chunk[i++];
        if (this.#hdrN < HEADER_BYTES) return;
        const h = this.#hdr;
        const len = ((h[0] << 24) >>> 0) + (h[1] << 16) + (h[2] << 8) + h[3];
        if (len > MAX_BARE_FRAME) {
          throw new RangeError(`Bare frame too large: ${len} bytes > ${MAX_BARE_FRAME}`);
        }
        this.#hdrN = 0;
        this.#buf = new Uint8Array(this.#headroom + len + this.#tailroom);
        this.#need = len;
        this.#have = 0;
      }
      const take = Math.min(this.#need - this.#have, n - i);
      this.#buf.set(chunk.subarray(i, i + take), this.#headroom + this.#have);
      this.#have += take;
      i += take;
      if (this.#have === this.#need) {
        const buf = this.#buf;
        this.#buf = null;
        this.#onFrame(buf, this.#need);
      }
    }
  }
}
