/**
 * D simulated cameras in one process: a lean paced sender (no status messages) so the sender
 * costs as little CPU as possible on a 2-core box. With --reconnect-every-ms (the soak), one
 * camera after another drops its connection and dials again. Every frame is
 * one of a few pre-rendered VGA JPEGs, stamped with its send time and per-camera sequence
 * number in a COM segment (lib/jpeg_com.ts) right before it is sent. Cameras are spread
 * evenly over the frame period, as unsynchronized real cameras are.
 *
 * Protocol with the orchestrator (bench/child_io.ts): prints `ready` once every camera is
 * connected, waits for `start` {startAt, measureFrom, measureTo, stopAt} (ms since the epoch),
 * sends until stopAt, prints `result` and exits. A closed stdin ends it at once, after a
 * `stopped` message with its reconnect counts.
 */
// @ts-types="@types/ws"
import WebSocket from "ws";
import tls from "node:tls";
import { parseArgs } from "node:util";
import { stampFrame } from "../lib/jpeg_com.ts";
import { type BenchCred, loadBenchCreds } from "./bench_pki.ts";
import { encodeBareFrame } from "./bare_wire.ts";
import { CommandReader, emit } from "./child_io.ts";

const USAGE =
  `Usage: deno run -A bench/cameras_process.ts --port N --creds FILE --frames DIR [options]

  --proto ws|bare     trustcam WebSocket (default) or the bare TLS ceiling's framing
  --port N            hub port on 127.0.0.1
  --creds FILE        credentials JSON written by the orchestrator (bench/bench_pki.ts)
  --frames DIR        directory of pre-rendered *.jpg frames, cycled
  --cameras D         cameras (default 16)
  --first-camera K    use the device certificates from K on (several processes, one serial each)
  --fps F             frames per second per camera (default 15)
  --reconnect-every-ms N  every N ms the next camera in turn drops its connection (by
                      turns a close frame or a bare TCP cut) and connects again (ws only;
                      default 0: never)
  --deadline-s S      exit after S seconds whatever happens (default 600)
  -h, --help          show this help`;

/** A camera queues at most this many frames in its socket; beyond it drops, like SimCamera. */
const MAX_QUEUED_FRAMES = 2;
const CONNECT_TIMEOUT_MS = 20_000;

interface Cam {
  serial: string;
  send(data: Uint8Array): void;
  queued(): number;
  /** Cuts the connection (no close frame). */
  close(): void;
  /** Closes with a close frame, as a camera shutting down cleanly would. */
  closeClean(): void;
  seq: number;
  sent: number;
  skipped: number;
  sentInWindow: number;
  skippedInWindow: number;
  closed: boolean;
}

function connectWs(url: string, cred: BenchCred, caPem: string): Promise<Cam> {
  const ws = new WebSocket(url, {
    cert: cred.chainPem,
    key: cred.keyPem,
    ca: caPem,
    perMessageDeflate: false,
    handshakeTimeout: CONNECT_TIMEOUT_MS,
  });
  const cam: Cam = {
    serial: cred.cn,
    send: (data) => ws.send(data, { binary: true }),
    queued: () => ws.bufferedAmount,
    close: () => ws.terminate(),
    closeClean: () => ws.close(1000),
    seq: 0,
    sent: 0,
    skipped: 0,
    sentInWindow: 0,
    skippedInWindow: 0,
    closed: false,
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(cam));
    ws.once("error", reject);
    ws.on("close", () => cam.closed = true);
    ws.once("unexpected-response", (_req, res) => {
      reject(new Error(`Upgrade refused for ${cred.cn}: ${res.statusCode}`));
      res.resume();
    });
  });
}

function connectBare(port: number, cred: BenchCred, caPem: string): Promise<Cam> {
  const socket = tls.connect({
    host: "127.0.0.1",
    port,
    servername: "localhost",
    cert: cred.chainPem,
    key: cred.keyPem,
    ca: caPem,
  });
  const cam: Cam = {
    serial: cred.cn,
    send: (data) => socket.write(encodeBareFrame(data)),
    queued: () => socket.writableLength,
    close: () => socket.destroy(),
    closeClean: () => socket.end(),
    seq: 0,
    sent: 0,
    skipped: 0,
    sentInWindow: 0,
    skippedInWindow: 0,
    closed: false,
  };
  socket.on("data", () => {});
  return new Promise((resolve, reject) => {
    socket.once("secureConnect", () => resolve(cam));
    socket.once("error", reject);
    socket.on("close", () => cam.closed = true);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      proto: { type: "string", default: "ws" },
      port: { type: "string" },
      creds: { type: "string" },
      frames: { type: "string" },
      cameras: { type: "string", default: "16" },
      "first-camera": { type: "string", default: "0" },
      fps: { type: "string", default: "15" },
      "deadline-s": { type: "string", default: "600" },
      "reconnect-every-ms": { type: "string", default: "0" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.port || !values.creds || !values.frames) {
    console.log(USAGE);
    Deno.exit(values.help ? 0 : 2);
  }
  const port = Number(values.port);
  const count = Number(values.cameras);
  const fps = Number(values.fps);
  const proto = values.proto === "bare" ? "bare" : "ws";
  setTimeout(() => {
    emit({ type: "error", message: `Deadline of ${values["deadline-s"]} s reached` });
    Deno.exit(3);
  }, Number(values["deadline-s"]) * 1000);
  const churn = { reconnects: 0, failures: 0 };
  const commands = new CommandReader(() => {
    emit({ type: "stopped", reconnects: churn.reconnects, reconnectFailures: churn.failures });
    Deno.exit(0);
  });

  const creds = await loadBenchCreds(values.creds);
  const first = Number(values["first-camera"]);
  if (creds.devices.length < first + count) {
    throw new RangeError(
      `Not enough device certificates: ${creds.devices.length} < ${first + count}`,
    );
  }
  const devices = creds.devices.slice(first, first + count);
  const frames: Uint8Array[] = [];
  for (const e of [...Deno.readDirSync(values.frames)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (e.name.endsWith(".jpg")) frames.push(Deno.readFileSync(`${values.frames}/${e.name}`));
  }
  if (frames.length === 0) throw new Error(`No .jpg frames in "${values.frames}"`);
  const avgBytes = frames.reduce((a, f) => a + f.byteLength, 0) / frames.length;

  const url = `wss://127.0.0.1:${port}/ws`;
  const cams = await Promise.all(
    devices.map((c) =>
      proto === "ws" ? connectWs(url, c, creds.caPem) : connectBare(port, c, creds.caPem)
    ),
  );
  emit({ type: "ready", cameras: cams.length, frameBytes: Math.round(avgBytes) });
  const reconnectEveryMs = Number(values["reconnect-every-ms"]);
  if (reconnectEveryMs > 0 && proto === "ws") {
    void reconnectInTurn(
      cams,
      reconnectEveryMs,
      (i) => connectWs(url, devices[i], creds.caPem),
      churn,
    );
  }

  const start = await commands.wait("start");
  const { startAt, measureFrom, measureTo, stopAt } = start as unknown as Record<string, number>;
  const period = 1000 / fps;
  // Wall-clock plan on the monotonic clock: timers run on it, stamps use Date.now().
  const perfAt = (epochMs: number) => performance.now() + (epochMs - Date.now());
  const perfStop = perfAt(stopAt);
  const next = cams.map((_, i) => perfAt(startAt) + (i * period) / cams.length);
  let lateMax = 0;
  let behind = 0;
  let frameIndex = 0;
  // Bounded: one pass per due frame until stopAt, and stopAt is at most minutes away.
  while (true) {
    let due = Infinity;
    for (const t of next) if (t < due) due = t;
    if (due >= perfStop) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = performance.now();
    for (let i = 0; i < cams.length; i++) {
      if (next[i] > now) continue;
      const late = now - next[i];
      if (late > lateMax) lateMax = late;
      next[i] += period;
      // A sender more than a frame behind skips ahead rather than bursting to catch up.
      while (next[i] <= now - period) {
        next[i] += period;
        behind++;
      }
      const cam = cams[i];
      if (cam.closed) continue;
      const t = Date.now();
      const inWindow = t >= measureFrom && t < measureTo;
      if (cam.queued() > MAX_QUEUED_FRAMES * avgBytes) {
        cam.skipped++;
        if (inWindow) cam.skippedInWindow++;
        continue;
      }
      cam.send(stampFrame(frames[frameIndex++ % frames.length], cam.seq++, t));
      cam.sent++;
      if (inWindow) cam.sentInWindow++;
    }
  }
  emit({
    type: "result",
    fps,
    frameBytes: Math.round(avgBytes),
    lateMaxMs: Math.round(lateMax * 10) / 10,
    behind,
    closedEarly: cams.filter((c) => c.closed).length,
    reconnects: churn.reconnects,
    reconnectFailures: churn.failures,
    cameras: cams.map((c) => ({
      serial: c.serial,
      sent: c.sent,
      skipped: c.skipped,
      sentInWindow: c.sentInWindow,
      skippedInWindow: c.skippedInWindow,
    })),
  });
  for (const c of cams) c.close();
  Deno.exit(0);
}

/**
 * Every `everyMs`, the next camera in turn leaves (every other time without a close frame)
 * and dials again, until the process ends; its slot keeps its counters. A failed dial is
 * counted and retried after a second.
 */
async function reconnectInTurn(
  cams: Cam[],
  everyMs: number,
  dial: (i: number) => Promise<Cam>,
  churn: { reconnects: number; failures: number },
): Promise<void> {
  for (let turn = 0;; turn++) {
    await new Promise((r) => setTimeout(r, everyMs));
    const i = turn % cams.length;
    const old = cams[i];
    if (turn % 2) old.close();
    else old.closeClean();
    old.closed = true;
    while (true) {
      try {
        const fresh = await dial(i);
        fresh.seq = old.seq;
        fresh.sent = old.sent;
        fresh.skipped = old.skipped;
        fresh.sentInWindow = old.sentInWindow;
        fresh.skippedInWindow = old.skippedInWindow;
        cams[i] = fresh;
        churn.reconnects++;
        break;
      } catch {
        churn.failures++;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

if (import.meta.main) {
  main().catch((err) => {
    emit({ type: "error", message: err instanceof Error ? err.message : String(err) });
    Deno.exit(1);
  });
}
