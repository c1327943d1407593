/**
 * Viewers' bus subscriptions are per camera: a viewer holds one frame subscription for each
 * camera it receives and none other, changed by subscribe/unsubscribe, by a camera coming
 * online and by a policy reload, each change acknowledged with `subscribed`.
 */
import assert from "node:assert/strict";
import type { InProcessBus } from "../lib/bus.ts";
import { fakeJpeg, startTestHub, type TestClient, type TestHub, waitFor } from "./hub_fixture.ts";
import { parseViewerFrame } from "../lib/trailer.ts";

const CAM_A = "0123A1B2C3D4E5F6A7";
const CAM_B = "0123B1B2C3D4E5F6B7";
const CAM_C = "0123C1B2C3D4E5F6C7";

function typed(client: TestClient, type: string): Record<string, unknown>[] {
  return (client.texts as Record<string, unknown>[]).filter((t) => t.type === type);
}

/** Sends a control message and waits for its acknowledgement; returns it. */
async function control(
  client: TestClient,
  type: "subscribe" | "unsubscribe",
  cameras: "*" | string[],
): Promise<Record<string, unknown>> {
  const n = typed(client, "subscribed").length;
  client.ws.send(JSON.stringify({ type, cameras }));
  await client.until(() => typed(client, "subscribed").length === n + 1, 5000, `${type} ack`);
  return typed(client, "subscribed")[n];
}

function framesOf(client: TestClient, serial: string): number {
  return client.binary.filter((b) => parseViewerFrame(b).serial === serial).length;
}

/** Sends one frame and waits until the hub has fanned it out (it is the latest). */
async function publish(t: TestHub, device: TestClient, serial: string, fill: number) {
  device.ws.send(fakeJpeg(100, fill));
  // The last body byte before EOI carries the fill.
  const fillOf = (f?: { data: Uint8Array; jpegLength: number }) => f?.data[f.jpegLength - 3];
  await waitFor(() => fillOf(t.hub.relay.latest.get(serial)) === fill, 5000, `${serial} frame`);
}

Deno.test("hub gives a viewer one bus subscription per camera it watches, following subscribe and unsubscribe", async () => {
  // Motion detection is a wildcard subscriber of its own (tests/hub_motion_test.ts).
  await using t = await startTestHub({ motion: "off" });
  const bus = t.hub.state.bus as InProcessBus;
  const a = await t.device(CAM_A);
  const b = await t.device(CAM_B);
  await waitFor(() => t.hub.relay.devices.size === 2);
  const baseline = bus.size;
  assert.equal(bus.count("*"), 1, "the hub's own cache and events subscription");

  const viewer = await t.viewer("alice", `?cameras=${CAM_A}`);
  await viewer.until(() => typed(viewer, "subscribed").length === 1, 5000, "the connect ack");
  assert.deepEqual(typed(viewer, "subscribed")[0], {
    type: "subscribed",
    cameras: [CAM_A],
    all: false,
  });
  assert.equal(bus.count(CAM_A), 1);
  assert.equal(bus.count(CAM_B), 0, "nothing for the camera it does not watch");
  assert.equal(bus.count("*"), 1, "no wildcard for the viewer");
  assert.equal(bus.size, baseline + 1);

  assert.deepEqual((await control(viewer, "subscribe", [CAM_B])).cameras, [CAM_A, CAM_B]);
  assert.equal(bus.count(CAM_B), 1);
  assert.deepEqual((await control(viewer, "unsubscribe", [CAM_A])).cameras, [CAM_B]);
  assert.equal(bus.count(CAM_A), 0);
  assert.equal(bus.size, baseline + 1);
  // Frames follow: A's is fanned out first and must not reach the viewer, B's must.
  await publish(t, a, CAM_A, 1);
  await publish(t, b, CAM_B, 2);
  await viewer.until(() => framesOf(viewer, CAM_B) === 1, 5000, "B's frame");
  assert.equal(framesOf(viewer, CAM_A), 0);

  assert.deepEqual(await control(viewer, "unsubscribe", "*"), {
    type: "subscribed",
    cameras: [],
    all: false,
  });
  assert.equal(bus.size, baseline);
  assert.deepEqual(await control(viewer, "subscribe", "*"), {
    type: "subscribed",
    cameras: [CAM_A, CAM_B],
    all: true,
  });
  assert.equal(bus.count(CAM_A) + bus.count(CAM_B), 2);
  // Every camera but one, still following new ones.
  assert.deepEqual(await control(viewer, "unsubscribe", [CAM_B]), {
    type: "subscribed",
    cameras: [CAM_A],
    all: true,
  });
  await viewer.close();
  await waitFor(() => t.hub.relay.viewers.size === 0);
  assert.equal(bus.size, baseline, "a closed viewer leaves no subscription");
});

Deno.test("hub subscribes a viewer of all cameras to one that comes online after it", async () => {
  await using t = await startTestHub();
  const bus = t.hub.state.bus as InProcessBus;
  const all = await t.viewer("alice");
  const none = await t.viewer("bob", "?cameras=");
  await all.until(() => typed(all, "subscribed").length === 1, 5000, "alice's ack");
  await none.until(() => typed(none, "subscribed").length === 1, 5000, "bob's ack");
  assert.deepEqual(typed(all, "subscribed")[0], { type: "subscribed", cameras: [], all: true });
  assert.deepEqual(typed(none, "subscribed")[0], { type: "subscribed", cameras: [], all: false });

  const c = await t.device(CAM_C);
  for (const v of [all, none]) {
    await v.until(() => typed(v, "camera").length === 1, 5000, "the online event");
  }
  assert.equal(bus.count(CAM_C), 1, "alice's, not bob's");
  c.ws.send(fakeJpeg(100));
  await all.until(() => framesOf(all, CAM_C) === 1, 5000, "the new camera's frame");
  assert.equal(none.binary.length, 0);
  // Offline and back: still one subscription.
  await c.close();
  await all.until(() => typed(all, "camera").length === 2, 5000, "the offline event");
  const again = await t.device(CAM_C);
  await all.until(() => typed(all, "camera").length === 3, 5000, "online again");
  assert.equal(bus.count(CAM_C), 1);
  again.ws.send(fakeJpeg(100));
  await all.until(() => framesOf(all, CAM_C) === 2, 5000, "a frame after the reconnect");
});

Deno.test("hub re-subscribes viewers when the policy file changes, and never for a forbidden camera", async () => {
  const policyDir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  const policyFile = `${policyDir}/policy.json`;
  const writePolicy = (others: string[]) =>
    Deno.writeTextFile(policyFile, JSON.stringify({ viewers: { boss: "*", "*": others } }));
  await writePolicy([CAM_A]);
  try {
    await using t = await startTestHub({ policyFile });
    const bus = t.hub.state.bus as InProcessBus;
    const a = await t.device(CAM_A);
    const b = await t.device(CAM_B);
    await waitFor(() => t.hub.relay.devices.size === 2);
    const boss = await t.viewer("boss");
    const guard = await t.viewer("guard");
    // Asks for both; the policy refuses B before the hello, and the ack says what it got.
    const picky = await t.viewer("picky", `?cameras=${CAM_A},${CAM_B}`);
    for (const v of [boss, guard, picky]) {
      await v.until(() => typed(v, "subscribed").length === 1, 5000, "connect ack");
    }
    assert.deepEqual(typed(boss, "subscribed")[0].cameras, [CAM_A, CAM_B]);
    assert.deepEqual(typed(guard, "subscribed")[0], {
      type: "subscribed",
      cameras: [CAM_A],
      all: true,
    });
    // The first three: a `stats` tick may follow them at any time.
    assert.deepEqual(
      (picky.texts as { type: string }[]).slice(0, 3).map((m) => m.type),
      ["error", "hello", "subscribed"],
    );
    assert.equal(typed(picky, "error")[0].code, "TC_ERR_FORBIDDEN");
    assert.deepEqual(typed(picky, "subscribed")[0].cameras, [CAM_A]);
    assert.equal(bus.count(CAM_A), 3);
    assert.equal(bus.count(CAM_B), 1, "only the boss may see B, so only the boss holds it");

    // A refused subscribe: the error, then the ack of what is unchanged (among the answers,
    // whatever stats ticks and camera events came meanwhile).
    const asked = picky.texts.length;
    picky.ws.send(JSON.stringify({ type: "subscribe", cameras: [CAM_B] }));
    await picky.until(() => typed(picky, "subscribed").length === 2, 5000, "ack after refusal");
    const answers = (picky.texts as { type: string }[]).slice(asked).map((m) => m.type)
      .filter((type) => type !== "stats" && type !== "camera");
    assert.deepEqual(answers, ["error", "subscribed"]);
    assert.equal(bus.count(CAM_B), 1);

    // Now everyone may see A and B: the guard follows all cameras, so it gains B; the picky
    // viewer's B was refused, not remembered, so its set stays.
    await writePolicy([CAM_A, CAM_B]);
    await guard.until(() => typed(guard, "subscribed").length === 2, 10_000, "reload ack");
    assert.deepEqual(typed(guard, "subscribed")[1].cameras, [CAM_A, CAM_B]);
    assert.equal(bus.count(CAM_B), 2);
    await publish(t, b, CAM_B, 3);
    await guard.until(() => framesOf(guard, CAM_B) === 1, 5000, "B's frame for the guard");

    // Then only B: A's subscriptions go, the boss's stays.
    await writePolicy([CAM_B]);
    await guard.until(() => typed(guard, "subscribed").length === 3, 10_000, "second reload");
    await picky.until(() => typed(picky, "subscribed").length === 3, 5000, "picky's ack");
    assert.deepEqual(typed(guard, "subscribed")[2].cameras, [CAM_B]);
    assert.deepEqual(typed(picky, "subscribed")[2].cameras, []);
    assert.equal(bus.count(CAM_A), 1, "the boss alone holds A");
    assert.equal(typed(boss, "subscribed").length, 1, "no ack when nothing changed");
    const guardA = framesOf(guard, CAM_A);
    await publish(t, a, CAM_A, 4);
    await publish(t, b, CAM_B, 5);
    await guard.until(() => framesOf(guard, CAM_B) === 2, 5000, "B's next frame");
    await boss.until(() => framesOf(boss, CAM_A) === 1, 5000, "A's frame for the boss");
    assert.equal(framesOf(guard, CAM_A), guardA, "A's frame did not reach the guard");
  } finally {
    await Deno.remove(policyDir, { recursive: true });
  }
});
