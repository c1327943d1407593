import assert from "node:assert/strict";
import { modelOf, type NatsSide } from "./nats_scenario.ts";

const side = (hubCpuPct: number, natsCpuPct = 0): NatsSide => ({
  p50Ms: 2,
  p99Ms: 9,
  lossPct: 0,
  hubCpuPct,
  hubCpuUsPerFrame: null,
  natsCpuPct,
  totalCpuUsPerFrame: null,
});

Deno.test("modelOf() separates ingest, delivery, crossing and NATS costs per frame", () => {
  // 240 frames/s in: ingest 100 µs, delivery 10 µs, crossing 50 µs, NATS 20 µs per frame.
  const m = modelOf({
    cameras: 16,
    fps: 15,
    viewers: 8,
    runs: 1,
    inProcess: side(4.32),
    inProcessWide: { ...side(10.08), viewers: 32 },
    nats: side(4.5),
    crossHub: side(5.52, 0.48),
    threeHubs: side(9),
  });
  assert.deepEqual(m, { ingestUs: 100, deliverUs: 10, crossUs: 50, natsUs: 20 });
});
