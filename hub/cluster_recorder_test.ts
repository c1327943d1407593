import assert from "node:assert/strict";
import { SEGMENT_DATA_EXT } from "../lib/archive_index.ts";
import { DEFAULT_MOTION_SETTINGS } from "../lib/motion_settings.ts";
import { parseRecorderOptions } from "../lib/recorder_options.ts";
import { crossingScene, streamAtPace } from "../harness/motion_stream.ts";
import { startTestHub, waitFor } from "../tests/hub_fixture.ts";
import { startNatsServer } from "../tests/nats_fixture.ts";
import { startClusterRecorder } from "./cluster_recorder.ts";
import { SqliteEventStore } from "./event_store.ts";
import type { NatsBus } from "./nats_bus.ts";

const CAM = "0123FEED00000000D1";

Deno.test("startClusterRecorder() analyzes another hub's camera, stores its motion event and records around it", async () => {
  await using nats = await startNatsServer();
  await using hub = await startTestHub({
    bus: {
      servers: [`127.0.0.1:${nats.port}`],
      tls: false,
      caFile: null,
      certFile: null,
      keyFile: null,
      user: null,
      password: null,
      credsFile: null,
    },
    motion: "off",
  });
  const data = await Deno.makeTempDir({ prefix: "trustcam-cluster-recorder-" });
  try {
    const config = parseRecorderOptions([
      "--bus",
      `nats://127.0.0.1:${nats.port}`,
      "--data",
      data,
      "--record",
      "motion",
      "--motion",
      "on",
    ]);
    const asked = new Set<string>();
    const recorder = await startClusterRecorder(config, {
      log: () => {},
      // The interface a cluster registry will feed: here, every camera analyzed at 15 fps.
      settings: {
        recordModeOf: (serial) => (asked.add(serial), "motion"),
        motionSettingsOf: () => ({ ...DEFAULT_MOTION_SETTINGS, fps: 15 }),
      },
    });
    try {
      const bus = hub.hub.state.bus as NatsBus;
      await waitFor(() => bus.wanted(CAM), 5000, "the recorder's want-all at the hub");
      const frames = await crossingScene({ still: 20, moving: 30, after: 20 });
      const dev = await hub.device(CAM);
      await streamAtPace(dev.ws, frames, 50);
      const events = new SqliteEventStore(`${data}/events.db`);
      try {
        const ended = () =>
          events.list({ cameras: [CAM], from: 0, to: Date.now(), limit: 10 })
            .filter((e) => e.endedAt !== null);
        await waitFor(() => ended().length === 1, 30_000, "the motion event in events.db");
        assert.equal(ended()[0].camera, CAM);
      } finally {
        events.close();
      }
      assert.ok(asked.has(CAM));
    } finally {
      await recorder.close();
    }
    const segments = [...Deno.readDirSync(`${data}/recordings/${CAM}`)]
      .filter((e) => e.name.endsWith(SEGMENT_DATA_EXT));
    assert.ok(segments.length >= 1, "motion recording wrote a segment");
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
