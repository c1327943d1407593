/**
 * Motion detection latency through a real hub (issue 12, item 5): a device streams a still
 * scene, then a square crossing it, then stillness again, at 15 fps; a viewer on the same hub
 * waits for the `motion` messages. Latency = the message's arrival minus the send time of the
 * first frame with the square (start), or of the last one (end: by design about the 5 s
 * without motion an event needs to end, plus one analysis interval). The hub runs its defaults:
 * analysis at 5 fps, one decode slot.
 */
// @ts-types="@types/ws"
import WebSocket from "ws";
import { crossingScene } from "../harness/motion_stream.ts";
import { benchSerial, loadBenchCreds, viewerCred } from "./bench_pki.ts";
import { type BenchEnv, freePort, startHub } from "./load_step.ts";

export interface MotionLatencyResult {
  events: number;
  analysisFps: number;
  startMedianMs: number;
  startMaxMs: number;
  endMedianMs: number;
  endMaxMs: number;
}

const FPS = 15;

function open(url: string, o: { ca: string; cert: string; key: string }): Promise<WebSocket> {
  const ws = new WebSocket(url, { ...o, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

export async function benchMotionLatency(
  env: BenchEnv,
  o: { events: number; log: (line: string) => void },
): Promise<MotionLatencyResult> {
  const port = freePort();
  const hub = await startHub(env, { hub: "trustcam", hubArgs: ["--record", "off"] }, port);
  const creds = await loadBenchCreds(env.credsPath);
  const url = `wss://127.0.0.1:${port}/ws`;
  const sockets: WebSocket[] = [];
  try {
    const serial = benchSerial(0);
    const device = creds.devices.find((d) => d.cn === serial)!;
    const viewer = viewerCred(creds, 0);
    const v = await open(`${url}?cameras=`, {
      ca: creds.caPem,
      cert: viewer.chainPem,
      key: viewer.keyPem,
    });
    sockets.push(v);
    const motions: { state: string; at: number }[] = [];
    v.on("message", (data, binary) => {
      if (binary) return;
      const m = JSON.parse(String(data)) as { type: string; camera?: string; state?: string };
      if (m.type === "motion" && m.camera === serial) {
        motions.push({ state: m.state!, at: Date.now() });
      }
    });
    const d = await open(url, { ca: creds.caPem, cert: device.chainPem, key: device.keyPem });
    sockets.push(d);
    // 3 s still (the background settles), 3 s of crossing, 7 s still (the event ends).
    const scene = await crossingScene({ still: 3 * FPS, moving: 3 * FPS, after: 7 * FPS });
    const starts: number[] = [];
    const ends: number[] = [];
    for (let e = 0; e < o.events; e++) {
      const t0 = performance.now();
      let firstMoving = 0;
      let lastMoving = 0;
      for (const [i, jpeg] of scene.entries()) {
        const due = t0 + (i * 1000) / FPS;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        if (i === 3 * FPS) firstMoving = Date.now();
        if (i === 6 * FPS - 1) lastMoving = Date.now();
        d.send(jpeg, { binary: true });
      }
      const start = motions.find((m) => m.state === "start" && m.at >= firstMoving);
      const end = motions.find((m) => m.state === "end" && m.at >= lastMoving);
      if (!start || !end) throw new Error(`Event ${e + 1}: no motion start and end seen`);
      starts.push(start.at - firstMoving);
      ends.push(end.at - lastMoving);
      o.log(
        `[motion] event ${e + 1}: start after ${starts.at(-1)} ms, end after ${ends.at(-1)} ms`,
      );
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    return {
      events: o.events,
      analysisFps: 5,
      startMedianMs: med(starts),
      startMaxMs: Math.max(...starts),
      endMedianMs: med(ends),
      endMaxMs: Math.max(...ends),
    };
  } finally {
    for (const s of sockets) s.terminate();
    await hub.kill();
  }
}
