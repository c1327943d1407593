/**
 * What the relay's fan-out costs per published frame, with 16 cameras and 64 viewers:
 * (a) each viewer watches 1 camera (4 viewers per camera), (b) each watches all 16.
 *
 * It drives the Relay in this process through stand-in sockets: a device socket emits
 * `message` events, a viewer socket counts what `send` is given and completes each write
 * after the frame's fan-out (as a socket that keeps up would). So the figures are the relay's
 * own work (frame check, trailer, bus, per-viewer path, write callbacks), without TLS, which
 * costs the same per delivered frame whatever the relay does. CPU time is the process's
 * (user + system) while the frames are published, the median over repetitions, each in a fresh
 * process; the relay code is loaded from `--root` and, with `--base`, from a second tree too
 * (another checkout of the project), the two alternating so both see the same machine.
 *
 *   deno run -A [--v8-flags=--expose-gc] bench/fanout_bench.ts [--base DIR] [--root DIR]
 *     [--reps 9] [--frames 4800] [--frame-bytes 60000] [--only one|all] [--json FILE]
 */
import { EventEmitter } from "node:events";
import process from "node:process";
import { parseArgs } from "node:util";
import { fakeJpeg } from "../harness/fake_jpeg.ts";

const CAMERAS = 16;
const VIEWERS = 64;

interface Args {
  root: string;
  base?: string;
  reps: number;
  frames: number;
  frameBytes: number;
  scenarios: ("one" | "all")[];
  json?: string;
  /** Internal: measure one tree and scenario in this process, print the JSON. */
  child: boolean;
}

// deno-lint-ignore no-explicit-any
type Any = any;

/** The modules of one tree that the bench drives, loaded at run time. */
interface Tree {
  label: string;
  Relay: Any;
  InProcessBus: Any;
  Registry: Any;
  createHubMetrics: () => unknown;
}

async function loadTree(label: string, dir: string): Promise<Tree> {
  const url = (p: string) => new URL(p, `file://${Deno.realPathSync(dir)}/`).href;
  const [relay, bus, registry, metrics] = await Promise.all([
    import(url("hub/relay.ts")),
    import(url("lib/bus.ts")),
    import(url("lib/registry.ts")),
    import(url("hub/hub_metrics.ts")),
  ]);
  return {
    label,
    Relay: relay.Relay,
    InProcessBus: bus.InProcessBus,
    Registry: registry.Registry,
    createHubMetrics: metrics.createHubMetrics,
  };
}

/** Write callbacks of every viewer socket, completed after each frame's fan-out. */
const pendingWrites: ((err?: Error) => void)[] = [];

/** Just enough of a `ws` WebSocket for the relay. */
class StandInSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  binarySent = 0;

  send(data: unknown, opts?: unknown, cb?: (err?: Error) => void): void {
    if (typeof data !== "string") this.binarySent++;
    if (typeof opts === "function") cb = opts as (err?: Error) => void;
    if (cb) pendingWrites.push(cb);
  }
  ping(): void {}
  close(code?: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.emit("close", code ?? 1000, new Uint8Array()));
  }
  terminate(): void {
    this.close(1006);
  }
}

function serialOf(i: number): string {
  return `0123${i.toString(16).toUpperCase().padStart(14, "0")}`;
}

/** A well-formed JPEG of exactly `n` bytes. */
function jpegOf(n: number): Uint8Array {
  return fakeJpeg(n - 4);
}

function peer(role: "device" | "viewer", cn: string, i: number) {
  return {
    role,
    cn,
    fingerprint256: i.toString(16).padStart(64, "0"),
    serialNumber: i.toString(16),
    remoteAddress: `127.0.0.1:${10000 + i}`,
  };
}

interface Measure {
  tree: string;
  scenario: "one" | "all";
  usPerFrame: number;
  framesPerSec: number;
  deliveriesPerFrame: number;
  handlerCallsPerFrame: number;
}

/** Builds a relay with 16 devices and 64 viewers; returns a function that publishes frames. */
function setup(tree: Tree, scenario: "one" | "all", frameBytes: number) {
  const bus = new tree.InProcessBus();
  let handlerCalls = 0;
  const subscribe = bus.subscribe.bind(bus);
  // Counts the frame handlers the bus runs per frame (one increment: negligible next to them).
  bus.subscribe = (serial: string, h: { frame?: (f: unknown) => void }) =>
    subscribe(serial, {
      ...h,
      frame: h.frame && ((f: unknown) => {
        handlerCalls++;
        h.frame!(f);
      }),
    });
  const relay = new tree.Relay({
    registry: new tree.Registry(),
    bus,
    metrics: tree.createHubMetrics(),
    log: () => {},
    isSerial: (s: string) => /^0123[0-9A-F]{14}$/i.test(s),
    canSee: () => true,
    maxFrameBytes: 2 * 1024 * 1024,
    viewerBufferBytes: 1024 * 1024,
    // Fan-out work, not the device limit: frames are pumped far faster than a camera's rate.
    maxFps: 1e9,
  });
  const devices: StandInSocket[] = [];
  for (let c = 0; c < CAMERAS; c++) {
    const ws = new StandInSocket();
    relay.attachDevice(ws, peer("device", serialOf(c), c));
    devices.push(ws);
  }
  const viewers: StandInSocket[] = [];
  for (let v = 0; v < VIEWERS; v++) {
    const ws = new StandInSocket();
    const query = scenario === "one" ? `?cameras=${serialOf(v % CAMERAS)}` : "";
    relay.attachViewer(
      ws,
      peer("viewer", `viewer-${v}`, 1000 + v),
      new URL(`https://h/ws${query}`),
    );
    viewers.push(ws);
  }
  const jpeg = jpegOf(frameBytes);
  const publish = (n: number) => {
    for (let i = 0; i < n; i++) {
      devices[i % CAMERAS].emit("message", jpeg, true);
      for (let w = 0; w < pendingWrites.length; w++) pendingWrites[w]();
      pendingWrites.length = 0;
    }
  };
  const delivered = () => viewers.reduce((n, v) => n + v.binarySent, 0);
  return {
    publish,
    delivered,
    handlerCalls: () => handlerCalls,
    close: () => relay.closeAll(100),
  };
}

async function measure(
  tree: Tree,
  scenario: "one" | "all",
  args: Args,
): Promise<Measure> {
  const run = setup(tree, scenario, args.frameBytes);
  run.publish(CAMERAS * 300); // warm-up: JIT tiers, metric children, first subscriptions
  // With --v8-flags=--expose-gc, start each run from a collected heap.
  (globalThis as { gc?: () => void }).gc?.();
  const d0 = run.delivered();
  const h0 = run.handlerCalls();
  const c0 = process.cpuUsage();
  run.publish(args.frames);
  const cpu = process.cpuUsage(c0);
  const deliveries = run.delivered() - d0;
  const calls = run.handlerCalls() - h0;
  await run.close();
  const us = (cpu.user + cpu.system) / args.frames;
  return {
    tree: tree.label,
    scenario,
    usPerFrame: us,
    framesPerSec: 1e6 / us,
    deliveriesPerFrame: deliveries / args.frames,
    handlerCallsPerFrame: calls / args.frames,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function parse(): Args {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      root: { type: "string", default: new URL("..", import.meta.url).pathname },
      base: { type: "string" },
      reps: { type: "string", default: "9" },
      frames: { type: "string", default: String(CAMERAS * 300) },
      "frame-bytes": { type: "string", default: "60000" },
      only: { type: "string" },
      json: { type: "string" },
      child: { type: "boolean", default: false },
    },
  });
  const num = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      throw new Error(`Invalid --${name}: "${v}": must be an integer >= ${min}`);
    }
    return n;
  };
  return {
    root: values.root!,
    base: values.base,
    reps: num("reps", values.reps!, 1),
    frames: num("frames", values.frames!, 1),
    frameBytes: num("frame-bytes", values["frame-bytes"]!, 4),
    scenarios: scenarios(values.only),
    json: values.json,
    child: values.child!,
  };
}

function scenarios(only: string | undefined): ("one" | "all")[] {
  if (only === undefined) return ["one", "all"];
  if (only === "one" || only === "all") return [only];
  throw new Error(`Invalid --only: "${only}": must be "one" or "all"`);
}

/**
 * One measurement in a fresh process: two relays in one process share the stand-in sockets'
 * call sites, which then see both and slow both down (measured: ~50% per frame).
 */
async function measureInChild(
  label: string,
  dir: string,
  scenario: "one" | "all",
  args: Args,
): Promise<Measure> {
  const gc = (globalThis as { gc?: unknown }).gc ? ["--v8-flags=--expose-gc"] : [];
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...gc,
      new URL(import.meta.url).pathname,
      "--child",
      "--root",
      dir,
      "--only",
      scenario,
      "--frames",
      String(args.frames),
      "--frame-bytes",
      String(args.frameBytes),
    ],
    stdin: "null",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`Measurement of ${label} (${scenario}) failed`);
  return { ...JSON.parse(new TextDecoder().decode(out.stdout)), tree: label };
}

async function main() {
  const args = parse();
  if (args.child) {
    const m = await measure(await loadTree("child", args.root), args.scenarios[0], args);
    console.log(JSON.stringify(m));
    return;
  }
  const trees = [{ label: "this tree", dir: args.root }];
  if (args.base) trees.unshift({ label: "base", dir: args.base });
  const results: Measure[] = [];
  for (let r = 0; r < args.reps; r++) {
    // Alternate the order, so neither tree always runs first.
    const order = r % 2 ? [...trees].reverse() : trees;
    for (const tree of order) {
      for (const scenario of args.scenarios) {
        results.push(await measureInChild(tree.label, tree.dir, scenario, args));
      }
    }
  }
  const rows = [];
  for (const scenario of args.scenarios) {
    for (const tree of trees) {
      const ms = results.filter((m) => m.tree === tree.label && m.scenario === scenario);
      rows.push({
        scenario: scenario === "one" ? "(a) 64 viewers x 1 camera" : "(b) 64 viewers x 16 cameras",
        tree: tree.label,
        usPerFrame: median(ms.map((m) => m.usPerFrame)),
        minUs: Math.min(...ms.map((m) => m.usPerFrame)),
        maxUs: Math.max(...ms.map((m) => m.usPerFrame)),
        framesPerSec: median(ms.map((m) => m.framesPerSec)),
        deliveriesPerFrame: ms[0].deliveriesPerFrame,
        handlerCallsPerFrame: ms[0].handlerCallsPerFrame,
      });
    }
  }
  console.log(
    `fan-out: ${CAMERAS} cameras, ${VIEWERS} viewers, ${args.frames} frames of ` +
      `${args.frameBytes} bytes per run, ${args.reps} runs per cell (median, min-max)`,
  );
  for (const r of rows) {
    console.log(
      `${r.scenario.padEnd(28)} ${r.tree.padEnd(10)} ${r.usPerFrame.toFixed(1).padStart(7)} µs ` +
        `(${r.minUs.toFixed(1)}-${r.maxUs.toFixed(1)}) per published frame, ` +
        `${Math.round(r.framesPerSec)} frames/s, ${r.deliveriesPerFrame} deliveries and ` +
        `${r.handlerCallsPerFrame} bus frame handlers per frame`,
    );
  }
  if (args.base) {
    for (const s of ["(a)", "(b)"]) {
      const [b, t] = rows.filter((r) => r.scenario.startsWith(s));
      if (!t) continue;
      console.log(`${s} this tree / base: ${(t.usPerFrame / b.usPerFrame).toFixed(2)}x CPU`);
    }
  }
  if (args.json) {
    await Deno.writeTextFile(
      args.json,
      JSON.stringify({ args, rows, runs: results }, null, 2) + "\n",
    );
  }
}

if (import.meta.main) await main();
