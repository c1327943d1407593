/**
 * The control messages that bring the hub's subscription for one page from what it has to
 * what the page wants: pure, so lib/client/viewer_socket.ts only decides when to send them.
 */
import { encodeMessage, subscribeCommand, unsubscribeCommand } from "../protocol.ts";
import { DEFAULT_STREAM, streamKey, type StreamOptions } from "../thin_link.ts";

/** Serials per control message: 128 x 21 bytes stays well under the 4096-byte limit. */
export const CAMERAS_PER_MESSAGE = 128;
/** Each camera's stream options; a camera not in it has the default (full size, no cap). */
export type StreamOptionsMap = ReadonlyMap<string, StreamOptions>;

/**
 * Control messages that turn subscription `from` into `to`: removals, then one `subscribe` per
 * set of options for the cameras added or whose options change (a `subscribe` of a camera
 * already subscribed changes its options on the hub).
 */
export function subscriptionDiff(
  from: ReadonlySet<string>,
  to: ReadonlySet<string>,
  options: { from?: StreamOptionsMap; to?: StreamOptionsMap } = {},
): string[] {
  const before = (s: string) => options.from?.get(s) ?? DEFAULT_STREAM;
  const after = (s: string) => options.to?.get(s) ?? DEFAULT_STREAM;
  const remove = [...from].filter((s) => !to.has(s)).sort();
  const groups = new Map<string, { options: StreamOptions; cameras: string[] }>();
  for (const s of [...to].sort()) {
    const o = after(s);
    const key = streamKey(o);
    if (from.has(s) && streamKey(before(s)) === key) continue;
    const g = groups.get(key) ?? { options: o, cameras: [] as string[] };
    g.cameras.push(s);
    groups.set(key, g);
  }
  const out: string[] = [];
  for (let i = 0; i < remove.length; i += CAMERAS_PER_MESSAGE) {
    out.push(encodeMessage(unsubscribeCommand(remove.slice(i, i + CAMERAS_PER_MESSAGE))));
  }
  for (const key of [...groups.keys()].sort()) {
    const { options: o, cameras } = groups.get(key)!;
    for (let i = 0; i < cameras.length; i += CAMERAS_PER_MESSAGE) {
      out.push(encodeMessage(subscribeCommand(cameras.slice(i, i + CAMERAS_PER_MESSAGE), o)));
    }
  }
  return out;
}
