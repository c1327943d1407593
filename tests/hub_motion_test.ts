/**
 * Motion detection in a real hub over TLS (issue 12): a square crossing a device's frames is
 * one event, announced to the viewers who may see the camera and stored with a thumbnail;
 * others get nothing and cannot list it or fetch its thumbnail; analysis never costs a live
 * viewer a frame; `--motion off` analyzes nothing.
 */
import assert from "node:assert/strict";
import { startTestHub, type TestClient, type TestHub, waitFor } from "./hub_fixture.ts";
import { crossingScene, streamAtPace } from "../harness/motion_stream.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import { withPolicy } from "./admin_fixture.ts";

const CAM = "0123FEED00000000C1";
const OTHER = "0123FEED00000000C2";

function ofType(client: TestClient, type: string): Record<string, unknown>[] {
  return client.texts.filter((m) => (m as { type: string }).type === type) as Record<
    string,
    unknown
  >[];
}

function putMotion(t: TestHub, serial: string, body: string, cert?: IssuedCert) {
  return t.request(`/api/cameras/${serial}/motion`, { method: "PUT", body, cert });
}

function metric(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

Deno.test("Hub motion: a crossing square is one event for the viewers who may see it, stored with a thumbnail", async () => {
  await withPolicy(
    { viewers: { outsider: [OTHER], "*": "*" }, admins: ["boss", "tester"] },
    async (policyFile) => {
      await using t = await startTestHub({ policyFile });
      const frames = await crossingScene({ still: 20, moving: 30, after: 20 });
      const dev = await t.device(CAM);
      const watcher = await t.viewer("watcher", `?cameras=${CAM}`);
      const outsider = await t.viewer("outsider");
      await watcher.until(() => ofType(watcher, "hello").length === 1);
      await outsider.until(() => ofType(outsider, "hello").length === 1);
      const set = await putMotion(t, CAM, '{"fps":15}');
      assert.equal(set.status, 200, set.text());

      await streamAtPace(dev.ws, frames, 50);
      await watcher.until(() => watcher.binary.length === frames.length, 5000, "every frame");
      await watcher.until(
        () => ofType(watcher, "motion").length === 2,
        30_000,
        "the start and the end",
      );
      const [start, end] = ofType(watcher, "motion");
      assert.equal(start.state, "start");
      assert.equal(end.state, "end");
      assert.equal(start.camera, CAM);
      assert.equal(end.id, start.id);
      assert.equal(end.startedAt, start.startedAt);
      assert.ok(typeof end.endedAt === "string" && end.endedAt >= (start.startedAt as string));
      const box = end.box as { x: number; w: number };
      assert.ok(box.x < 0.3 && box.x + box.w > 0.7, `the box spans the crossing: ${box.x}`);
      assert.equal(
        watcher.binary.length,
        frames.length,
        "analysis cost the live viewer no frame (and no motion event sent a frame)",
      );

      // The store has it, with a thumbnail once encoded.
      const list = await t.request(`/api/events`);
      assert.equal(list.status, 200);
      const events = (list.json() as { events: Record<string, unknown>[] }).events;
      assert.equal(events.length, 1);
      assert.deepEqual(events[0], {
        id: start.id,
        camera: CAM,
        startedAt: start.startedAt,
        endedAt: end.endedAt,
        score: end.score,
        box: end.box,
        thumbnail: `/api/events/${start.id}/thumbnail.jpg`,
      });
      const own = await t.request(`/api/cameras/${CAM}/events?limit=5`);
      assert.deepEqual(own.json(), { events });
      const thumbnailPath = `/api/events/${start.id}/thumbnail.jpg`;
      const id = start.id as string;
      await waitFor(() => t.hub.state.events!.thumbnail(id) !== undefined, 5000, "a thumbnail");
      const thumb = await t.request(thumbnailPath);
      assert.equal(thumb.status, 200);
      assert.equal(thumb.headers["content-type"], "image/jpeg");
      assert.deepEqual([...thumb.body.subarray(0, 2)], [0xff, 0xd8]);

      // The outsider heard nothing, lists nothing, and cannot tell the event exists.
      assert.deepEqual(ofType(outsider, "motion"), []);
      const outsiderCert = outsider.cert;
      const hidden = await t.request(`/api/events`, { cert: outsiderCert });
      assert.deepEqual(hidden.json(), { events: [] });
      const named = await t.request(`/api/events?camera=${CAM}`, { cert: outsiderCert });
      assert.equal(named.status, 403);
      const byCamera = await t.request(`/api/cameras/${CAM}/events`, { cert: outsiderCert });
      assert.equal(byCamera.status, 403);
      const stolen = await t.request(thumbnailPath, { cert: outsiderCert });
      const missing = await t.request(`/api/events/not-an-event/thumbnail.jpg`, {
        cert: outsiderCert,
      });
      assert.equal(stolen.status, 404);
      assert.equal(missing.status, 404);
      assert.deepEqual(
        (stolen.json() as { error: { code: string } }).error.code,
        (missing.json() as { error: { code: string } }).error.code,
      );

      const metrics = (await t.request("/metrics")).text();
      assert.equal(metric(metrics, `trustcam_motion_events_total{serial="${CAM}"}`), 1);
      assert.ok(metric(metrics, `trustcam_motion_frames_analyzed_total{serial="${CAM}"}`) > 20);
    },
  );
});

Deno.test("Hub --motion off: no frame is analyzed and CAMERA.motion says so", async () => {
  await using t = await startTestHub({ motion: "off" });
  const frames = await crossingScene({ still: 5, moving: 10, after: 0 });
  const dev = await t.device(CAM);
  const watcher = await t.viewer("watcher", `?cameras=${CAM}`);
  await streamAtPace(dev.ws, frames, 10);
  await watcher.until(() => watcher.binary.length === frames.length);
  const metrics = (await t.request("/metrics")).text();
  assert.equal(metric(metrics, `trustcam_motion_frames_analyzed_total{serial="${CAM}"}`), 0);
  assert.ok(!metrics.includes(`trustcam_motion_frames_analyzed_total{`), "no camera's series");
  const camera = (await t.request(`/api/cameras/${CAM}`)).json() as { motion: unknown };
  assert.deepEqual(camera.motion, { enabled: false, active: false });
  const settings = await t.request(`/api/cameras/${CAM}/motion`);
  assert.equal((settings.json() as { enabled: boolean }).enabled, true, "its own setting stays");
  assert.deepEqual(ofType(watcher, "motion"), []);
});

Deno.test("PUT /api/cameras/:serial/motion: admins only, then bad input, then the change for everyone", async () => {
  await withPolicy({ viewers: { "*": "*" }, admins: ["boss"] }, async (policyFile) => {
    await using t = await startTestHub({ policyFile });
    await using _dev = await t.device(CAM);
    const boss = await t.pki.viewer("boss");
    const guard = await t.pki.viewer("guard");
    const watcher = await t.viewer("watcher");
    await watcher.until(() => ofType(watcher, "hello").length === 1);
    const hello = ofType(watcher, "hello")[0].cameras as { motion: unknown }[];
    assert.deepEqual(hello[0].motion, { enabled: true, active: false });

    const defaults = { enabled: true, fps: 5, sensitivity: 50, minArea: 0.005, mask: [] };
    assert.deepEqual((await t.request(`/api/cameras/${CAM}/motion`, { cert: guard })).json(), {
      ...defaults,
    });
    const refused = await putMotion(t, CAM, '{"enabled":false}', guard);
    assert.equal(refused.status, 403);
    assert.deepEqual((refused.json() as { error: unknown }).error, {
      code: "TC_ERR_FORBIDDEN",
      message: "Setting motion detection needs an admin certificate",
    });
    const device = await putMotion(t, CAM, '{"enabled":false}', await t.pki.device(OTHER));
    assert.equal(device.status, 403);
    assert.equal((device.json() as { error: { code: string } }).error.code, "TC_ERR_WRONG_ROLE");
    const bad: [string, string][] = [
      ['{"fps":0}', 'Invalid motion fps: "0": expected 0.1 to 15'],
      ['{"zones":[]}', 'Unknown motion setting: "zones"'],
      ["[]", 'Invalid motion settings: "[]": expected an object'],
      ["fast", "Request body is not JSON"],
    ];
    for (const [body, message] of bad) {
      const res = await putMotion(t, CAM, body, boss);
      assert.equal(res.status, 400, body);
      assert.deepEqual((res.json() as { error: unknown }).error, {
        code: "TC_ERR_BAD_REQUEST",
        message,
      });
    }
    assert.deepEqual((await t.request(`/api/cameras/${CAM}/motion`)).json(), defaults);

    const mask = [{ x: 0, y: 0, w: 0.5, h: 0.25 }];
    const ok = await putMotion(t, CAM, JSON.stringify({ enabled: false, mask }), boss);
    assert.equal(ok.status, 200);
    const changed = { ...defaults, enabled: false, mask };
    assert.deepEqual(ok.json(), changed);
    await watcher.until(() => ofType(watcher, "camera").some((m) => m.event === "motion"));
    const event = ofType(watcher, "camera").find((m) => m.event === "motion")!;
    assert.deepEqual((event.camera as { motion: unknown }).motion, {
      enabled: false,
      active: false,
    });
    const partial = await putMotion(t, CAM, '{"sensitivity":80}', boss);
    assert.deepEqual(partial.json(), { ...changed, sensitivity: 80 }, "the rest is kept");

    await t.restart();
    assert.deepEqual(
      (await t.request(`/api/cameras/${CAM}/motion`)).json(),
      { ...changed, sensitivity: 80 },
      "settings survive a restart",
    );
  });
});

Deno.test("Hub motion: a camera that goes away mid-event ends its event as it goes offline", async () => {
  await using t = await startTestHub();
  const frames = await crossingScene({ still: 20, moving: 30, after: 0 });
  const dev = await t.device(CAM);
  const watcher = await t.viewer("watcher", `?cameras=${CAM}`);
  assert.equal((await putMotion(t, CAM, '{"fps":15}')).status, 200);
  await streamAtPace(dev.ws, frames, 50);
  await watcher.until(() => ofType(watcher, "motion").length === 1, 30_000, "the start");
  const active =
    () => ((t.request(`/api/cameras/${CAM}`)).then((r) =>
      r.json() as { motion: { active: boolean } }
    ));
  assert.equal((await active()).motion.active, true);

  await dev.close();
  await watcher.until(
    () => ofType(watcher, "camera").some((m) => m.event === "offline"),
    5000,
    "the camera offline",
  );
  // Within the 5 s quiet time that would otherwise end it: the event ended with the camera.
  assert.equal((await active()).motion.active, false);
  await watcher.until(() => ofType(watcher, "motion").length === 2, 2000, "the end");
  const [start, end] = ofType(watcher, "motion");
  assert.equal(end.state, "end");
  assert.equal(end.id, start.id);
});
