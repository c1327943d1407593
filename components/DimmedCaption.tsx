/**
 * The line over a dimmed picture (a stalled or offline camera, or any camera while the hub is
 * unreachable): what is known of its state and since when, and the time of the picture still
 * shown. The wall's tiles and the camera page show the same words.
 */
import type { CameraInfo } from "../lib/registry.ts";
import { agoSince, formatClock } from "../lib/client/format.ts";

export function DimmedCaption(
  { camera, stale, offline, pictureAt, now, textClass = "" }: {
    camera: CameraInfo;
    /** The hub is unreachable: the state is not known. */
    stale: boolean;
    offline: boolean;
    /** When the picture shown was taken (ms), if known. */
    pictureAt: number | undefined;
    now: number;
    textClass?: string;
  },
) {
  return (
    <p
      class={`absolute inset-x-0 bottom-0 flex flex-wrap justify-between gap-x-2 bg-black/70 px-3 py-1 text-sm ${textClass}`}
    >
      <span data-last-seen="">
        {stale
          ? "State unknown · hub unreachable"
          : offline
          ? `Offline · last seen ${agoSince(camera.lastSeen, now)}`
          : `Stalled · last frame ${agoSince(camera.lastFrameAt, now)}`}
      </span>
      {pictureAt !== undefined && (
        <span class="text-neutral-400" data-picture-time={pictureAt}>
          picture {formatClock(pictureAt, now)}
        </span>
      )}
    </p>
  );
}
