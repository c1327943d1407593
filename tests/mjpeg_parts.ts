/** Reads a `multipart/x-mixed-replace` MJPEG body back into its parts, for tests. */

export interface MjpegPart {
  headers: Record<string, string>;
  body: Uint8Array;
}

const decoder = new TextDecoder();

/** The whole parts in `bytes` (a part cut short at the end is left out). */
export function parseMjpegParts(bytes: Uint8Array, boundary = "trustcamframe"): MjpegPart[] {
  const parts: MjpegPart[] = [];
  const dash = new TextEncoder().encode(`--${boundary}\r\n`);
  let at = 0;
  while (at + dash.length <= bytes.length) {
    for (let i = 0; i < dash.length; i++) {
      if (bytes[at + i] !== dash[i]) throw new Error(`No boundary at byte ${at}`);
    }
    let end = at + dash.length;
    while (
      end + 3 < bytes.length && !(bytes[end] === 13 && bytes[end + 1] === 10 &&
        bytes[end + 2] === 13 && bytes[end + 3] === 10)
    ) end++;
    if (end + 3 >= bytes.length) break;
    const headers: Record<string, string> = {};
    for (const line of decoder.decode(bytes.subarray(at + dash.length, end)).split("\r\n")) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = end + 4;
    const length = Number(headers["content-length"]);
    if (start + length + 2 > bytes.length) break;
    parts.push({ headers, body: bytes.slice(start, start + length) });
    at = start + length + 2;
  }
  return parts;
}
