/**
 * The watchdog against a real listening socket that never accepts (a Deno listener nobody
 * calls accept() on: the kernel still completes the probes' connects and queues them). What
 * it would re-open is a node:net server that cannot get that port, so a verdict shows as one
 * restart counted and a "restart_failed" line.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { createHubMetrics } from "./hub_metrics.ts";
import { ListenerWatchdog } from "./listener_watchdog.ts";

const TICK_MS = 100;

function stuckListener(options: {
  acceptGraceMs: number;
  calmAcceptGraceMs: number;
  pressureMemoryMs?: number;
}) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const metrics = createHubMetrics();
  const lines: string[] = [];
  const server = net.createServer();
  const watchdog = new ListenerWatchdog({
    server,
    host: "127.0.0.1",
    port: () => port,
    metrics,
    log: (event, fields) => lines.push(`${event} ${JSON.stringify(fields)}`),
    tickMs: TICK_MS,
    ...options,
  });
  let refused = 0;
  return {
    lines,
    restarts: () => metrics.listenerRestarts.get(),
    /** A connection closed at the gate, as a flood leaves them. */
    refuse: () => refused++,
    /** Ticks (with nothing ever accepted) for `ms`, or until `until()` holds. */
    async tickFor(ms: number, until = () => false) {
      const end = performance.now() + ms;
      while (performance.now() < end && !until()) {
        watchdog.tick(0, refused);
        await new Promise((r) => setTimeout(r, TICK_MS));
      }
    },
    async [Symbol.asyncDispose]() {
      watchdog.close();
      listener.close();
      if (server.listening) await new Promise((r) => server.close(r));
      // The probes' sockets finish closing.
      await new Promise((r) => setTimeout(r, 50));
    },
  };
}

Deno.test("watchdog: a listener slow to accept is not re-opened when nothing was refused lately", async () => {
  await using t = stuckListener({ acceptGraceMs: 150, calmAcceptGraceMs: 4000 });
  // Far beyond the flood grace (and the 1.5 s default), within the calm one: a starved loop,
  // not a dead listener.
  await t.tickFor(2500);
  assert.equal(t.restarts(), 0, t.lines.join("\n"));
  // Still nothing accepted well past the calm grace: now it counts as gone.
  await t.tickFor(10_000, () => t.restarts() > 0);
  assert.equal(t.restarts(), 1);
  assert.match(t.lines.join("\n"), /listener .*"state":"restart_failed","reason":"not_accepting"/);
});

Deno.test("watchdog: after refusals at the gate, a listener that accepts nothing is re-opened quickly", async () => {
  await using t = stuckListener({ acceptGraceMs: 150, calmAcceptGraceMs: 60_000 });
  t.refuse();
  await t.tickFor(10_000, () => t.restarts() > 0);
  assert.equal(t.restarts(), 1, t.lines.join("\n"));
  assert.match(t.lines.join("\n"), /"reason":"not_accepting"/);
});

Deno.test("watchdog: a refusal stops counting as recent after pressureMemoryMs", async () => {
  await using t = stuckListener({
    acceptGraceMs: 150,
    calmAcceptGraceMs: 60_000,
    pressureMemoryMs: 300,
  });
  t.refuse();
  // One tick notes the refusal before any probe is out; the rest outlive its memory.
  await t.tickFor(TICK_MS);
  await new Promise((r) => setTimeout(r, 400));
  await t.tickFor(1500);
  assert.equal(t.restarts(), 0, t.lines.join("\n"));
});
