/**
 * The smallest frames the hub accepts, of any size: SOI, a baseline frame header (SOF0,
 * 320x240), a scan header (SOS), `fill` bytes standing in for the entropy-coded scan, EOI.
 * The hub reads markers up to the scan and never decodes, so these relay like camera frames.
 * Shared by tests and benchmarks; the parts are exported for tests that build their own.
 */

/** Bytes from space-separated hex: "ff d8" → [0xff, 0xd8]. */
export function hexBytes(hex: string): number[] {
  return hex.trim().split(/\s+/).map((h) => parseInt(h, 16));
}

export const JPEG_SOI = hexBytes("ff d8");
/** Baseline frame header: 8 bit, height 240, width 320, 3 components. */
export const JPEG_SOF0 = hexBytes("ff c0 00 11 08 00 f0 01 40 03 01 22 00 02 11 01 03 11 01");
/** Scan header for the 3 components. */
export const JPEG_SOS = hexBytes("ff da 00 0c 03 01 00 02 11 03 11 00 3f 00");
export const JPEG_EOI = hexBytes("ff d9");

const HEADER = [...JPEG_SOI, ...JPEG_SOF0, ...JPEG_SOS];

/** Bytes of a fake JPEG beyond its body: the header above and EOI. */
export const FAKE_JPEG_OVERHEAD = HEADER.length + JPEG_EOI.length;

/** A well-formed JPEG of exactly `n + 4` bytes (n >= 34), filled with `fill`. */
export function fakeJpeg(n: number, fill = 0x11): Uint8Array {
  const total = n + 4;
  if (total < FAKE_JPEG_OVERHEAD + 1) {
    throw new RangeError(`Fake JPEG too small: "${n}" < ${FAKE_JPEG_OVERHEAD - 3}`);
  }
  const out = new Uint8Array(total).fill(fill);
  out.set(HEADER, 0);
  out.set(JPEG_EOI, total - 2);
  return out;
}
