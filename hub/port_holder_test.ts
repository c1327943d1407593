import assert from "node:assert/strict";
import { describeHolder, freePortAfter, portHolder } from "./port_holder.ts";

Deno.test("portHolder() finds this process listening on a port, and nothing on a free one", () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const holder = portHolder(port);
  assert.equal(holder?.pid, Deno.pid);
  assert.match(holder!.command, /deno/);
  const free = freePortAfter(port, "127.0.0.1");
  assert.ok(free !== null && free > port);
  assert.equal(portHolder(free), null);
});

Deno.test("describeHolder() recognizes a trustcam hub, or names the program", () => {
  assert.equal(
    describeHolder({ pid: 7, command: "/usr/bin/deno run -A main.ts --port 5000" }),
    "pid 7, another trustcam hub",
  );
  assert.equal(
    describeHolder({ pid: 8, command: "/usr/sbin/nginx -g daemon off;" }),
    "pid 8, nginx",
  );
  assert.equal(describeHolder({ pid: 9, command: "" }), "pid 9, unknown");
});
