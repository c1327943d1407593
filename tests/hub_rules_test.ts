/**
 * The hub's rules that take a policy file or the passage of time: viewer access control on
 * every path, stall detection, and the ping/pong liveness rule.
 */
import assert from "node:assert/strict";
import { fakeJpeg, startTestHub, type TestClient, waitFor } from "./hub_fixture.ts";
import { parseViewerFrame } from "../lib/trailer.ts";

const CAM_A = "0123A1B2C3D4E5F6A7";
const CAM_B = "0123B1B2C3D4E5F6B7";

function typed(client: TestClient, type: string): Record<string, unknown>[] {
  return (client.texts as Record<string, unknown>[]).filter((t) => t.type === type);
}

Deno.test("hub enforces the viewer policy on subscribe, events, API, snapshot and MJPEG", async () => {
  const policyDir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  const policyFile = `${policyDir}/policy.json`;
  await Deno.writeTextFile(
    policyFile,
    JSON.stringify({
      groups: { front: [CAM_A] },
      viewers: { guard: ["@front"], boss: "*", "*": [] },
    }),
  );
  try {
    await using t = await startTestHub({ policyFile });
    const a = await t.device(CAM_A);
    const b = await t.device(CAM_B);
    const guard = await t.viewer("guard");
    const boss = await t.viewer("boss");
    const stranger = await t.viewer("stranger");
    const hello = typed(guard, "hello")[0] as { cameras: { serial: string }[] };
    assert.deepEqual(hello.cameras.map((c) => c.serial), [CAM_A]);

    await new Promise<void>((r) =>
      guard.ws.send(JSON.stringify({ type: "subscribe", cameras: [CAM_B] }), () => r())
    );
    await guard.until(() => typed(guard, "error").length === 1);
    assert.equal(typed(guard, "error")[0].code, "TC_ERR_FORBIDDEN");

    for (let i = 0; i < 3; i++) {
      a.ws.send(fakeJpeg(100));
      b.ws.send(fakeJpeg(100));
    }
    await boss.until(() => boss.binary.length === 6, 5000, "boss sees all 6 frames");
    await guard.until(() => guard.binary.length === 3, 5000, "guard sees camera A's 3");
    assert.ok(guard.binary.every((f) => parseViewerFrame(f).serial === CAM_A));
    assert.equal(stranger.binary.length, 0);
    // Events too: the guard heard of A going online, never of B.
    const serialsSeen = typed(guard, "camera").map((e) => (e.camera as { serial: string }).serial);
    assert.ok(!serialsSeen.includes(CAM_B));

    const guardCert = guard.cert;
    const list = (await t.request("/api/cameras", { cert: guardCert })).json() as {
      cameras: { serial: string }[];
    };
    assert.deepEqual(list.cameras.map((c) => c.serial), [CAM_A]);
    for (
      const path of [
        `/api/cameras/${CAM_B}`,
        `/api/cameras/${CAM_B}/snapshot.jpg`,
        `/api/cameras/${CAM_B}/stream.mjpeg`,
      ]
    ) {
      const res = await t.request(path, { cert: guardCert });
      assert.equal(res.status, 403, path);
      assert.equal((res.json() as { error: { code: string } }).error.code, "TC_ERR_FORBIDDEN");
    }
    assert.equal(
      (await t.request(`/api/cameras/${CAM_A}/snapshot.jpg`, { cert: guardCert }))
        .status,
      200,
    );

    // The policy is re-read when it changes: now the guard may see B as well.
    await Deno.writeTextFile(
      policyFile,
      JSON.stringify({ viewers: { guard: [CAM_A, CAM_B], boss: "*" } }),
    );
    // The reload re-subscribes the guard (it follows all cameras): its third acknowledgement,
    // after the connect and the refused subscribe, says the new policy is in force.
    await guard.until(() => typed(guard, "subscribed").length === 3, 10_000, "the reload");
    assert.deepEqual(typed(guard, "subscribed")[2].cameras, [CAM_A, CAM_B]);
    const status = (await t.request(`/api/cameras/${CAM_B}`, { cert: guardCert })).status;
    assert.equal(status, 200, "the re-read policy lets the guard see camera B");
  } finally {
    await Deno.remove(policyDir, { recursive: true });
  }
});

Deno.test("hub refuses to start with an invalid policy file and names it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  try {
    await Deno.writeTextFile(`${dir}/policy.json`, '{"viewers": {"guard": ["0123XYZ"]}}');
    await assert.rejects(
      startTestHub({ policyFile: `${dir}/policy.json` }),
      (err: Error) => {
        assert.equal(err.name, "HubStartError");
        assert.match(err.message, /Invalid policy file ".*policy\.json": .*"0123XYZ"/);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hub marks a camera stalled after --stall-ms without frames and online on the next", async () => {
  await using t = await startTestHub({ stallMs: 300 });
  const viewer = await t.viewer("alice");
  const dev = await t.device(CAM_A);
  dev.ws.send(fakeJpeg(100));
  const events = () => typed(viewer, "camera").map((e) => e.event);
  await viewer.until(() => events().includes("stalled"), 5000, "a stalled event");
  const cam = (await t.request(`/api/cameras/${CAM_A}`)).json() as { state: string };
  assert.equal(cam.state, "stalled");
  dev.ws.send(fakeJpeg(100));
  await viewer.until(() => events().lastIndexOf("online") > events().indexOf("stalled"));
  await dev.close();
  await viewer.until(() => events().at(-1) === "offline", 5000, "offline at once");
});

Deno.test("hub terminates a peer that misses two pongs and keeps the one that answers", async () => {
  await using t = await startTestHub({ pingIntervalMs: 250 });
  const healthy = await t.viewer("alice");
  // A viewer that never answers pings (ws answers them by calling pong(); silence it).
  const mute = await t.viewer("mute");
  mute.ws.pong = () => {};
  await waitFor(() => t.log.some((l) => l.startsWith("terminate") && l.includes("cn=mute")), 5000);
  // The log line comes before terminate(); the session leaves the relay on its close event.
  await waitFor(() => t.hub.relay.viewers.size === 1, 5000);
  assert.deepEqual([...t.hub.relay.viewers].map((v) => v.peer.cn), ["alice"], "only alice remains");
  assert.ok(!t.log.some((l) => l.startsWith("terminate") && l.includes("cn=alice")));
  const dev = await t.device(CAM_A);
  dev.ws.send(fakeJpeg(100));
  await healthy.until(() => healthy.binary.length === 1);
  assert.equal(healthy.ws.readyState, 1, "a peer that answers pings stays");
});
