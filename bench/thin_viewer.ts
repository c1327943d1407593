/**
 * One viewer of the thin-link bench (bench/thin_scenario.ts): a wall of every bench camera on
 * one real mTLS WebSocket (`ws`), asked for with the given stream options in its URL. It counts
 * the bytes and frames it receives and their camera-to-viewer latency (the cameras' COM stamp,
 * which reduced frames keep) for the frames stamped within the window, and the widths seen.
 *
 * Protocol (bench/child_io.ts): `ready` once the hub acknowledged the subscription, then
 * `start` {measureFrom, measureTo} (ms since the epoch); `result` after measureTo plus a
 * second for the last frames; a closed stdin ends it.
 */
// @ts-types="@types/ws"
import WebSocket from "ws";
import { parseArgs } from "node:util";
import { parseViewerFrame } from "../lib/trailer.ts";
import { readStamp } from "../lib/jpeg_com.ts";
import { checkJpegStructure } from "../lib/jpeg_structure.ts";
import { benchSerial, loadBenchCreds, viewerCred } from "./bench_pki.ts";
import { CommandReader, emit, sleepUntil } from "./child_io.ts";
import { LatencyHistogram } from "./latency_histogram.ts";

const USAGE = `Usage: deno run -A bench/thin_viewer.ts --port N --creds FILE [options]

  --port N        hub port on 127.0.0.1
  --creds FILE    credentials JSON written by the orchestrator (bench/bench_pki.ts)
  --cameras D     bench cameras to watch, from the first (default 16)
  --viewer I      which viewer certificate (default 0)
  --size S        full (default) or tile
  --max-fps F     the maxFps asked for (default: none)
  -h, --help      show this help`;

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    creds: { type: "string" },
    cameras: { type: "string", default: "16" },
    viewer: { type: "string", default: "0" },
    size: { type: "string", default: "full" },
    "max-fps": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help || !values.port || !values.creds) {
  console.log(USAGE);
  Deno.exit(values.help ? 0 : 2);
}

const creds = await loadBenchCreds(values.creds);
const cred = viewerCred(creds, Number(values.viewer));
const serials = Array.from({ length: Number(values.cameras) }, (_, i) => benchSerial(i));
const query = new URLSearchParams({ cameras: serials.join(",") });
if (values.size !== "full") query.set("size", values.size);
if (values["max-fps"]) query.set("maxFps", values["max-fps"]);

const hist = new LatencyHistogram();
let window: { from: number; to: number } | null = null;
let bytes = 0;
let frames = 0;
const widths = new Map<number, number>();

const ws = new WebSocket(`wss://127.0.0.1:${values.port}/ws?${query}`, {
  cert: cred.chainPem,
  key: cred.keyPem,
  ca: creds.caPem,
  perMessageDeflate: false,
});
const reader = new CommandReader(() => {
  ws.terminate();
  Deno.exit(0);
});
ws.on("error", (err: Error) => {
  emit({ type: "error", message: err.message });
  Deno.exit(1);
});
ws.on("message", (data: Uint8Array, isBinary: boolean) => {
  const now = Date.now();
  if (!isBinary) {
    const msg = JSON.parse(new TextDecoder().decode(data));
    if (msg.type === "subscribed") emit({ type: "ready", streams: msg.streams ?? null });
    if (msg.type === "error") emit({ type: "error", message: msg.message });
    return;
  }
  const { jpeg } = parseViewerFrame(data);
  const stamp = readStamp(jpeg);
  if (!window || !stamp || stamp.t < window.from || stamp.t >= window.to) return;
  bytes += data.byteLength;
  frames++;
  hist.add(now - stamp.t);
  // Every 16th frame's width: enough to see what size arrived, cheap on the reader.
  if (frames % 16 === 1) {
    const check = checkJpegStructure(jpeg, 4096);
    const w = check.ok ? check.info.width : -1;
    widths.set(w, (widths.get(w) ?? 0) + 1);
  }
});

const start = await reader.wait("start");
window = { from: Number(start.measureFrom), to: Number(start.measureTo) };
await sleepUntil(window.to + 1000);
const seconds = (window.to - window.from) / 1000;
emit({
  type: "result",
  bytesPerSec: Math.round(bytes / seconds),
  framesPerSec: Math.round((frames / seconds) * 10) / 10,
  p50Ms: hist.quantile(0.5),
  p99Ms: hist.quantile(0.99),
  widths: Object.fromEntries(widths),
});
