/**
 * A real HAProxy in TCP mode on 127.0.0.1 in front of hubs (Debian's package; `.ci/run`
 * installs it), from a generated config (lib/haproxy_config.ts) on a free port. Readiness is
 * asked on a monitor port, so no probe connection reaches a hub and the round robin's order
 * stays the tests' own. `close()` (or `await using`) stops it and removes its dir.
 */
import { haproxyConfig, type HaproxyConfigOptions } from "../lib/haproxy_config.ts";
import { spawnCollecting, type Spawned } from "./spawn_fixture.ts";
import { waitFor } from "./wait_for.ts";

const HAPROXY = (() => {
  for (const path of ["/usr/sbin/haproxy", "/usr/bin/haproxy"]) {
    try {
      Deno.statSync(path);
      return path;
    } catch {
      // Not there: try the next, then the PATH.
    }
  }
  return "haproxy";
})();

/** How long a SIGTERM'd HAProxy gets to exit before SIGKILL. */
const TERM_GRACE_MS = 3000;

export interface Haproxy extends AsyncDisposable {
  /** The balancer's port, where clients connect. */
  readonly port: number;
  /** `wss://127.0.0.1:PORT/ws`: the hubs' endpoint through the balancer. */
  readonly wsUrl: string;
  /** Everything HAProxy logged. */
  output(): string;
  close(): Promise<void>;
}

export type HaproxyFixtureOptions = Pick<HaproxyConfigOptions, "balance" | "checkMs">;

/** A free TCP port on 127.0.0.1 now (HAProxy binds it a moment later). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function ready(monitorPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitorPort}/ready`);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** HAProxy in front of the hubs listening on 127.0.0.1 at `hubPorts`, in that order. */
export async function startHaproxy(
  hubPorts: number[],
  options: HaproxyFixtureOptions = {},
): Promise<Haproxy> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_haproxy_" });
  const backends = hubPorts.map((port, i) => ({ name: `hub${i + 1}`, host: "127.0.0.1", port }));
  let logs = "";
  let run: { spawned: Spawned; status: Promise<Deno.CommandStatus>; exited: boolean } | undefined;
  let port = 0;

  // Another process may take a free port before HAProxy binds it: try others.
  for (let i = 0; i < 5 && !run; i++) {
    port = freePort();
    const monitorPort = freePort();
    const conf = haproxyConfig({
      bind: { host: "127.0.0.1", port },
      backends,
      monitor: { host: "127.0.0.1", port: monitorPort },
      ...options,
    });
    await Deno.writeTextFile(`${dir}/haproxy.cfg`, conf);
    // -db: stay in the foreground, logging to stderr.
    const spawned = spawnCollecting(HAPROXY, ["-db", "-f", `${dir}/haproxy.cfg`]);
    const r = { spawned, status: spawned.child.status, exited: false };
    r.status.then(() => r.exited = true);
    const deadline = Date.now() + 10_000;
    while (!r.exited && !await ready(monitorPort)) {
      if (Date.now() > deadline) {
        spawned.child.kill("SIGKILL");
        break;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
    if (r.exited || Date.now() > deadline) {
      await r.status;
      await spawned.drained;
      logs += spawned.output();
      continue;
    }
    run = r;
  }
  if (!run) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(`haproxy did not start:\n${logs}`);
  }

  const close = async () => {
    const r = run;
    if (!r) return;
    run = undefined;
    if (!r.exited) r.spawned.child.kill("SIGTERM");
    const timer = setTimeout(() => r.exited || r.spawned.child.kill("SIGKILL"), TERM_GRACE_MS);
    await r.status;
    clearTimeout(timer);
    await r.spawned.drained;
    logs += r.spawned.output();
    await Deno.remove(dir, { recursive: true });
  };

  return {
    port,
    wsUrl: `wss://127.0.0.1:${port}/ws`,
    output: () => logs + (run?.spawned.output() ?? ""),
    close,
    [Symbol.asyncDispose]: close,
  };
}

export { waitFor };
