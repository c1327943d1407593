/**
 * JPEG comment (COM) segments: simulated cameras stamp each frame with its send time so the
 * benchmark can measure camera-to-viewer latency from the bytes alone. A COM segment is
 * ignored by every decoder, so stamped frames stay ordinary JPEGs for the hub and browsers.
 * Pure and dependency-free: it also runs in the browser.
 */

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const COM = 0xfe;
/** A segment length counts its own two bytes, so at most 65535 - 2 bytes of text. */
export const MAX_COMMENT_BYTES = 0xffff - 2;

/**
 * Returns a copy of `jpeg` with a COM segment holding `text` right after SOI, in one
 * allocation. Throws RangeError when the input has no SOI or the text is not short ASCII.
 */
export function withComment(jpeg: Uint8Array, text: string): Uint8Array {
  if (jpeg.byteLength < 2 || jpeg[0] !== 0xff || jpeg[1] !== SOI) {
    throw new RangeError(`Not a JPEG: no SOI marker in ${jpeg.byteLength} bytes`);
  }
  if (text.length > MAX_COMMENT_BYTES) {
    throw new RangeError(`Comment too long: ${text.length} bytes > ${MAX_COMMENT_BYTES}`);
  }
  const out = new Uint8Array(jpeg.byteLength + 4 + text.length);
  out[0] = 0xff;
  out[1] = SOI;
  out[2] = 0xff;
  out[3] = COM;
  const length = text.length + 2;
  out[4] = length >> 8;
  out[5] = length & 0xff;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || c < 0x20) throw new RangeError(`Comment must be printable ASCII: "${text}"`);
    out[6 + i] = c;
  }
  out.set(jpeg.subarray(2), 6 + text.length);
  return out;
}

/**
 * The text of the first COM segment before the scan data, or undefined when there is none
 * or the header is malformed (a truncated segment, a length past the end). Never reads
 * outside the input and never throws.
 */
export function readComment(jpeg: Uint8Array): string | undefined {
  const n = jpeg.byteLength;
  if (n < 2 || jpeg[0] !== 0xff || jpeg[1] !== SOI) return undefined;
  let i = 2;
  while (i < n) {
    if (jpeg[i] !== 0xff) return undefined;
    // Any number of 0xFF fill bytes may precede a marker.
    while (i < n && jpeg[i] === 0xff) i++;
    if (i >= n) return undefined;
    const marker = jpeg[i++];
    if (marker === SOS || marker === EOI || marker === SOI) return undefined;
    // TEM and RST0-7 stand alone, without a length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (i + 2 > n) return undefined;
    const length = (jpeg[i] << 8) | jpeg[i + 1];
    if (length < 2 || i + length > n) return undefined;
    if (marker === COM) {
      let text = "";
      for (let k = i + 2; k < i + length; k++) text += String.fromCharCode(jpeg[k]);
      return text;
    }
    i += length;
  }
  return undefined;
}

/** A frame's send stamp: sender clock in ms since the epoch and the camera's frame number. */
export interface FrameStamp {
  t: number;
  seq: number;
}

const STAMP_RE = /^tc:t=(\d{1,16});seq=(\d{1,16})$/;

/** Stamps a frame with `tc:t=<nowMs>;seq=<seq>`. */
export function stampFrame(jpeg: Uint8Array, seq: number, nowMs: number): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new RangeError(`Frame sequence must be a non-negative integer: "${seq}"`);
  }
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) {
    throw new RangeError(`Stamp time must be a non-negative integer of ms: "${nowMs}"`);
  }
  return withComment(jpeg, `tc:t=${nowMs};seq=${seq}`);
}

/** Reads a stamp written by {@link stampFrame}; undefined when absent or malformed. */
export function readStamp(jpeg: Uint8Array): FrameStamp | undefined {
  const text = readComment(jpeg);
  const m = text === undefined ? null : STAMP_RE.exec(text);
  if (!m) return undefined;
  const t = Number(m[1]);
  const seq = Number(m[2]);
  return Number.isSafeInteger(t) && Number.isSafeInteger(seq) ? { t, seq } : undefined;
}

/**
 * The COM text that carries a replayed frame's capture time: `trustcam-at=<epoch ms>`. The hub
 * inserts it right after SOI of every recorded frame it replays; live frames never carry it.
 */
export const RECORDED_AT_PREFIX = "trustcam-at=";

const RECORDED_AT_RE = /^trustcam-at=(\d{1,16})$/;

/** A copy of `jpeg` stamped with its capture time `ms` (epoch ms), for replay. */
export function withRecordedAt(jpeg: Uint8Array, ms: number): Uint8Array {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`Capture time must be a non-negative integer of ms: "${ms}"`);
  }
  return withComment(jpeg, `${RECORDED_AT_PREFIX}${ms}`);
}

/**
 * The capture time (epoch ms) of a replayed frame, from a `trustcam-at=` COM segment right
 * after SOI; undefined for live frames and anything malformed.
 */
export function recordedAt(jpeg: Uint8Array): number | undefined {
  // Only the segment right after SOI: where the hub puts it, and a frame's own later comment
  // cannot pass for it.
  if (jpeg.byteLength < 4 || jpeg[2] !== 0xff || jpeg[3] !== COM) return undefined;
  const text = readComment(jpeg);
  const m = text === undefined ? null : RECORDED_AT_RE.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]);
  return Number.isSafeInteger(ms) ? ms : undefined;
}
