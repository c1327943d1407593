import assert from "node:assert/strict";
import { StreamRegistry } from "./stream_registry.ts";
import type { Peer } from "./peer.ts";

const peer = (cn: string): Peer => ({
  role: "viewer",
  cn,
  fingerprint256: cn,
  serialNumber: "01",
  remoteAddress: "127.0.0.1:1",
});
const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

Deno.test("StreamRegistry.enforce() ends exactly the streams no longer allowed, once", () => {
  const streams = new StreamRegistry();
  const ended: string[] = [];
  const open = (cn: string, serial: string) =>
    streams.open({ peer: peer(cn), serial, end: (why) => ended.push(`${cn}/${serial}: ${why}`) });
  open("alice", A);
  open("alice", B);
  const closeBob = open("bob", A);
  assert.equal(streams.size, 3);
  const cut = streams.enforce((p, serial) => !(p.cn === "alice" && serial === B), "policy");
  assert.deepEqual(cut.map((s) => s.serial), [B]);
  assert.deepEqual(ended, [`alice/${B}: policy`]);
  assert.equal(streams.size, 2);
  streams.enforce((p) => p.cn !== "bob", "revoked");
  assert.deepEqual(ended, [`alice/${B}: policy`, `bob/${A}: revoked`]);
  closeBob(); // the stream's own cleanup after it was ended: harmless
  assert.equal(streams.size, 1);
  assert.deepEqual(streams.enforce(() => true, "noop"), []);
});

Deno.test("StreamRegistry.open() returns the unregister function", () => {
  const streams = new StreamRegistry();
  const close = streams.open({ peer: peer("alice"), serial: A, end: () => {} });
  close();
  assert.equal(streams.size, 0);
  assert.deepEqual(streams.enforce(() => false, "revoked"), []);
});
