/** A soak's raw result for the tests of the verdict and the report: flat unless told. */
import type { SoakSample } from "./soak_report.ts";
import type { judgeSoak } from "./soak_verdict.ts";

export type SoakInput = Parameters<typeof judgeSoak>[0];

/** A soak of `n` samples every 10 s whose fds follow `fds(i)`; everything else flat. */
export function soakInput(
  n: number,
  fds: (i: number) => number,
  more: Partial<SoakInput> = {},
): SoakInput {
  const samples: SoakSample[] = Array.from({ length: n }, (_, i) => ({
    tS: i * 10,
    rssMb: 180 + (i % 3),
    fds: fds(i),
    timers: 5,
    wsDevices: 16,
    wsViewers: 8,
    streams: i % 2,
    busSubscriptions: 80,
    hubCpuPct: 20,
    load1: 1,
  }));
  const check = { atS: 10, ok: true };
  return {
    minutes: n / 6,
    warmupS: 20,
    sampleEveryS: 10,
    cameras: 16,
    fps: 15,
    steadyViewers: 4,
    churnViewers: 3,
    mjpegReaders: 2,
    intervals: {
      cameraReconnectEveryMs: 5000,
      cameraRestartEveryS: 40,
      revokeEveryS: 30,
      policyEveryS: 20,
    },
    loadavgStart: [1, 1, 1],
    loadavgEnd: [1, 1, 1],
    samples,
    activity: {
      cameraReconnects: 20,
      cameraReconnectFailures: 0,
      cameraRestarts: 2,
      viewerSessions: 20,
      viewerFrames: 1000,
      viewerFailures: 0,
      mjpegSessions: 10,
      mjpegBytes: 1e6,
      mjpegFailures: 0,
      scrapeFailures: 0,
      policyLeakedFrames: 0,
      errors: [],
    },
    revocations: [{
      ...check,
      cn: "soak-revoked-001",
      wsCutMs: 900,
      wsCode: 1008,
      mjpegCutMs: 900,
      refusedAfter: true,
    }],
    policyReloads: [{ ...check, ackMs: 800, mjpegCutMs: 800 }],
    steady: { p50: 3, p99: 10, max: 20, framesPerS: 240 },
    hubCpuPct: 20,
    ...more,
  };
}
