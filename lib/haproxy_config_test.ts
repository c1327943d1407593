import assert from "node:assert/strict";
import { haproxyConfig } from "./haproxy_config.ts";

const backends = [
  { name: "hub1", host: "127.0.0.1", port: 5001 },
  { name: "hub2", host: "::1", port: 5002 },
];

Deno.test("haproxyConfig() passes TCP through to every hub in turn", () => {
  const conf = haproxyConfig({ bind: { host: "0.0.0.0", port: 5000 }, backends });
  const lines = conf.split("\n");
  assert.ok(lines.includes("  mode tcp"));
  assert.ok(lines.includes("  bind 0.0.0.0:5000"));
  assert.ok(lines.includes("  balance roundrobin"));
  assert.ok(lines.includes("  server hub1 127.0.0.1:5001"));
  assert.ok(lines.includes("  server hub2 [::1]:5002"));
  assert.ok(lines.includes("  option redispatch"));
  assert.ok(!conf.includes("mode http"));
  assert.ok(!conf.includes("maxconn"));
});

Deno.test("haproxyConfig() adds checks, a monitor port and maxconn when asked", () => {
  const conf = haproxyConfig({
    bind: { host: "127.0.0.1", port: 5000 },
    backends,
    balance: "leastconn",
    checkMs: 1000,
    monitor: { host: "127.0.0.1", port: 5100 },
    maxConnections: 4000,
  });
  const lines = conf.split("\n");
  assert.ok(lines.includes("  balance leastconn"));
  assert.ok(lines.includes("  server hub1 127.0.0.1:5001 check inter 1000ms"));
  assert.ok(lines.includes("  bind 127.0.0.1:5100"));
  assert.ok(lines.includes("  monitor-uri /ready"));
  assert.ok(lines.includes("  maxconn 4000"));
});

Deno.test("haproxyConfig() rejects no backend, a bad port and a bad name", () => {
  const bind = { host: "127.0.0.1", port: 5000 };
  assert.throws(() => haproxyConfig({ bind, backends: [] }), {
    name: "RangeError",
    message: "No backend: HAProxy needs at least one hub",
  });
  assert.throws(
    () => haproxyConfig({ bind: { host: "127.0.0.1", port: 0 }, backends }),
    { name: "RangeError", message: 'Invalid bind port: "0": must be an integer from 1 to 65535' },
  );
  assert.throws(
    () => haproxyConfig({ bind, backends: [{ name: "a b", host: "127.0.0.1", port: 1 }] }),
    { name: "RangeError", message: 'Invalid backend name: "a b": use letters, digits, _ and -' },
  );
});
