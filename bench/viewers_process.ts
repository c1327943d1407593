/**
 * V viewers in one process, each a real mTLS client with a viewer certificate (`ws`, or the
 * bare ceiling's framing), plus optional stalled viewers: raw Deno TLS connections that
 * complete the WebSocket upgrade and never read again, so the hub's socket really fills.
 *
 * Every binary message is split with lib/trailer.ts and its stamp read with readStamp; a
 * frame counts when its stamp lies in [measureFrom, measureTo): its latency (receive time
 * minus stamp, both Date.now() on this machine) goes into a histogram and it is counted per
 * viewer and camera, which the orchestrator compares with what the cameras sent in the same
 * window. Protocol: `ready`, then `start` {measureFrom, measureTo, stopAt, stallUntil?}, then
 * `result` at stopAt; a closed stdin ends it.
 */
// @ts-types="@types/ws"
import WebSocket from "ws";
import tls from "node:tls";
import { parseArgs } from "node:util";
import { parseViewerFrame } from "../lib/trailer.ts";
import { readStamp } from "../lib/jpeg_com.ts";
import { type BenchCred, type BenchCreds, loadBenchCreds, viewerCred } from "./bench_pki.ts";
import { BareFrameSplitter } from "./bare_wire.ts";
import { controlFrame, FrameScanner } from "./frame_scanner.ts";
import { CommandReader, emit } from "./child_io.ts";
import { LatencyHistogram } from "./latency_histogram.ts";
import { stalledViewer } from "../harness/stalled_viewer.ts";

const USAGE = `Usage: deno run -A bench/viewers_process.ts --port N --creds FILE [options]

  --proto ws|bare     trustcam WebSocket (default) or the bare TLS ceiling's framing
  --port N            hub port on 127.0.0.1
  --creds FILE        credentials JSON written by the orchestrator (bench/bench_pki.ts)
  --client lean|ws    lean: Deno TLS + a scanner that copies nothing (default); ws: the
                      \`ws\` package (with --proto bare: node:tls and a copying splitter)
  --viewers V         healthy viewers (default 4)
  --first K           number of the first viewer (several processes share the certificates)
  --stalled N         viewers that upgrade and then never read (ws only, default 0)
  --deadline-s S      exit after S seconds whatever happens (default 600)
  -h, --help          show this help`;

const CONNECT_TIMEOUT_MS = 20_000;

interface Window {
  from: number;
  to: number;
}

interface ViewerState {
  id: number;
  /** frames with a stamp in the window, per camera serial */
  counts: Map<string, number>;
  lastSeq: Map<string, number>;
  outOfOrder: number;
  unstamped: number;
  closed: boolean;
  close(): void;
}

const hist = new LatencyHistogram();
/** Frames of at least SLOW_MS, with their stamp time: when do the slow ones happen? */
const SLOW_MS = 5;
const MAX_SLOW = 2000;
const slow: [number, number][] = [];
let measure: Window | null = null;

function onFrame(v: ViewerState, data: Uint8Array): void {
  const { serial, jpeg } = parseViewerFrame(data);
  onParts(v, serial, jpeg);
}

/** `head` holds at least the JPEG's first bytes (where the stamp is); `serial` its trailer. */
function onParts(v: ViewerState, serial: string, head: Uint8Array): void {
  const now = Date.now();
  const stamp = readStamp(head);
  if (!stamp) {
    v.unstamped++;
    return;
  }
  const last = v.lastSeq.get(serial);
  if (last !== undefined && stamp.seq <= last) v.outOfOrder++;
  v.lastSeq.set(serial, stamp.seq);
  if (measure && stamp.t >= measure.from && stamp.t < measure.to) {
    const latency = now - stamp.t;
    hist.add(latency);
    if (latency >= SLOW_MS && slow.length < MAX_SLOW) slow.push([stamp.t, latency]);
    v.counts.set(serial, (v.counts.get(serial) ?? 0) + 1);
  }
}

function newState(id: number): Omit<ViewerState, "close"> {
  return {
    id,
    counts: new Map(),
    lastSeq: new Map(),
    outOfOrder: 0,
    unstamped: 0,
    closed: false,
  };
}

function connectWs(id: number, port: number, cred: BenchCred, caPem: string): Promise<ViewerState> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, {
    cert: cred.chainPem,
    key: cred.keyPem,
    ca: caPem,
    perMessageDeflate: false,
    handshakeTimeout: CONNECT_TIMEOUT_MS,
  });
  const v: ViewerState = { ...newState(id), close: () => ws.terminate() };
  ws.on("message", (data: Uint8Array, isBinary: boolean) => {
    if (isBinary) onFrame(v, data);
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(v));
    ws.once("error", reject);
    ws.on("close", () => v.closed = true);
    ws.once("unexpected-response", (_req, res) => {
      reject(new Error(`Upgrade refused for ${cred.cn}: ${res.statusCode}`));
      res.resume();
    });
  });
}

function connectBare(
  id: number,
  port: number,
  cred: BenchCred,
  caPem: string,
): Promise<ViewerState> {
  const socket = tls.connect({
    host: "127.0.0.1",
    port,
    servername: "localhost",
    cert: cred.chainPem,
    key: cred.keyPem,
    ca: caPem,
  });
  const v: ViewerState = { ...newState(id), close: () => socket.destroy() };
  const splitter = new BareFrameSplitter((buf) => onFrame(v, buf));
  socket.on("data", (chunk: Uint8Array) => splitter.push(chunk));
  return new Promise((resolve, reject) => {
    socket.once("secureConnect", () => resolve(v));
    socket.once("error", reject);
    socket.on("close", () => v.closed = true);
  });
}

/** Sends the WebSocket upgrade on `conn`; returns bytes read past the 101 response. */
async function upgrade(conn: Deno.TlsConn): Promise<Uint8Array> {
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await conn.write(
    new TextEncoder().encode(
      `GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ),
  );
  const buf = new Uint8Array(16 * 1024);
  let have = 0;
  for (let i = 0; i < 64; i++) {
    const n = await conn.read(buf.subarray(have));
    if (n === null) throw new Error("Upgrade closed early");
    have += n;
    const text = new TextDecoder("latin1").decode(buf.subarray(0, have));
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) continue;
    if (!text.startsWith("HTTP/1.1 101")) {
      throw new Error(`Upgrade refused: ${text.split("\r\n")[0]}`);
    }
    return buf.slice(end + 4, have);
  }
  throw new Error("Upgrade response too long");
}

/**
 * The lean viewer: Deno's own TLS client reading 256 KiB at a time and a scanner that keeps
 * only each message's first bytes and trailer (bench/frame_scanner.ts). It answers pings, as
 * the hub terminates a peer that misses two.
 */
async function connectLean(
  id: number,
  proto: "ws" | "bare",
  port: number,
  cred: BenchCred,
  caPem: string,
): Promise<ViewerState> {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [caPem],
    cert: cred.chainPem,
    key: cred.keyPem,
  });
  const v: ViewerState = {
    ...newState(id),
    close: () => {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    },
  };
  const scanner = new FrameScanner(proto, {
    binary: (m) => onParts(v, m.tail, m.head),
    ping: (payload) => void conn.write(controlFrame(0xa, payload)).catch(() => {}),
    close: () => v.close(),
  });
  if (proto === "ws") scanner.push(await upgrade(conn));
  else await conn.handshake();
  void (async () => {
    const buf = new Uint8Array(256 * 1024);
    try {
      // Ends when the connection does; the process itself ends at stopAt.
      while (true) {
        const n = await conn.read(buf);
        if (n === null) break;
        scanner.push(buf.subarray(0, n));
      }
    } catch {
      // Reset or closed by us.
    }
    v.closed = true;
  })();
  return v;
}

async function connectAll(
  proto: "ws" | "bare",
  client: "ws" | "lean",
  port: number,
  creds: BenchCreds,
  first: number,
  count: number,
): Promise<ViewerState[]> {
  const out: ViewerState[] = [];
  // In batches: 64 handshakes at once on 2 cores would only time each other out.
  for (let i = first; i < first + count; i += 16) {
    const batch = [];
    for (let k = i; k < Math.min(first + count, i + 16); k++) {
      const cred = viewerCred(creds, k);
      batch.push(
        client === "lean"
          ? connectLean(k, proto, port, cred, creds.caPem)
          : proto === "ws"
          ? connectWs(k, port, cred, creds.caPem)
          : connectBare(k, port, cred, creds.caPem),
      );
    }
    out.push(...await Promise.all(batch));
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      proto: { type: "string", default: "ws" },
      client: { type: "string", default: "lean" },
      port: { type: "string" },
      creds: { type: "string" },
      viewers: { type: "string", default: "4" },
      first: { type: "string", default: "0" },
      stalled: { type: "string", default: "0" },
      "deadline-s": { type: "string", default: "600" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.port || !values.creds) {
    console.log(USAGE);
    Deno.exit(values.help ? 0 : 2);
  }
  const port = Number(values.port);
  const proto = values.proto === "bare" ? "bare" : "ws";
  const stalledCount = Number(values.stalled);
  if (proto === "bare" && stalledCount > 0) throw new RangeError("Stalled viewers need --proto ws");
  setTimeout(() => {
    emit({ type: "error", message: `Deadline of ${values["deadline-s"]} s reached` });
    Deno.exit(3);
  }, Number(values["deadline-s"]) * 1000);
  const commands = new CommandReader(() => Deno.exit(0));
  const creds = await loadBenchCreds(values.creds);

  const viewers = await connectAll(
    proto,
    values.client === "lean" ? "lean" : "ws",
    port,
    creds,
    Number(values.first),
    Number(values.viewers),
  );
  const stalled: Deno.TlsConn[] = [];
  for (let i = 0; i < stalledCount; i++) {
    // Its own certificate, after the healthy ones, so the hub's logs tell them apart.
    const cred = viewerCred(creds, creds.viewers.length - 1 - i);
    stalled.push(await stalledViewer({ port, caPem: creds.caPem, cert: cred }));
  }
  emit({ type: "ready", viewers: viewers.length, stalled: stalled.length });

  const start = await commands.wait("start");
  const { measureFrom, measureTo, stopAt, stallUntil } = start as unknown as Record<
    string,
    number | undefined
  >;
  measure = { from: measureFrom!, to: measureTo! };
  const timers: ReturnType<typeof setTimeout>[] = [];
  let stalledClosedAt: number | null = null;
  if (stalled.length > 0 && stallUntil) {
    timers.push(setTimeout(() => {
      for (const c of stalled) c.close();
      stalled.length = 0;
      stalledClosedAt = Date.now();
    }, Math.max(0, stallUntil - Date.now())));
  }
  await new Promise((r) => setTimeout(r, Math.max(0, stopAt! - Date.now())));
  emit({
    type: "result",
    histogram: hist.toJSON(),
    slow,
    stalledClosedAt,
    viewers: viewers.map((v) => ({
      id: v.id,
      closed: v.closed,
      outOfOrder: v.outOfOrder,
      unstamped: v.unstamped,
      counts: Object.fromEntries(v.counts),
    })),
  });
  for (const t of timers) clearTimeout(t);
  for (const v of viewers) v.close();
  for (const c of stalled) c.close();
  Deno.exit(0);
}

if (import.meta.main) {
  main().catch((err) => {
    emit({ type: "error", message: err instanceof Error ? err.message : String(err) });
    Deno.exit(1);
  });
}
