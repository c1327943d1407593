/**
 * The smallest frames the hub accepts, of any size: SOI, a baseline frame header (SOF0,
 * 320x240), a scan header (SOS), `fill` bytes standing in for the entropy-coded scan, EOI.
 * The hub reads markers up to the scan and never decodes, so these relay like camera frames.
 * Shared by tests and benchmarks.
 */

const HEADER = [
  0xff,
  0xd8, // SOI
  0xff,
  0xc0,
  0x00,
  0x11,
  0x08,
  0x00,
  0xf0,
  0x01,
  0x40,
  0x03, // SOF0, 8 bit, 240 x 320, 3 comps
  0x01,
  0x22,
  0x00,
  0x02,
  0x11,
  0x01,
  0x03,
  0x11,
  0x01,
  0xff,
  0xda,
  0x00,
  0x0c,
  0x03,
  0x01,
  0x00,
  0x02,
  0x11,
  0x03,
  0x11,
  0x00,
  0x3f,
  0x00, // SOS
];

/** Bytes of a fake JPEG beyond its body: the header above and EOI. */
export const FAKE_JPEG_OVERHEAD = HEADER.length + 2;

/** A well-formed JPEG of exactly `n + 4` bytes (n >= 31), filled with `fill`. */
export function fakeJpeg(n: number, fill = 0x11): Uint8Array {
  const total = n + 4;
  if (total < FAKE_JPEG_OVERHEAD + 1) {
    throw new RangeError(`Fake JPEG too small: "${n}" < ${FAKE_JPEG_OVERHEAD - 3}`);
  }
  const out = new Uint8Array(total).fill(fill);
  out.set(HEADER, 0);
  out.set([0xff, 0xd9], total - 2);
  return out;
}
