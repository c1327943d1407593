/**
 * One camera on the wall: a link to its page holding the live canvas, its name, serial,
 * state, frame rate and the age of the picture shown. The canvas is painted outside Preact
 * (by a TilePainter the wall owns), so frames never cause a render. A stalled or offline
 * camera's picture is dimmed and says when it was taken; while the page has lost the hub,
 * every tile is (`stale`), its state unknown.
 *
 * On the wall a tile also carries a favourite star and a drag handle (beside the link, never
 * inside it), enlarges in place on a click (its name still opens the camera's page, and so
 * does Enter on the focused tile), and in kiosk shows its name, state and clock on the
 * picture instead of the rows below it.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { CameraInfo } from "../lib/registry.ts";
import { formatClock, formatFps } from "../lib/client/format.ts";
import { DimmedCaption } from "./DimmedCaption.tsx";
import { DIMMED, STATE_STYLE } from "../lib/web/twind.ts";
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

/** What the wall lets a tile do; without it a tile is a plain link to its camera's page. */
export interface TileControls {
  favourite: boolean;
  enlarged: boolean;
  /** Whole-wall fullscreen: overlays on the picture, no controls. */
  kiosk: boolean;
  /** The tile's position on the wall, from 0 (the 1-9 shortcuts count from 1). */
  index: number;
  onFavourite(): void;
  /** Enlarges the tile, or restores it when it is enlarged. */
  onEnlarge(): void;
  /** Another tile (its serial) was dropped on this one. */
  onDrop(dragged: string): void;
}

export interface CameraTileProps {
  camera: CameraInfo;
  host?: TileHost;
  now: number;
  /** The page has lost its link to the hub: the state and figures are the last known. */
  stale?: boolean;
  controls?: TileControls;
}

/** The drag's payload type: only tiles are dropped on tiles. */
export const TILE_DRAG_TYPE = "application/x-trustcam-tile";

export function CameraTile({ camera, host, now, stale = false, controls }: CameraTileProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const age = useRef<HTMLSpanElement>(null);
  const [painted, setPainted] = useState(false);
  const offline = camera.state === "offline";
  const dim = stale ? DIMMED.unknown : camera.state === "online" ? "" : DIMMED[camera.state];
  const lastFrame = camera.lastFrameAt ? Date.parse(camera.lastFrameAt) : undefined;
  const pictureAt = painted ? host?.pictureAt?.(camera.serial) ?? lastFrame : undefined;

  const [dropTarget, setDropTarget] = useState(false);
  const enlarged = controls?.enlarged === true;
  const kiosk = controls?.kiosk === true;

  useEffect(() => {
    if (!host || !canvas.current || !age.current) return;
    return host.attach(camera.serial, canvas.current, age.current, () => setPainted(true));
  }, [host, camera.serial]);

  // A mouse click enlarges; the name, Enter (a click with detail 0) and a modified click
  // (new tab) still follow the link to the camera's page.
  const onClick = (e: MouseEvent) => {
    if (!controls || e.detail === 0 || e.button !== 0) return;
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    if ((e.target as Element).closest("[data-camera-link]")) return;
    e.preventDefault();
    controls.onEnlarge();
  };
  const isTileDrag = (e: DragEvent) => e.dataTransfer?.types.includes(TILE_DRAG_TYPE) === true;
  const drag = controls && !kiosk
    ? {
      onDragStart(e: DragEvent) {
        e.dataTransfer?.setData(TILE_DRAG_TYPE, camera.serial);
        if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
        const item = e.currentTarget as HTMLElement;
        e.dataTransfer?.setDragImage(item, 24, 24);
      },
      onDragOver(e: DragEvent) {
        if (!isTileDrag(e)) return;
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = "move";
        setDropTarget(true);
      },
      onDragLeave: () => setDropTarget(false),
      onDrop(e: DragEvent) {
        setDropTarget(false);
        const dragged = e.dataTransfer?.getData(TILE_DRAG_TYPE);
        if (!dragged) return;
        e.preventDefault();
        if (dragged !== camera.serial) controls.onDrop(dragged);
      },
    }
    : {};

  return (
    <li
      class={`${
        enlarged && kiosk
          ? "fixed inset-0 z-50 bg-wall p-2"
          : enlarged
          ? "relative col-span-full"
          : "relative min-h-0"
      } ${dropTarget ? "rounded-lg ring-2 ring-sky-400" : ""}`}
      data-item={camera.serial}
      data-enlarged={enlarged ? "" : undefined}
      {...drag}
    >
      <a
        href={`/cameras/${encodeURIComponent(camera.serial)}`}
        class="group block h-full overflow-hidden rounded-lg bg-neutral-900 ring-1 ring-neutral-800 hover:ring-neutral-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
        data-tile={camera.serial}
        data-state={camera.state}
        data-stale={stale ? "" : undefined}
        data-index={controls?.index}
        aria-expanded={controls ? enlarged : undefined}
        onClick={onClick}
      >
        <div
          class={`relative bg-black ${kiosk ? "h-full" : enlarged ? "h-[78vh]" : "aspect-[4/3]"}`}
        >
          <canvas
            ref={canvas}
            width={320}
            height={240}
            role="img"
            aria-label={`Live picture from ${camera.name}, camera ${camera.serial}`}
            class={`h-full w-full object-contain transition-[filter,opacity] ${dim}`}
          />
          {kiosk && <KioskCaption camera={camera} stale={stale} now={now} raised={dim !== ""} />}
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
            <DimmedCaption
              camera={camera}
              stale={stale}
              offline={offline}
              pictureAt={pictureAt}
              now={now}
              textClass="text-neutral-200"
            />
          )}
        </div>
        <div class={`flex items-center justify-between gap-2 px-3 pt-2 ${kiosk ? "hidden" : ""}`}>
          <h2
            class={`truncate font-medium text-neutral-100 ${controls ? "hover:underline" : ""}`}
            title={controls ? `${camera.name}: open the camera's page` : camera.name}
            data-camera-link=""
          >
            {camera.name}
          </h2>
          <StateBadge state={camera.state} unknown={stale} />
        </div>
        <p
          class={`flex flex-wrap gap-x-3 px-3 pb-2 pt-1 font-mono text-xs tabular-nums text-neutral-400 ${
            controls ? "pr-16" : ""
          } ${kiosk ? "hidden" : ""}`}
        >
          <span>{camera.serial}</span>
          {/* The hub's rate is not known while the hub is away: not shown as if live. */}
          <span data-fps={stale ? "" : camera.fps}>{stale ? "– fps" : formatFps(camera.fps)}</span>
          <span>
            age <span ref={age} data-age="">–</span>
          </span>
        </p>
      </a>
      {controls && !kiosk && (
        <TileButtons
          name={camera.name}
          favourite={controls.favourite}
          onFavourite={controls.onFavourite}
        />
      )}
    </li>
  );
}

/** The star and the drag handle, over the tile's bottom right corner, outside its link. */
function TileButtons(
  { name, favourite, onFavourite }: { name: string; favourite: boolean; onFavourite(): void },
) {
  return (
    <div class="absolute bottom-1.5 right-2 flex items-center gap-1" data-tile-buttons="">
      <button
        type="button"
        class={`rounded px-1 text-base leading-none focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 ${
          favourite ? "text-amber-300" : "text-neutral-500 hover:text-neutral-200"
        }`}
        aria-pressed={favourite}
        aria-label={`Favourite: ${name}`}
        title={favourite ? "Favourite (shown first): click to unstar" : "Star: show it first"}
        onClick={onFavourite}
        // Out of the Tab order, so Tab goes tile to tile: "s" stars the focused tile.
        tabIndex={-1}
        data-favourite=""
      >
        {favourite ? "★" : "☆"}
      </button>
      <span
        class="cursor-grab select-none rounded px-1 text-base leading-none text-neutral-500 hover:text-neutral-200"
        draggable
        title="Drag to reorder (or Alt + arrow keys on the focused tile)"
        aria-hidden="true"
        data-drag-handle=""
      >
        ⠿
      </span>
    </div>
  );
}

const KIOSK_STATE_TEXT = {
  online: "text-emerald-300",
  stalled: "text-amber-300",
  offline: "text-neutral-400",
  unknown: "text-neutral-400",
} as const;

/** Kiosk: the tile's name, state and the time on the picture, since the rows below are gone. */
function KioskCaption(
  { camera, stale, now, raised }: {
    camera: CameraInfo;
    stale: boolean;
    now: number;
    raised: boolean;
  },
) {
  const state = stale ? "unknown" : camera.state;
  return (
    <p
      class={`pointer-events-none absolute left-2 ${
        raised ? "bottom-10" : "bottom-2"
      } flex max-w-[70%] items-center gap-2 rounded bg-black/60 px-2 py-0.5 text-sm text-neutral-100`}
      data-kiosk-caption=""
    >
      <span class="truncate font-medium">{camera.name}</span>
      <span class={`text-xs ${KIOSK_STATE_TEXT[state]}`} data-kiosk-state={state}>
        {STATE_STYLE[state].glyph} {STATE_STYLE[state].label}
      </span>
      <span class="font-mono text-xs tabular-nums text-neutral-300" data-kiosk-clock="">
        {formatClock(now)}
      </span>
    </p>
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
