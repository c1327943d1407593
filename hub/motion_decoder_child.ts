/**
 * The decode process (started by hub/motion_decoder.ts, never by hand): reads requests from
 * stdin, decodes or resizes with sharp (hub/motion_decode.ts), writes replies to stdout, one request at a
 * time in order; ends when stdin closes. It runs at a lower CPU priority than the hub, so on a
 * busy machine the scheduler gives the relay the core first and motion analysis falls behind
 * (skips, counted) instead of delaying frames; and a decoder that crashes on a hostile JPEG
 * takes only this process down. It says it is ready once sharp has loaded.
 */
import {
  encodeMessage,
  OP_LUMA,
  OP_RESIZE,
  OP_THUMBNAIL,
  REPLY_ERROR,
  REPLY_JPEG,
  REPLY_LUMA,
  REPLY_READY,
  type WireMessage,
  WireReader,
} from "../lib/decode_wire.ts";
import { decodeLuma, motionThumbnail, reduceJpeg } from "./motion_decode.ts";

/** A request carries one JPEG: the hub's own frame limit is 64 MiB at most. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024 + 64;

async function answer(m: WireMessage): Promise<Uint8Array> {
  try {
    if (m.kind === OP_LUMA) {
      const img = await decodeLuma(m.payload, m.a);
      return encodeMessage({ id: m.id, kind: REPLY_LUMA, a: img.width, b: img.height }, img.luma);
    }
    if (m.kind === OP_THUMBNAIL) {
      return encodeMessage({ id: m.id, kind: REPLY_JPEG }, await motionThumbnail(m.payload, m.a));
    }
    if (m.kind === OP_RESIZE) {
      return encodeMessage({ id: m.id, kind: REPLY_JPEG }, await reduceJpeg(m.payload, m.a, m.b));
    }
    throw new Error(`Unknown operation: "${m.kind}"`);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return encodeMessage({ id: m.id, kind: REPLY_ERROR }, new TextEncoder().encode(text));
  }
}

async function serve(): Promise<void> {
  const reader = new WireReader({ maxMessageBytes: MAX_REQUEST_BYTES });
  const out = Deno.stdout.writable.getWriter();
  await out.write(encodeMessage({ id: 0, kind: REPLY_READY }, new Uint8Array(0)));
  for await (const chunk of Deno.stdin.readable) {
    for (const m of reader.push(chunk)) await out.write(await answer(m));
  }
  await out.close();
}

if (import.meta.main) {
  // Ctrl-C in a terminal signals the whole process group: the hub shuts down in order and still
  // needs the decoder for the last events' thumbnails, then closes stdin, which ends this
  // process. A parent that dies closes stdin too.
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => {});
  await serve();
}
