/**
 * One camera on the wall: a link to its page holding the live canvas, its name, serial,
 * state, frame rate and the age of the picture shown. The canvas is painted outside Preact
 * (by a TilePainter the wall owns), so frames never cause a render. A stalled or offline
 * camera's picture is dimmed and says when it was taken; while the page has lost the hub,
 * every tile is (`stale`), its state unknown.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { CameraInfo } from "../lib/registry.ts";
import { agoSince, formatClock, formatFps } from "../lib/client/format.ts";
import { DIMMED } from "../lib/web/twind.ts";
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
  /** Epoch ms the picture on the camera's canvas was taken or arrived; none before a paint. */
  pictureAt?(serial: string): number | undefined;
}

export interface CameraTileProps {
  camera: CameraInfo;
  host?: TileHost;
  now: number;
  /** The page has lost its link to the hub: the state and figures are the last known. */
  stale?: boolean;
}

export function CameraTile({ camera, host, now, stale = false }: CameraTileProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const age = useRef<HTMLSpanElement>(null);
  const [painted, setPainted] = useState(false);
  const offline = camera.state === "offline";
  const dim = stale ? DIMMED.unknown : camera.state === "online" ? "" : DIMMED[camera.state];
  const lastFrame = camera.lastFrameAt ? Date.parse(camera.lastFrameAt) : undefined;
  const pictureAt = painted ? host?.pictureAt?.(camera.serial) ?? lastFrame : undefined;

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
        data-stale={stale ? "" : undefined}
      >
        <div class="relative aspect-[4/3] bg-black">
          <canvas
            ref={canvas}
            width={320}
            height={240}
            role="img"
            aria-label={`Live picture from ${camera.name}, camera ${camera.serial}`}
            class={`h-full w-full object-contain transition-[filter,opacity] ${dim}`}
          />
          {!stale && (
            <Badges
              recording={isRecording(camera)}
              motion={isMotionActive(camera)}
              raised={dim !== ""}
            />
          )}
          {!painted && (
            <p class="absolute inset-0 flex items-center justify-center text-sm text-neutral-500">
              {offline ? "No picture" : "Waiting for the first frame…"}
            </p>
          )}
          {dim && (
            <p class="absolute inset-x-0 bottom-0 flex flex-wrap justify-between gap-x-2 bg-black/70 px-3 py-1 text-sm text-neutral-200">
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
          )}
        </div>
        <div class="flex items-center justify-between gap-2 px-3 pt-2">
          <h2 class="truncate font-medium text-neutral-100" title={camera.name}>{camera.name}</h2>
          <StateBadge state={camera.state} unknown={stale} />
        </div>
        <p class="flex flex-wrap gap-x-3 px-3 pb-2 pt-1 font-mono text-xs tabular-nums text-neutral-400">
          <span>{camera.serial}</span>
          {/* The hub's rate is not known while the hub is away: not shown as if live. */}
          <span data-fps={stale ? "" : camera.fps}>{stale ? "– fps" : formatFps(camera.fps)}</span>
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
 * camera's own caption (serial, clock); `raised` above the "last seen" bar of a dimmed tile.
 */
function Badges(
  { recording, motion, raised }: { recording: boolean; motion: boolean; raised: boolean },
) {
  if (!recording && !motion) return null;
  return (
    <div
      class={`pointer-events-none absolute ${raised ? "bottom-14" : "bottom-2"} right-2 flex gap-1`}
      data-badges=""
    >
      {motion && <MotionBadge />}
      {recording && <RecBadge />}
    </div>
  );
}
