import assert from "node:assert/strict";
import { addressKey, Admission, type Ticket } from "./admission.ts";

function admitted(verdict: Ticket | string): Ticket {
  assert.equal(typeof verdict, "object", `admitted, not refused (${verdict})`);
  return verdict as Ticket;
}

Deno.test("Admission.admit() refuses a connection over the total cap", () => {
  const a = new Admission({ maxConnections: 3, maxHandshakesPerAddress: 0 });
  const tickets = ["1.1.1.1", "2.2.2.2", "3.3.3.3"].map((k) => admitted(a.admit(k)));
  assert.equal(a.open, 3);
  assert.equal(a.admit("4.4.4.4"), "too_many_connections");
  tickets[0].release();
  assert.equal(a.open, 2);
  admitted(a.admit("4.4.4.4"));
});

Deno.test("Admission.admit() refuses an address's handshakes over its cap and not others'", () => {
  const a = new Admission({ maxConnections: 100, maxHandshakesPerAddress: 2 });
  const [t1] = [admitted(a.admit("9.9.9.9")), admitted(a.admit("9.9.9.9"))];
  assert.equal(a.admit("9.9.9.9"), "too_many_handshakes");
  admitted(a.admit("8.8.8.8"));
  assert.equal(a.pendingFrom("9.9.9.9"), 2);
  assert.equal(a.pendingAddresses, 2);
  // A finished handshake frees its address's slot but still counts as open.
  t1.settle();
  assert.equal(a.pendingFrom("9.9.9.9"), 1);
  assert.equal(a.open, 3);
  admitted(a.admit("9.9.9.9"));
  assert.equal(a.admit("9.9.9.9"), "too_many_handshakes");
});

Deno.test("Admission tickets settle and release once, whatever the order and repetition", () => {
  const a = new Admission({ maxConnections: 10, maxHandshakesPerAddress: 5 });
  const t = admitted(a.admit("k"));
  const u = admitted(a.admit("k"));
  t.settle();
  t.settle();
  t.release();
  t.release();
  assert.equal(a.open, 1);
  assert.equal(a.pendingFrom("k"), 1);
  u.release();
  u.settle();
  assert.equal(a.open, 0);
  assert.equal(a.pendingFrom("k"), 0);
  assert.equal(a.pendingAddresses, 0, "no empty bucket left behind");
});

Deno.test("Admission.admit() names the per-address refusal first when both caps are reached", () => {
  const a = new Admission({ maxConnections: 2, maxHandshakesPerAddress: 2 });
  admitted(a.admit("x"));
  admitted(a.admit("x"));
  assert.equal(a.admit("x"), "too_many_handshakes");
  assert.equal(a.admit("y"), "too_many_connections");
});

Deno.test("addressKey() keeps IPv4, unmaps IPv4-mapped IPv6 and groups IPv6 by /64", () => {
  assert.equal(addressKey("203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("::ffff:203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("::FFFF:127.0.0.1"), "127.0.0.1");
  assert.equal(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:0db8:0001:0002:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(addressKey("::1"), "0:0:0:0::/64");
  assert.equal(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
  assert.equal(addressKey("64:ff9b::192.0.2.1"), "64:ff9b:0:0::/64");
});

Deno.test("addressKey() gives absent and malformed addresses a bucket of their own", () => {
  assert.equal(addressKey(undefined), "unknown");
  assert.equal(addressKey(""), "unknown");
  assert.equal(addressKey("1::2::3"), "1::2::3");
  assert.equal(addressKey("zz::1"), "zz::1");
  assert.equal(addressKey("1:2:3"), "1:2:3");
});
