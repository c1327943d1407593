/**
 * A minimal Matroska (MKV) writer for recorded JPEGs: one `V_MJPEG` video track, each frame
 * at its capture time with millisecond precision. ffmpeg reads it from a pipe
 * (`-f matroska -i pipe:0`) and keeps each frame's timestamp, so an export carries the real
 * capture times (a variable frame rate) instead of a rate ffmpeg would guess.
 *
 * Layout: EBML header, then a Segment of unknown size (written as it streams) holding Info
 * (TimestampScale 1 ms), Tracks, and one Cluster per frame (its Timestamp, then one
 * SimpleBlock with relative time 0): a frame per cluster never overflows SimpleBlock's signed
 * 16-bit relative time, whatever the gap between frames, for about 20 bytes per frame.
 */

/** Element IDs (with their length marker bits, as written). */
const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimestampScale: 0x2ad7b1,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  FlagLacing: 0x9c,
  CodecID: 0x86,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Cluster: 0x1f43b675,
  Timestamp: 0xe7,
  SimpleBlock: 0xa3,
} as const;

/** A Segment of unknown size: an 8-byte size whose value bits are all ones. */
const UNKNOWN_SIZE = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

const encoder = new TextEncoder();

function idBytes(id: number): number[] {
  const out: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return out;
}

/** An element size as an EBML variable-length integer, in as few bytes as it takes. */
export function sizeBytes(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Invalid EBML size: "${n}"`);
  for (let len = 1; len <= 8; len++) {
    // 7 value bits per byte; the all-ones value is reserved for "unknown".
    if (n < 2 ** (7 * len) - 1) {
      const out = new Array<number>(len);
      let v = n;
      for (let i = len - 1; i >= 0; i--) {
        out[i] = v % 256;
        v = Math.floor(v / 256);
      }
      out[0] |= 0x80 >> (len - 1);
      return out;
    }
  }
  throw new RangeError(`EBML size too large: "${n}"`);
}

function uintBytes(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Invalid EBML integer: "${n}"`);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return out.length ? out : [0];
}

function element(id: number, body: ArrayLike<number>): number[] {
  return [...idBytes(id), ...sizeBytes(body.length), ...Array.from(body)];
}

const uint = (id: number, n: number) => element(id, uintBytes(n));
const text = (id: number, s: string) => element(id, encoder.encode(s));

export interface MkvVideo {
  width: number;
  height: number;
}

/** Everything before the first frame: EBML header, Segment start, Info and Tracks. */
export function mkvHeader(video: MkvVideo): Uint8Array {
  const ebml = element(ID.EBML, [
    ...uint(ID.EBMLVersion, 1),
    ...uint(ID.EBMLReadVersion, 1),
    ...uint(ID.EBMLMaxIDLength, 4),
    ...uint(ID.EBMLMaxSizeLength, 8),
    ...text(ID.DocType, "matroska"),
    ...uint(ID.DocTypeVersion, 4),
    ...uint(ID.DocTypeReadVersion, 2),
  ]);
  const info = element(ID.Info, [
    // Block times count milliseconds (the index's precision).
    ...uint(ID.TimestampScale, 1_000_000),
    ...text(ID.MuxingApp, "trustcam"),
    ...text(ID.WritingApp, "trustcam"),
  ]);
  const tracks = element(ID.Tracks, [
    ...element(ID.TrackEntry, [
      ...uint(ID.TrackNumber, 1),
      ...uint(ID.TrackUID, 1),
      ...uint(ID.TrackType, 1),
      ...uint(ID.FlagLacing, 0),
      ...text(ID.CodecID, "V_MJPEG"),
      ...element(ID.Video, [
        ...uint(ID.PixelWidth, video.width),
        ...uint(ID.PixelHeight, video.height),
      ]),
    ]),
  ]);
  return new Uint8Array([...ebml, ...idBytes(ID.Segment), ...UNKNOWN_SIZE, ...info, ...tracks]);
}

/**
 * One frame as a Cluster: `timeMs` is its time from the start of the video (ms, whole,
 * never decreasing from frame to frame). A keyframe, as every JPEG is. (No BlockDuration for
 * the last frame: ffmpeg 5 drops it on the way to the encoder, the MP4's last frame lasts one
 * tick whatever the input says.)
 */
export function mkvFrame(timeMs: number, jpeg: Uint8Array): Uint8Array {
  const timestamp = uint(ID.Timestamp, timeMs);
  // Track 1 as a vint, relative time 0 (int16), flags: keyframe.
  const blockHead = [0x81, 0x00, 0x00, 0x80];
  const block = [...idBytes(ID.SimpleBlock), ...sizeBytes(blockHead.length + jpeg.length)];
  const clusterBody = timestamp.length + block.length + blockHead.length + jpeg.length;
  const head = [
    ...idBytes(ID.Cluster),
    ...sizeBytes(clusterBody),
    ...timestamp,
    ...block,
    ...blockHead,
  ];
  const out = new Uint8Array(head.length + jpeg.length);
  out.set(head);
  out.set(jpeg, head.length);
  return out;
}
