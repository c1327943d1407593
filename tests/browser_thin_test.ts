/**
 * Thin links in Chromium: the wall asks the hub for tile-sized frames, the camera page for the
 * camera's own size, and the page's data saver and per-camera overrides reach the hub. The
 * frames are read off the page's own WebSocket (Playwright's `framereceived`), VGA cameras.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { SERIALS, startWall } from "./wall_fixture.ts";
import { checkJpegStructure } from "../lib/jpeg_structure.ts";
import { parseViewerFrame } from "../lib/trailer.ts";

interface Seen {
  serial: string;
  width: number;
  at: number;
}

/** Every frame the page's sockets receive, with its JPEG width; and the texts it sends. */
function watchFrames(page: Page): { frames: Seen[]; sent: string[]; received: string[] } {
  const frames: Seen[] = [];
  const sent: string[] = [];
  const received: string[] = [];
  page.on("websocket", (ws) => {
    ws.on("framesent", ({ payload }) => {
      if (typeof payload === "string") sent.push(payload);
    });
    ws.on("framereceived", ({ payload }) => {
      if (typeof payload === "string") {
        received.push(payload);
        return;
      }
      const f = parseViewerFrame(new Uint8Array(payload));
      const check = checkJpegStructure(f.jpeg, 4096);
      frames.push({
        serial: f.serial,
        width: check.ok ? check.info.width : -1,
        at: performance.now(),
      });
    });
  });
  return { frames, sent, received };
}

async function waitUntil(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("thin links: the wall gets 320 px tiles, the camera page full VGA, the data saver caps", async () => {
  await using wall = await startWall({ size: "vga", serials: SERIALS.slice(0, 2) });
  const ctx = await wall.context({ viewport: { width: 1280, height: 800 } });

  const wallPage = await ctx.newPage();
  const onWall = watchFrames(wallPage);
  await wallPage.goto(`${wall.origin}/`);
  await wallPage.waitForSelector("[data-island][data-ready]");
  await waitUntil(
    () => SERIALS.slice(0, 2).every((s) => onWall.frames.filter((f) => f.serial === s).length >= 5),
    "tile frames of both cameras",
  );
  assert.deepEqual([...new Set(onWall.frames.map((f) => f.width))], [320], "tile-sized only");

  // One tile enlarged (a click): it spans the wall, so that camera comes full; the other
  // stays on tiles.
  const enlarged = SERIALS[0];
  await wallPage.click(`[data-tile="${enlarged}"]`);
  await wallPage.waitForSelector(`[data-item="${enlarged}"][data-enlarged]`);
  await waitUntil(
    () => onWall.frames.filter((f) => f.serial === enlarged && f.width === 640).length >= 3,
    "the enlarged camera's full frames",
  );
  const mark = onWall.frames.length;
  await waitUntil(() => onWall.frames.length >= mark + 10, "more frames");
  const after = onWall.frames.slice(mark + 2);
  assert.ok(after.filter((f) => f.serial === enlarged).every((f) => f.width === 640));
  assert.ok(after.filter((f) => f.serial !== enlarged).every((f) => f.width === 320));

  // Back to the page's default (Esc), and the toolbar's data saver on: 2 fps a camera.
  await wallPage.keyboard.press("Escape");
  await wallPage.waitForSelector("[data-enlarged]", { state: "detached" });
  await wallPage.waitForFunction(
    // deno-lint-ignore no-explicit-any
    (serial) => (globalThis as any).__trustcamLive.streamOptions(serial).size === "tile",
    enlarged,
    { timeout: 15_000 },
  );
  await wallPage.click("[data-data-saver]");
  await waitUntil(
    () => onWall.sent.some((t) => JSON.parse(t).maxFps === 2),
    "the capped subscribe",
  );
  assert.ok(
    onWall.sent.map((t) => JSON.parse(t)).some((m) =>
      m.type === "subscribe" && m.size === "tile" && m.maxFps === 2 && m.cameras.length === 2
    ),
    `one subscribe for both cameras: ${onWall.sent.join(" ")}`,
  );
  // Counted from the hub's acknowledgement of the caps on (a frame already queued may precede).
  const cappedAck = (t: string) => {
    const m = JSON.parse(t);
    return m.type === "subscribed" &&
      SERIALS.slice(0, 2).every((s) =>
        m.streams?.[s]?.maxFps === 2 && m.streams[s].size === "tile"
      );
  };
  await waitUntil(() => onWall.received.some(cappedAck), "the hub's ack of the caps");
  const from = performance.now();
  const start = onWall.frames.length;
  await waitUntil(() => performance.now() - from >= 3000, "3 s of capped frames", 5000);
  const capped = onWall.frames.slice(start);
  for (const s of SERIALS.slice(0, 2)) {
    const n = capped.filter((f) => f.serial === s).length;
    // 15 fps capped to 2 over 3 s: about 6, never near the camera's 45.
    assert.ok(n >= 2 && n <= 9, `${s}: ${n} frames in 3 s at maxFps 2`);
  }
  assert.ok(capped.every((f) => f.width === 320));
  await wallPage.close();

  const camPage = await ctx.newPage();
  const onCam = watchFrames(camPage);
  await camPage.goto(`${wall.origin}/cameras/${SERIALS[1]}`);
  await camPage.waitForSelector("[data-island][data-ready]");
  await waitUntil(
    () => onCam.frames.filter((f) => f.serial === SERIALS[1]).length >= 5,
    "the camera page's frames",
  );
  assert.deepEqual([...new Set(onCam.frames.map((f) => f.width))], [640], "full size only");
});
