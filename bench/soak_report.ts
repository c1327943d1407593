/**
 * The soak's result as the report holds it, and its markdown section: the verdict, each
 * sampled series judged for flatness (bench/soak_verdict.ts), what the churn did and the
 * checks it made (revocations and policy reloads cut what they must), and every sample.
 */
import type { Flatness } from "./soak_verdict.ts";

/** One sample of the hub, every `sampleEveryS`. Metrics are null when the scrape failed. */
export interface SoakSample {
  /** seconds since the soak started */
  tS: number;
  rssMb: number;
  fds: number;
  timers: number | null;
  wsDevices: number | null;
  wsViewers: number | null;
  streams: number | null;
  busSubscriptions: number | null;
  /** hub CPU since the previous sample, % of one core */
  hubCpuPct: number;
  /** the box's 1-minute load average */
  load1: number;
}

/** The series judged, in the order the report lists them. */
export const SOAK_SERIES = [
  "rssMb",
  "fds",
  "timers",
  "wsDevices",
  "wsViewers",
  "streams",
  "busSubscriptions",
] as const;
export type SoakSeries = typeof SOAK_SERIES[number];

export const SERIES_LABEL: Record<SoakSeries, string> = {
  rssMb: "RSS (MiB)",
  fds: "open fds",
  timers: "timers",
  wsDevices: "device WebSockets",
  wsViewers: "viewer WebSockets",
  streams: "MJPEG streams",
  busSubscriptions: "bus subscriptions",
};

/** A throwaway viewer certificate revoked while its WebSocket and MJPEG stream are open. */
export interface RevocationCheck {
  cn: string;
  atS: number;
  /** ms from calling revoke() until the hub closed the WebSocket; null: not within 10 s */
  wsCutMs: number | null;
  wsCode: number | null;
  mjpegCutMs: number | null;
  /** a new upgrade with the certificate was refused */
  refusedAfter: boolean;
  ok: boolean;
  error?: string;
}

/** A policy reload moving one viewer's cameras to the other half of the cameras. */
export interface PolicyCheck {
  atS: number;
  /** ms from writing the file until the viewer's `subscribed` ack showed the new set */
  ackMs: number | null;
  /** ms until the viewer's MJPEG stream of a camera it lost ended */
  mjpegCutMs: number | null;
  ok: boolean;
  error?: string;
}

export interface SoakActivity {
  cameraReconnects: number;
  cameraReconnectFailures: number;
  cameraRestarts: number;
  viewerSessions: number;
  viewerFrames: number;
  viewerFailures: number;
  mjpegSessions: number;
  mjpegBytes: number;
  mjpegFailures: number;
  scrapeFailures: number;
  /** frames of a camera the policy had just hidden, received after the hub's ack */
  policyLeakedFrames: number;
  /** the first few errors met, for diagnosis */
  errors: string[];
}

export interface SoakResult {
  minutes: number;
  warmupS: number;
  sampleEveryS: number;
  cameras: number;
  fps: number;
  steadyViewers: number;
  churnViewers: number;
  mjpegReaders: number;
  intervals: {
    cameraReconnectEveryMs: number;
    cameraRestartEveryS: number;
    revokeEveryS: number;
    policyEveryS: number;
  };
  loadavgStart: number[];
  loadavgEnd: number[];
  samples: SoakSample[];
  series: Record<SoakSeries, Flatness>;
  activity: SoakActivity;
  revocations: RevocationCheck[];
  policyReloads: PolicyCheck[];
  /** the steady viewers' latency after the warm-up, and frames each got per second */
  steady: { p50: number | null; p99: number | null; max: number | null; framesPerS: number };
  /** hub CPU over the whole soak, % of one core */
  hubCpuPct: number;
  /** every series flat (null: too short to judge) */
  flat: boolean | null;
  /** every revocation and reload cut what it had to, no frame leaked, nothing failed */
  checksOk: boolean;
  ok: boolean;
  failures: string[];
}

const v = (x: number | null | undefined) => x === null || x === undefined ? "-" : String(x);
const max = (xs: (number | null)[]) =>
  xs.some((x) => x === null) ? null : xs.length ? Math.max(...(xs as number[])) : null;

/** The report's "Soak" section. */
export function soakMarkdown(s: SoakResult): string[] {
  const lines: string[] = ["## Soak", ""];
  const verdict = s.ok ? "**flat, every check passed**" : `**failed**: ${s.failures.join("; ")}`;
  lines.push(
    `${s.minutes} min at ${s.cameras} cameras x ${s.fps} fps: ${s.steadyViewers} steady viewers, ` +
      `${s.churnViewers} churning viewers and ${s.mjpegReaders} churning MJPEG readers; a camera ` +
      `reconnects every ${
        s.intervals.cameraReconnectEveryMs / 1000
      } s, all cameras restart every ` +
      `${s.intervals.cameraRestartEveryS} s, a viewer certificate is revoked every ` +
      `${s.intervals.revokeEveryS} s and the policy reloaded every ${s.intervals.policyEveryS} s. ` +
      `Hub sampled every ${s.sampleEveryS} s; judged after ${s.warmupS} s of warm-up. ` +
      `Load average ${s.loadavgStart.join(" / ")} at the start, ${
        s.loadavgEnd.join(" / ")
      } at the end; hub CPU ${s.hubCpuPct}% of a core.`,
    "",
    `Verdict: ${verdict}`,
    "",
    "| series | min | max | medians of the thirds after warm-up | last - second | allowed | slope /min | flat |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  );
  for (const [name, f] of Object.entries(s.series) as [SoakSeries, Flatness][]) {
    lines.push(
      `| ${SERIES_LABEL[name]} | ${v(f.min)} | ${v(f.max)} | ${f.thirds?.join(" / ") ?? "-"} | ${
        v(f.rise)
      } | ${v(f.tolerance)} | ${v(f.slopePerMin)} | ${
        f.flat === null ? `not judged: ${f.why}` : f.flat ? "yes" : `**no**: ${f.why}`
      } |`,
    );
  }
  const a = s.activity;
  const revOk = s.revocations.filter((r) => r.ok).length;
  const polOk = s.policyReloads.filter((p) => p.ok).length;
  lines.push(
    "",
    `Churn: ${a.cameraReconnects} camera reconnects (${a.cameraReconnectFailures} failed dials), ` +
      `${a.cameraRestarts} restarts of every camera, ${a.viewerSessions} viewer sessions ` +
      `(${a.viewerFrames} frames, ${a.viewerFailures} failed), ${a.mjpegSessions} MJPEG sessions ` +
      `(${Math.round(a.mjpegBytes / 1e6)} MB, ${a.mjpegFailures} failed). Steady viewers: p50 ` +
      `${v(s.steady.p50)} / p99 ${v(s.steady.p99)} / max ${v(s.steady.max)} ms, ` +
      `${s.steady.framesPerS} frames/s each.`,
    "",
    `Revocations: ${revOk} of ${s.revocations.length} cut (WebSocket closed within ` +
      `${v(max(s.revocations.map((r) => r.wsCutMs)))} ms, MJPEG ended within ` +
      `${v(max(s.revocations.map((r) => r.mjpegCutMs)))} ms at worst, the certificate refused ` +
      `afterwards). Policy reloads: ${polOk} of ${s.policyReloads.length} applied (ack within ` +
      `${v(max(s.policyReloads.map((p) => p.ackMs)))} ms, MJPEG of a hidden camera ended within ` +
      `${v(max(s.policyReloads.map((p) => p.mjpegCutMs)))} ms at worst); ` +
      `${a.policyLeakedFrames} frames of a hidden camera after the ack. /metrics scrapes failed: ` +
      `${a.scrapeFailures}.`,
  );
  if (a.errors.length) lines.push("", `Errors: ${a.errors.join("; ")}`);
  lines.push(
    "",
    "| t (s) | RSS MiB | fds | timers | device / viewer WebSockets | MJPEG streams | bus subscriptions | hub CPU % | load 1 min |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const x of s.samples) {
    lines.push(
      `| ${x.tS}${x.tS < s.warmupS ? " (warm-up)" : ""} | ${x.rssMb} | ${x.fds} | ${
        v(x.timers)
      } | ${v(x.wsDevices)} / ${v(x.wsViewers)} | ${v(x.streams)} | ${
        v(x.busSubscriptions)
      } | ${x.hubCpuPct} | ${x.load1} |`,
    );
  }
  lines.push("");
  return lines;
}
