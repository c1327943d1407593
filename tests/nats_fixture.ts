/**
 * A real nats-server with JetStream on 127.0.0.1 for the bus tests (Debian's package;
 * `.ci/run` installs it), started from a generated config on a free port with a temp store
 * dir and a monitoring port (`/connz?subs=1` shows what each connection subscribes to).
 * `stop()` and `restart()` keep the same ports, as the kill/restart tests need; `close()`
 * (or `await using`) stops it (SIGTERM, then SIGKILL) and removes the store.
 */
import { spawnCollecting, type Spawned } from "./spawn_fixture.ts";
import { waitFor } from "./wait_for.ts";

const NATS_SERVER = (() => {
  for (const path of ["/usr/sbin/nats-server", "/usr/bin/nats-server"]) {
    try {
      Deno.statSync(path);
      return path;
    } catch {
      // Not there: try the next, then the PATH.
    }
  }
  return "nats-server";
})();

/** How long a SIGTERM'd server gets to exit before SIGKILL. */
const TERM_GRACE_MS = 3000;

export interface NatsServerTls {
  certFile: string;
  keyFile: string;
  /** CAs client certificates must chain to. */
  caFile: string;
  /** `verify: true`: no client certificate, no connection. */
  verify: boolean;
}

export interface NatsServerOptions {
  tls?: NatsServerTls;
  /** One user every client must log in as. */
  user?: { name: string; password: string };
}

export interface NatsServer extends AsyncDisposable {
  readonly port: number;
  /** `nats://127.0.0.1:PORT`, or `tls://` with `tls` (the test server certificate has that IP). */
  readonly url: string;
  readonly running: boolean;
  /** The server's process id while it runs (the bench reads its CPU). */
  readonly pid: number | undefined;
  /** Stops the server: SIGKILL (default: it vanishes mid-stream) or SIGTERM. */
  stop(signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  /** Starts it again on the same port (stopping it first if it runs); JetStream's store stays. */
  restart(): Promise<void>;
  /** The subjects the client connection named `name` subscribes to now (from `/connz`). */
  subscriptionsOf(name: string): Promise<string[]>;
  /** Waits until the connection named `name` subscribes to exactly `subjects` (any order). */
  untilSubscriptions(name: string, subjects: string[], ms?: number): Promise<void>;
  /** Everything the server logged, all its runs. */
  output(): string;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 now (the server binds it a moment later). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_nats_" });
  let port = 0;
  let monitorPort = 0;
  let run: { spawned: Spawned; status: Promise<Deno.CommandStatus>; exited: boolean } | undefined;
  let logs = "";

  const launch = async (): Promise<boolean> => {
    const q = JSON.stringify;
    const conf = [
      `listen: "127.0.0.1:${port}"`,
      `http: "127.0.0.1:${monitorPort}"`,
      `jetstream { store_dir: ${q(`${dir}/store`)} }`,
      ...(options.tls
        ? [
          "tls {",
          `  cert_file: ${q(options.tls.certFile)}`,
          `  key_file: ${q(options.tls.keyFile)}`,
          `  ca_file: ${q(options.tls.caFile)}`,
          `  verify: ${options.tls.verify}`,
          "}",
        ]
        : []),
      ...(options.user
        ? [`authorization { user: ${q(options.user.name)}, password: ${q(options.user.password)} }`]
        : []),
    ].join("\n");
    await Deno.writeTextFile(`${dir}/nats.conf`, conf + "\n");
    const spawned = spawnCollecting(NATS_SERVER, ["-c", `${dir}/nats.conf`]);
    const r = { spawned, status: spawned.child.status, exited: false };
    r.status.then(() => r.exited = true);
    run = r;
    try {
      await waitFor(
        () => r.exited || /Server is ready/.test(spawned.output()),
        10_000,
        "nats-server to start",
      );
    } catch (err) {
      spawned.child.kill("SIGKILL");
      await r.status;
      await spawned.drained;
      run = undefined;
      throw err;
    }
    if (!r.exited) return true;
    await spawned.drained;
    logs += spawned.output();
    run = undefined;
    return false;
  };

  const stop = async (signal: "SIGKILL" | "SIGTERM") => {
    const r = run;
    if (!r) return;
    run = undefined;
    if (!r.exited) r.spawned.child.kill(signal);
    const timer = signal === "SIGTERM"
      ? setTimeout(() => r.exited || r.spawned.child.kill("SIGKILL"), TERM_GRACE_MS)
      : undefined;
    await r.status;
    clearTimeout(timer);
    await r.spawned.drained;
    logs += r.spawned.output();
  };

  // Another process may take a free port before the server binds it: try others.
  for (let i = 0; i < 5 && !run; i++) {
    port = freePort();
    monitorPort = freePort();
    await launch();
  }
  if (!run) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(`nats-server did not start:\n${logs}`);
  }

  const server: NatsServer = {
    get port() {
      return port;
    },
    get url() {
      return `${options.tls ? "tls" : "nats"}://127.0.0.1:${port}`;
    },
    get running() {
      return run !== undefined && !run.exited;
    },
    get pid() {
      return run?.spawned.child.pid;
    },
    stop: (signal = "SIGKILL") => stop(signal),
    async restart() {
      await stop("SIGTERM");
      // A killed server's port may linger a moment in the kernel: retry until it binds.
      const end = Date.now() + 5000;
      while (!await launch()) {
        if (Date.now() > end) throw new Error(`nats-server did not restart:\n${logs}`);
      }
    },
    async subscriptionsOf(name) {
      const res = await fetch(`http://127.0.0.1:${monitorPort}/connz?subs=1`);
      const body = await res.json() as {
        connections?: Array<{ name?: string; subscriptions_list?: string[] }>;
      };
      const subs = (body.connections ?? [])
        .filter((c) => c.name === name)
        .flatMap((c) => c.subscriptions_list ?? []);
      return subs.sort();
    },
    async untilSubscriptions(name, subjects, ms = 5000) {
      const want = JSON.stringify([...subjects].sort());
      const end = Date.now() + ms;
      let got: string[] = [];
      while (JSON.stringify(got = await this.subscriptionsOf(name)) !== want) {
        if (Date.now() > end) {
          throw new Error(
            `Timed out after ${ms} ms waiting for ${name} to subscribe to ${want}: ${
              JSON.stringify(got)
            }`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    output: () => logs + (run?.spawned.output() ?? ""),
    async close() {
      await stop("SIGTERM");
      await Deno.remove(dir, { recursive: true });
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  return server;
}
