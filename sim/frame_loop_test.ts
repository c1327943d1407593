import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { cameraOptions, withSink } from "../tests/device_sink_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";
import { renderFrames } from "./frames.ts";
import { FrameLoop, type LoopRender } from "./frame_loop.ts";
import { SimCamera, type SimCameraEvent } from "./camera.ts";

const SERIAL = "0123CAFE0000000001";

Deno.test("SimCamera renders its own loop with the serial and sends it", () =>
  withSink(async ({ pki, hub, port }) => {
    const events: SimCameraEvent[] = [];
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 10,
      loopFrames: 3,
      size: "qvga",
      // A day, not the default minute: the next minute's loop, swapped in between the four
      // frames compared here, would fail a run that happens to cross a minute boundary.
      renderPeriodMs: 86_400_000,
      onEvent: (e) => events.push(e),
    });
    cam.start();
    await waitFor(() => hub.frames().length >= 4, 10_000, "4 frames");
    const rendered = events.find((e) => e.type === "rendered");
    assert.ok(rendered?.render);
    assert.equal(rendered.render.frames, 3);
    assert.ok(rendered.render.avgBytes > 1000);
    const pixels = hub.frames().slice(0, 4).map((f) =>
      jpeg.decode(f.data, { useTArray: true }).data
    );
    assert.notDeepEqual(pixels[0], pixels[1]);
    assert.notDeepEqual(pixels[1], pixels[2]);
    // Frame 3 is loop frame 0 again.
    assert.deepEqual(pixels[3], pixels[0]);
  }));

Deno.test("SimCamera re-renders its loop ahead of each clock period and swaps it in", () =>
  withSink(async ({ pki, hub, port }) => {
    const events: SimCameraEvent[] = [];
    await using cam = new SimCamera({
      ...(await cameraOptions(pki, port)),
      fps: 10,
      loopFrames: 2,
      size: "qvga",
      renderPeriodMs: 400,
      onEvent: (e) => events.push(e),
    });
    cam.start();
    const renders = () => events.filter((e) => e.type === "rendered").map((e) => e.render!);
    await waitFor(() => renders().length >= 3, 10_000, "three loops");
    const [first, ...later] = renders().map((r) => r.clock.getTime());
    // Each later loop is drawn for a period boundary after the one before.
    let previous = first;
    for (const t of later) {
      assert.equal(t % 400, 0, `loop for ${t} is not on a boundary`);
      assert.ok(t > previous, `loop for ${t} not after ${previous}`);
      previous = t;
    }
    const framesBefore = hub.frames().length;
    await waitFor(() => hub.frames().length > framesBefore + 2, 10_000, "frames to keep flowing");
  }));

Deno.test("FrameLoop cycles given frames as they are, without rendering", async () => {
  const frames = renderFrames({ serial: SERIAL, size: "qvga", count: 3 });
  const renders: LoopRender[] = [];
  const loop = new FrameLoop({
    serial: SERIAL,
    size: "qvga",
    count: 3,
    renderPeriodMs: 400,
    frames,
    onRendered: (r) => renders.push(r),
  });
  assert.ok(loop.ready);
  assert.equal(await loop.start(), true);
  assert.equal(loop.frame(0), frames[0]);
  assert.equal(loop.frame(4), frames[1]);
  loop.stop();
  assert.deepEqual(renders, []);
});

Deno.test("FrameLoop.start() renders the first loop for the current clock and reports it", async () => {
  const renders: LoopRender[] = [];
  const loop = new FrameLoop({
    serial: SERIAL,
    size: "qvga",
    count: 3,
    renderPeriodMs: 60_000,
    onRendered: (r) => renders.push(r),
  });
  assert.equal(loop.ready, false);
  const before = Date.now();
  try {
    assert.equal(await loop.start(), true);
  } finally {
    loop.stop();
  }
  assert.ok(loop.ready);
  assert.equal(renders.length, 1);
  const [r] = renders;
  assert.equal(r.frames, 3);
  assert.ok(r.ms > 0 && r.avgBytes > 1000, `render ${JSON.stringify(r)}`);
  assert.ok(r.clock.getTime() >= before && r.clock.getTime() <= Date.now());
  const expected = renderFrames({ serial: SERIAL, size: "qvga", count: 3, clock: r.clock });
  for (let i = 0; i < 4; i++) assert.deepEqual(loop.frame(i), expected[i % 3], `frame ${i}`);
});

Deno.test("FrameLoop.stop() during the first render resolves start() with false", async () => {
  const renders: LoopRender[] = [];
  const loop = new FrameLoop({
    serial: SERIAL,
    size: "qvga",
    count: 3,
    renderPeriodMs: 60_000,
    onRendered: (r) => renders.push(r),
  });
  const started = loop.start();
  loop.stop();
  assert.equal(await started, false);
  assert.equal(loop.ready, false);
  assert.deepEqual(renders, []);
});

Deno.test("FrameLoop swaps in a loop drawn for each period boundary", async () => {
  const renders: LoopRender[] = [];
  const loop = new FrameLoop({
    serial: SERIAL,
    size: "qvga",
    count: 2,
    renderPeriodMs: 400,
    onRendered: (r) => renders.push(r),
  });
  let shown: Uint8Array;
  try {
    assert.equal(await loop.start(), true);
    const first = loop.frame(0);
    await waitFor(() => loop.frame(0) !== first, 10_000, "a new loop swapped in");
    shown = loop.frame(0);
  } finally {
    loop.stop();
  }
  const later = renders.slice(1).map((r) => r.clock.getTime());
  assert.ok(later.length >= 1);
  for (const t of later) assert.equal(t % 400, 0, `loop for ${t} is not on a boundary`);
  // The loop on show is one drawn for a boundary, frame for frame.
  const drawn = later.map((t) =>
    renderFrames({ serial: SERIAL, size: "qvga", count: 2, clock: new Date(t) })[0]
  );
  assert.ok(drawn.some((f) => f.length === shown.length && f.every((b, i) => b === shown[i])));
});
