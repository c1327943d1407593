/**
 * `deno task cluster`: the one-command cluster demo of issue 13. A nats-server with JetStream
 * (temp store), hubs on the demo's dev certificates joined by it, HAProxy in TCP mode in front
 * of them on one port (TLS and client certificates end at the hubs), and simulated cameras
 * against the balancer. Ctrl-C stops everything it started.
 */
import { join } from "node:path";
import { parseOrExit } from "../lib/usage_error.ts";
import { flagInteger } from "../lib/flag_integer.ts";
import { parseFlags } from "../lib/parse_flags.ts";
import { haproxyConfig } from "../lib/haproxy_config.ts";
import { runCameras } from "../sim/run_cameras.ts";
import { demoLines, prepareDemo } from "../main.ts";

export const USAGE = `Usage: deno task cluster [options]

Runs a trustcam cluster on this machine: nats-server (JetStream, temp store), N hubs joined
by it, HAProxy in TCP mode in front of them on one port, and simulated cameras connecting
through HAProxy. TLS and client certificates end at the hubs; HAProxy only passes bytes.
Kill one hub (its pid is printed) to watch its cameras move to another. Recording and motion
analysis are off on these hubs.

Options:
  --port N        the balancer's port, for browsers and cameras (default 5000)
  --host ADDR     address the balancer binds (default 0.0.0.0; hubs bind 127.0.0.1)
  --hubs N        number of hubs, 1 to 9 (default 3)
  --cameras N     simulated cameras, 0 to 100 (default 4)
  --fps F         frames per second per camera, 1 to 30 (default 5)
  --certs DIR     certificates directory (default certs, where a dev PKI is made when empty)
  --init-certs    make a dev PKI in another --certs directory too (as deno task start)
  --data DIR      hubs' data, one folder per hub (default data/cluster)
  -h, --help      show this help

Needs nats-server and haproxy (Debian/Ubuntu: sudo apt-get install nats-server haproxy).
Stop with Ctrl-C (SIGINT) or SIGTERM: every process it started is stopped.`;

export interface ClusterOptions {
  port: number;
  host: string;
  hubs: number;
  cameras: number;
  fps: number;
  certs: string;
  initCerts: boolean;
  data: string;
}

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  hubs: { type: "string" },
  cameras: { type: "string" },
  fps: { type: "string" },
  certs: { type: "string" },
  "init-certs": { type: "boolean" },
  data: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses the command line; "help" for --help. Throws UsageError. */
export function parseClusterArgs(args: string[]): ClusterOptions | "help" {
  const values = parseFlags(args, FLAGS);
  if (values.help) return "help";
  return {
    port: flagInteger("port", values.port, 5000, 1, 65535),
    host: values.host ?? "0.0.0.0",
    hubs: flagInteger("hubs", values.hubs, 3, 1, 9),
    cameras: flagInteger("cameras", values.cameras, 4, 0, 100),
    fps: flagInteger("fps", values.fps, 5, 1, 30),
    certs: values.certs ?? "certs",
    initCerts: values["init-certs"] ?? false,
    data: values.data ?? "data/cluster",
  };
}

/** Where `name` is installed (Debian puts both servers in /usr/sbin, often not on PATH). */
export function findExecutable(name: string, path = Deno.env.get("PATH") ?? ""): string | null {
  const dirs = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", ...path.split(":")];
  for (const dir of dirs.filter(Boolean)) {
    try {
      if (Deno.statSync(join(dir, name)).isFile) return join(dir, name);
    } catch {
      // Not in this one.
    }
  }
  return null;
}

const INSTALL: Record<string, string> = {
  "nats-server": "sudo apt-get install nats-server (Debian/Ubuntu), brew install nats-server",
  haproxy: "sudo apt-get install haproxy (Debian/Ubuntu), brew install haproxy",
};

/** How long a child may take to be ready (a hub's first start type-checks nothing, but loads). */
const READY_MS = 60_000;
/** How long a stopping child is left to stop by itself (it may have had the Ctrl-C too). */
const SELF_STOP_MS = 1000;
/** How long a SIGTERM'd child gets before SIGKILL. */
const TERM_GRACE_MS = 5000;

interface Child {
  name: string;
  process: Deno.ChildProcess;
  output: string;
  exited: boolean;
  done: Promise<void>;
}

const ROOT = new URL("..", import.meta.url).pathname;

/** Starts a child, its output echoed line by line as `[name] line`. */
function spawn(name: string, command: string, args: string[], echo: (s: string) => void): Child {
  const process = new Deno.Command(command, {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const child: Child = { name, process, output: "", exited: false, done: Promise.resolve() };
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let partial = "";
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      child.output += text;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) echo(`[${name}] ${line}`);
    }
    if (partial) echo(`[${name}] ${partial}`);
  };
  child.done = Promise.all([pump(process.stdout), pump(process.stderr), process.status])
    .then(([, , status]) => {
      child.exited = true;
      echo(`[${name}] exited (${status.signal ?? status.code})`);
    });
  return child;
}

/**
 * Stops a child: Ctrl-C in a terminal reaches the whole process group, so it may be stopping
 * already; it gets a moment to, then SIGTERM, then SIGKILL.
 */
async function stopChild(c: Child): Promise<void> {
  await Promise.race([c.done, new Promise((r) => setTimeout(r, SELF_STOP_MS))]);
  if (!c.exited) {
    try {
      c.process.kill("SIGTERM");
    } catch {
      // It just exited.
    }
  }
  const timer = setTimeout(() => c.exited || c.process.kill("SIGKILL"), TERM_GRACE_MS);
  await c.done;
  clearTimeout(timer);
}

/** Waits for `ready()`, the child's exit or the abort; throws unless ready. */
async function until(c: Child, ready: () => boolean | Promise<boolean>, signal: AbortSignal) {
  const end = Date.now() + READY_MS;
  while (!await ready()) {
    if (signal.aborted) throw new Error("Stopped while starting");
    if (c.exited) throw new Error(`${c.name} exited while starting`);
    if (Date.now() > end) throw new Error(`${c.name} not ready after ${READY_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

export async function clusterMain(
  args: string[],
  opts: { signal: AbortSignal; log?: (line: string) => void },
): Promise<number> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const o = parseOrExit(() => parseClusterArgs(args), "cluster", USAGE, { log, fail: log });
  if (typeof o === "number") return o;
  const nats = findExecutable("nats-server");
  const haproxy = findExecutable("haproxy");
  for (const [name, found] of [["nats-server", nats], ["haproxy", haproxy]] as const) {
    if (!found) {
      log(
        `${name} not found (looked in /usr/sbin, /usr/bin and PATH): install it: ${INSTALL[name]}`,
      );
      return 1;
    }
  }

  const demo = await prepareDemo(
    { certsDir: o.certs, publicHosts: [], initCerts: o.initCerts },
    log,
  );
  const store = await Deno.makeTempDir({ prefix: "trustcam_cluster_" });
  const children: Child[] = [];
  const cameras = new AbortController();
  let running: Promise<number> | undefined;
  try {
    const natsPort = freePort();
    const natsMonitor = freePort();
    await Deno.writeTextFile(
      `${store}/nats.conf`,
      `listen: "127.0.0.1:${natsPort}"\nhttp: "127.0.0.1:${natsMonitor}"\n` +
        `jetstream { store_dir: ${JSON.stringify(`${store}/jetstream`)} }\n`,
    );
    const natsChild = spawn("nats", nats!, ["-c", `${store}/nats.conf`], log);
    children.push(natsChild);
    await until(natsChild, () => answers(`http://127.0.0.1:${natsMonitor}/healthz`), opts.signal);

    const hubPorts = Array.from({ length: o.hubs }, freePort);
    const hubs = hubPorts.map((port, i) =>
      spawn(`hub${i + 1}`, Deno.execPath(), [
        "run",
        "-A",
        join(ROOT, "main.ts"),
        ...["--host", "127.0.0.1", "--port", String(port)],
        ...["--certs", o.certs, "--data", join(o.data, `hub${i + 1}`)],
        ...["--bus", `nats://127.0.0.1:${natsPort}`],
        ...["--demo-cameras", "0", "--record", "off", "--motion", "off"],
      ], log)
    );
    children.push(...hubs);
    for (const h of hubs) {
      await until(h, () => h.output.includes("trustcam is running at"), opts.signal);
    }

    const monitor = freePort();
    await Deno.writeTextFile(
      `${store}/haproxy.cfg`,
      haproxyConfig({
        bind: { host: o.host, port: o.port },
        backends: hubPorts.map((port, i) => ({ name: `hub${i + 1}`, host: "127.0.0.1", port })),
        balance: "leastconn",
        checkMs: 1000,
        monitor: { host: "127.0.0.1", port: monitor },
      }),
    );
    const lb = spawn("haproxy", haproxy!, ["-db", "-f", `${store}/haproxy.cfg`], log);
    children.push(lb);
    await until(lb, () => answers(`http://127.0.0.1:${monitor}/ready`), opts.signal);

    if (o.cameras > 0) {
      running = runCameras({
        count: o.cameras,
        fps: o.fps,
        server: `wss://localhost:${o.port}/ws`,
        certsDir: o.certs,
        signal: cameras.signal,
        activity: { moveMs: 4000, stillMs: 26_000, stepMs: 7500 },
        log: (line) => log(`[cameras] ${line}`),
      });
    }
    const host = o.host === "0.0.0.0" || o.host === "::" ? "localhost" : o.host;
    log([
      "",
      `  trustcam cluster is running at https://${host}:${o.port}/`,
      `  HAProxy (TCP mode) on port ${o.port} in front of ${o.hubs} hub(s): ` +
      hubPorts.map((p, i) => `hub${i + 1} 127.0.0.1:${p}`).join(", "),
      `  NATS (JetStream): nats://127.0.0.1:${natsPort}`,
      `  Cameras connect to wss://<this host>:${o.port}/ws with a device certificate.`,
      `  Processes: ${children.map((c) => `${c.name} ${c.process.pid}`).join(", ")}`,
      `  Kill a hub (kill <pid>) to watch its cameras move to another hub.`,
      ...(demo ? demoLines(demo, o.certs) : []),
      "",
      "  Ctrl-C stops everything.",
      "",
    ].join("\n"));
    await new Promise<void>((resolve) => {
      if (opts.signal.aborted) return resolve();
      opts.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    return 0;
  } catch (err) {
    if (opts.signal.aborted) return 0;
    log(`Cluster did not start: ${(err as Error).message}`);
    return 1;
  } finally {
    log("Stopping the cluster");
    cameras.abort();
    await running;
    // The balancer first (no new connections), then the hubs, NATS last.
    const tiers = [["haproxy"], children.map((c) => c.name).filter((n) => n.startsWith("hub"))];
    for (const tier of [...tiers, ["nats"]]) {
      await Promise.all(children.filter((c) => tier.includes(c.name)).map(stopChild));
    }
    await Deno.remove(store, { recursive: true });
    log("Stopped");
  }
}

if (import.meta.main) {
  const ac = new AbortController();
  const stop = () => ac.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const code = await clusterMain(Deno.args, { signal: ac.signal });
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.exit(code);
}
