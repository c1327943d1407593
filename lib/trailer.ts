/**
 * The seed's viewer frame format: JPEG bytes followed by the camera serial as 18 ASCII
 * bytes. Runs on the server (building) and in the browser (parsing), so it imports nothing.
 */

export const TRAILER_LENGTH = 18;

/**
 * Builds the one buffer every viewer receives for a frame: JPEG + serial. One allocation
 * and one copy per frame, whatever the number of viewers.
 */
export function buildViewerFrame(jpeg: Uint8Array, serial: string): Uint8Array {
  if (serial.length !== TRAILER_LENGTH) {
    throw new RangeError(`Serial must be ${TRAILER_LENGTH} characters: "${serial}"`);
  }
  const out = new Uint8Array(jpeg.byteLength + TRAILER_LENGTH);
  out.set(jpeg, 0);
  for (let i = 0; i < TRAILER_LENGTH; i++) {
    const c = serial.charCodeAt(i);
    if (c > 0x7e || c < 0x20) throw new RangeError(`Serial must be printable ASCII: "${serial}"`);
    out[jpeg.byteLength + i] = c;
  }
  return out;
}

/** A viewer frame split into its parts; `jpeg` is a view into the input, not a copy. */
export interface ViewerFrame {
  serial: string;
  jpeg: Uint8Array;
}

/** Splits a viewer frame; throws RangeError when it is too short to hold a trailer. */
export function parseViewerFrame(data: ArrayBuffer | Uint8Array): ViewerFrame {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength <= TRAILER_LENGTH) {
    throw new RangeError(`Viewer frame too short: ${bytes.byteLength} bytes`);
  }
  const end = bytes.byteLength - TRAILER_LENGTH;
  let serial = "";
  for (let i = end; i < bytes.byteLength; i++) serial += String.fromCharCode(bytes[i]);
  return { serial, jpeg: bytes.subarray(0, end) };
}
