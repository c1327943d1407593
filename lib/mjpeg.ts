/**
 * `multipart/x-mixed-replace` framing, the MJPEG dialect VLC, ffmpeg and Home Assistant read:
 * each part is a JPEG with its own Content-Type and Content-Length.
 */

export const MJPEG_BOUNDARY = "trustcamframe";

export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`;

const encoder = new TextEncoder();

/**
 * One part: boundary line, headers (`extra` after Content-Type and Content-Length), the JPEG,
 * CRLF. A single buffer, so one write.
 */
export function mjpegPart(jpeg: Uint8Array, extra: Record<string, string> = {}): Uint8Array {
  const more = Object.entries(extra).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const head = encoder.encode(
    `--${MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.byteLength}\r\n${more}\r\n`,
  );
  const out = new Uint8Array(head.byteLength + jpeg.byteLength + 2);
  out.set(head, 0);
  out.set(jpeg, head.byteLength);
  out[out.byteLength - 2] = 0x0d;
  out[out.byteLength - 1] = 0x0a;
  return out;
}
