import assert from "node:assert/strict";
import {
  type Claim,
  ClaimBook,
  claimKey,
  decodeClaim,
  encodeClaim,
  serialOfClaimKey,
} from "./session_claims.ts";

const CAM = "0123A1B2C3D4E5F6A7";
const other = (session: string, since: number, restored = false): Claim => ({
  hub: "B",
  session,
  since,
  restored,
});

Deno.test("claimKey() keeps hex serials and round-trips the others", () => {
  assert.equal(claimKey(CAM), CAM);
  for (const serial of ["cam.1", "a b*>", "x=y", "é/ü", "-_"]) {
    const key = claimKey(serial);
    assert.match(key, /^[-_=a-zA-Z0-9]+$/);
    assert.equal(serialOfClaimKey(key), serial);
  }
  assert.equal(claimKey("cam.1"), "cam=002E1");
  assert.throws(() => claimKey(""), RangeError);
});

Deno.test("serialOfClaimKey() rejects keys no serial encodes to", () => {
  for (const key of ["", "a.b", "=2", "=00zz", "=0041"]) assert.equal(serialOfClaimKey(key), null);
});

Deno.test("decodeClaim() round-trips a claim and rejects other JSON", () => {
  const claim = { hub: "A", session: "s1", since: 5, restored: true };
  assert.deepEqual(decodeClaim(encodeClaim(claim)), claim);
  assert.deepEqual(decodeClaim(encodeClaim({ hub: "A", session: "s", since: 1 })), {
    hub: "A",
    session: "s",
    since: 1,
    restored: false,
  });
  assert.throws(() => decodeClaim(new TextEncoder().encode('{"hub":1}')), TypeError);
  assert.throws(() => decodeClaim(new TextEncoder().encode("nope")), SyntaxError);
});

Deno.test("ClaimBook.seen() replaces a session another hub's later claim overtook", () => {
  const book = new ClaimBook("A");
  assert.deepEqual(book.hold(CAM, "s1", 100), { hub: "A", session: "s1", since: 100 });
  assert.equal(book.written(CAM, "s1", 7), null);
  // Our own claim coming back, and an older one of another hub: nothing to do.
  assert.equal(book.seen(CAM, { hub: "A", session: "s1", since: 100 }, 7), null);
  assert.equal(book.seen(CAM, other("b0", 50), 6), null);
  assert.deepEqual(book.seen(CAM, other("b1", 200), 8), {
    kind: "replace",
    serial: CAM,
    session: "s1",
    by: "B",
  });
  assert.deepEqual(book.serials(), []);
  // Gone: a later claim finds nothing to replace.
  assert.equal(book.seen(CAM, other("b2", 300), 9), null);
});

Deno.test("ClaimBook.written() replaces when another hub's claim came first with a later revision", () => {
  const book = new ClaimBook("A");
  book.hold(CAM, "s1", 100);
  assert.equal(book.seen(CAM, other("b1", 101), 12), null);
  assert.deepEqual(book.written(CAM, "s1", 11), {
    kind: "replace",
    serial: CAM,
    session: "s1",
    by: "B",
  });
  book.hold(CAM, "s2", 300);
  assert.equal(book.seen(CAM, other("b2", 301), 13), null);
  assert.equal(book.written(CAM, "s2", 14), null);
  assert.deepEqual(book.serials(), [CAM]);
});

Deno.test("ClaimBook.release() ignores a session that is no longer the serial's", () => {
  const book = new ClaimBook("A");
  book.hold(CAM, "s1", 1);
  book.hold(CAM, "s2", 2);
  assert.equal(book.release(CAM, "s1"), false);
  assert.equal(book.written(CAM, "s1", 3), null);
  assert.equal(book.revisionOf(CAM, "s1"), null);
  assert.equal(book.written(CAM, "s2", 4), null);
  assert.equal(book.revisionOf(CAM, "s2"), 4);
  assert.equal(book.release(CAM, "s2"), true);
  assert.deepEqual(book.serials(), []);
});

Deno.test("ClaimBook restored claims: the newer session stands whichever hub writes last", () => {
  const book = new ClaimBook("A");
  book.hold(CAM, "s1", 100);
  book.written(CAM, "s1", 5);
  // Another hub restores a session older than ours after an outage: we say ours again.
  assert.deepEqual(book.seen(CAM, other("b0", 90, true), 6), {
    kind: "reassert",
    serial: CAM,
    session: "s1",
  });
  // ... also when ours was being written while theirs arrived.
  book.hold(CAM, "s2", 200);
  assert.equal(book.seen(CAM, other("b0", 90, true), 7), null);
  assert.deepEqual(book.written(CAM, "s2", 6), { kind: "reassert", serial: CAM, session: "s2" });
  // A restored claim newer than ours replaces it, as any later claim does.
  book.written(CAM, "s2", 8);
  assert.deepEqual(book.seen(CAM, other("b3", 250, true), 9), {
    kind: "replace",
    serial: CAM,
    session: "s2",
    by: "B",
  });
});

Deno.test("ClaimBook.restore() and current(): a session begun elsewhere during the outage wins", () => {
  const book = new ClaimBook("A");
  book.hold(CAM, "s1", 100);
  book.written(CAM, "s1", 5);
  book.hold("0123B1B2C3D4E5F6B7", "s2", 100);
  assert.deepEqual(book.restore(), [
    { serial: CAM, claim: { hub: "A", session: "s1", since: 100, restored: true } },
    {
      serial: "0123B1B2C3D4E5F6B7",
      claim: { hub: "A", session: "s2", since: 100, restored: true },
    },
  ]);
  assert.equal(book.revisionOf(CAM, "s1"), null);
  assert.equal(book.current(CAM, null), null);
  assert.equal(book.current(CAM, { hub: "A", session: "s1", since: 100 }), null);
  assert.equal(book.current(CAM, other("b0", 99)), null);
  assert.deepEqual(book.current("0123B1B2C3D4E5F6B7", other("b1", 150)), {
    kind: "replace",
    serial: "0123B1B2C3D4E5F6B7",
    session: "s2",
    by: "B",
  });
  assert.deepEqual(book.serials(), [CAM]);
});

Deno.test("ClaimBook.again() gives the held claim with its first connect time", () => {
  const book = new ClaimBook("A");
  book.hold(CAM, "s1", 100);
  book.written(CAM, "s1", 3);
  assert.deepEqual(book.again(CAM, "s1"), { hub: "A", session: "s1", since: 100 });
  assert.equal(book.revisionOf(CAM, "s1"), null);
  assert.equal(book.again(CAM, "s0"), null);
});
