/**
 * The wall harness (harness/wall.ts) on an in-process test hub: what the browser tests need,
 * with the hub at hand as `t`. Everything is closed by close().
 */
import type { Page } from "playwright-core";
import { startTestHub, type TestHub } from "./hub_fixture.ts";
import type { HubConfig } from "../hub/config.ts";
import { openWall, type WallHarness as Wall } from "../harness/wall.ts";
import { defaultLoopFrames } from "../sim/camera.ts";
import { type FrameSize, renderFrames } from "../sim/frames.ts";

export const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;

export const SERIALS = [
  "0123A1B2C3D4E5F6A7",
  "0123B1B2C3D4E5F6B7",
  "0123C1B2C3D4E5F6C7",
  "0123D1B2C3D4E5F6D7",
];

export interface WallHarness extends Wall {
  t: TestHub;
}

/**
 * Camera loops by serial, size and fps, encoded once per test file: a 4-camera wall's loops
 * cost seconds of CPU, which every test paid again (and again each minute, to redraw the
 * clock in the picture, which no test reads).
 */
const loops = new Map<string, Uint8Array[]>();

function loopKey(serial: string, size: FrameSize, fps: number): string {
  return `${serial} ${size} ${fps}`;
}

/** Encodes the loops not encoded yet, before the hub has anything to do. */
function encodeLoops(serials: string[], size: FrameSize, fps: number): void {
  for (const serial of serials) {
    const key = loopKey(serial, size, fps);
    if (loops.has(key)) continue;
    loops.set(key, renderFrames({ serial, size, count: defaultLoopFrames(fps) }));
  }
}

export async function startWall(
  opts: {
    serials?: string[];
    fps?: number;
    names?: string[];
    size?: "qvga" | "vga";
    hub?: Partial<HubConfig>;
  } = {},
): Promise<WallHarness> {
  const serials = opts.serials ?? SERIALS;
  const size = opts.size ?? "qvga";
  const fps = opts.fps ?? 15;
  encodeLoops(serials, size, fps);
  const t = await startTestHub(opts.hub);
  const wall = await openWall({
    get port() {
      return t.port;
    },
    caPem: t.pki.caPem,
    device: (serial) => t.pki.device(serial),
    viewer: (name) => t.pki.viewer(name),
    online: (serial) => t.hub.state.registry.get(serial)?.state === "online",
    async rename(serial, name) {
      const res = await t.request(`/api/cameras/${serial}`, {
        method: "PATCH",
        body: JSON.stringify({ name }),
      });
      if (res.status !== 200) throw new Error(`Rename failed: ${res.status} ${res.text()}`);
    },
    close: () => t.close(),
  }, {
    serials,
    fps,
    names: opts.names,
    size,
    // A camera of another serial started later (wall.startCamera) encodes its own, as before.
    frames: (serial) => loops.get(loopKey(serial, size, fps)),
  });
  return Object.assign(wall, { t });
}

/** A cheap fingerprint of a canvas's pixels, computed in the page. */
export function canvasHash(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < data.length; i += 7) h = Math.imul(h ^ data[i], 16777619);
    return `${c.width}x${c.height}:${(h >>> 0).toString(16)}`;
  });
}

/** True when a JPEG starts with SOI and ends with EOI. */
export function isJpeg(b: Uint8Array): boolean {
  return b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff &&
    b[b.length - 1] === 0xd9;
}
