/**
 * One camera on the wall: a link to its page holding the live canvas, its name, serial,
 * state, frame rate and the age of the picture shown. The canvas is painted outside Preact
 * (by a TilePainter the wall owns), so frames never cause a render.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { CameraInfo } from "../lib/registry.ts";
import { agoSince, formatFps } from "../lib/client/format.ts";
import { StateBadge } from "./StateBadge.tsx";
import { RecBadge } from "./RecBadge.tsx";
import { MotionBadge } from "./MotionBadge.tsx";
import { isMotionActive, isRecording } from "../lib/client/camera_list.ts";

/** What the wall gives each tile: a way to attach its canvas and its age label. */
export interface TileHost {
  /** Starts painting on `canvas`; returns the detach function. */
  attach(
    serial: string,
    canvas: HTMLCanvasElement,
    ageLabel: HTMLElement,
    onFirstPaint: () => void,
  ): () => void;
}

export function CameraTile(
  { camera, host, now }: { camera: CameraInfo; host?: TileHost; now: number },
) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const age = useRef<HTMLSpanElement>(null);
  const [painted, setPainted] = useState(false);
  const offline = camera.state === "offline";

  useEffect(() => {
    if (!host || !canvas.current || !age.current) return;
    return host.attach(camera.serial, canvas.current, age.current, () => setPainted(true));
  }, [host, camera.serial]);

  return (
    <li>
      <a
        href={`/cameras/${encodeURIComponent(camera.serial)}`}
        class="group block h-full overflow-hidden rounded-lg bg-neutral-900 ring-1 ring-neutral-800 hover:ring-neutral-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
        data-tile={camera.serial}
        data-state={camera.state}
      >
        <div class="relative aspect-[4/3] bg-black">
          <canvas
            ref={canvas}
            width={320}
            height={240}
            role="img"
            aria-label={`Live picture from ${camera.name}, camera ${camera.serial}`}
            class={`h-full w-full object-contain transition-[filter,opacity] ${
              offline ? "grayscale opacity-40" : ""
            }`}
          />
          <Badges recording={isRecording(camera)} motion={isMotionActive(camera)} />
          {!painted && (
            <p class="absolute inset-0 flex items-center justify-center text-sm text-neutral-500">
              {offline ? "No picture" : "Waiting for the first frame…"}
            </p>
          )}
          {offline && (
            <p
              class="absolute inset-x-0 bottom-0 bg-black/70 px-3 py-1 text-sm text-neutral-200"
              data-last-seen
            >
              Offline · last seen {agoSince(camera.lastSeen, now)}
            </p>
          )}
        </div>
        <div class="flex items-center justify-between gap-2 px-3 pt-2">
          <h2 class="truncate font-medium text-neutral-100" title={camera.name}>{camera.name}</h2>
          <StateBadge state={camera.state} />
        </div>
        <p class="flex flex-wrap gap-x-3 px-3 pb-2 pt-1 font-mono text-xs tabular-nums text-neutral-400">
          <span>{camera.serial}</span>
          <span data-fps={camera.fps}>{formatFps(camera.fps)}</span>
          <span>
            age <span ref={age} data-age="">–</span>
          </span>
        </p>
      </a>
    </li>
  );
}

/**
 * REC and MOTION side by side in the picture's bottom right corner: the top corners hold the
 * camera's own caption (serial, clock), and offline (when neither shows) the bottom holds
 * "last seen".
 */
function Badges({ recording, motion }: { recording: boolean; motion: boolean }) {
  if (!recording && !motion) return null;
  return (
    <div class="pointer-events-none absolute bottom-2 right-2 flex gap-1" data-badges="">
      {motion && <MotionBadge />}
      {recording && <RecBadge />}
    </div>
  );
}
