/**
 * Reads a JPEG's marker segments up to its first scan, without decoding a pixel: SOI, well
 * formed segments, a frame header (SOF) whose size is within limits, a scan header (SOS), and
 * EOI as the last two bytes. What a browser would refuse to draw never reaches a viewer, and
 * the check costs a walk over a few hundred header bytes, not a decode.
 */

export type JpegProblem =
  | "no_soi"
  | "bad_marker"
  | "truncated"
  | "no_sof"
  | "bad_dimensions"
  | "no_sos"
  | "no_eoi";

export interface JpegInfo {
  width: number;
  height: number;
}

export type JpegCheck = { ok: true; info: JpegInfo } | {
  ok: false;
  problem: JpegProblem;
  /** What exactly, for the log: names the offset and the value. */
  detail: string;
};

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

/** SOF0-3, 5-7, 9-11, 13-15: every frame header (C4 is DHT, C8 reserved, CC is DAC). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
    marker !== 0xcc;
}

const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");

function bad(problem: JpegProblem, detail: string): JpegCheck {
  return { ok: false, problem, detail };
}

/** Checks a JPEG's structure; `maxDimension` bounds its width and height. */
export function checkJpegStructure(data: Uint8Array, maxDimension: number): JpegCheck {
  const n = data.byteLength;
  if (n < 4 || data[0] !== 0xff || data[1] !== SOI) {
    return bad("no_soi", "Frame does not start with SOI (FF D8)");
  }
  if (data[n - 2] !== 0xff || data[n - 1] !== EOI) {
    return bad("no_eoi", "Frame does not end with EOI (FF D9): truncated");
  }
  let info: JpegInfo | undefined;
  let at = 2;
  // The last two bytes are EOI: segments before the scan must end before them.
  const end = n - 2;
  while (at < end) {
    if (data[at] !== 0xff) {
      return bad("bad_marker", `Expected a marker at byte ${at}, found ${hex(data[at])}`);
    }
    // Any number of FF fill bytes may precede a marker.
    while (at < end && data[at] === 0xff) at++;
    if (at >= end) break;
    const marker = data[at++];
    if (marker === 0x00 || marker === SOI || marker === EOI || (marker >= 0xd0 && marker <= 0xd7)) {
      return bad("bad_marker", `Unexpected marker FF ${hex(marker)} at byte ${at - 2}`);
    }
    if (marker === 0x01) continue; // TEM: no length
    if (at + 2 > end) return bad("truncated", `Segment FF ${hex(marker)} cut at byte ${at}`);
    const length = (data[at] << 8) | data[at + 1];
    if (length < 2 || at + length > end) {
      return bad("truncated", `Segment FF ${hex(marker)} at byte ${at - 2} claims ${length} bytes`);
    }
    if (isSof(marker)) {
      if (info) return bad("bad_marker", `Second frame header FF ${hex(marker)} at byte ${at - 2}`);
      if (length < 8) return bad("truncated", `Frame header at byte ${at - 2} is ${length} bytes`);
      const height = (data[at + 3] << 8) | data[at + 4];
      const width = (data[at + 5] << 8) | data[at + 6];
      if (width < 1 || height < 1 || width > maxDimension || height > maxDimension) {
        return bad(
          "bad_dimensions",
          `Frame size ${width}x${height} outside 1..${maxDimension}`,
        );
      }
      info = { width, height };
    }
    if (marker === SOS) {
      if (!info) return bad("no_sof", "Scan (SOS) before any frame header (SOF)");
      return { ok: true, info };
    }
    at += length;
  }
  return info ? bad("no_sos", "No scan (SOS) before EOI") : bad("no_sof", "No frame header (SOF)");
}
