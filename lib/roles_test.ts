import assert from "node:assert/strict";
import { isAdmin, mayScrape, requireManager } from "./roles.ts";
import { TrustcamError } from "./errors.ts";
import type { Peer } from "./peer.ts";
import type { RouteState } from "./hub_state.ts";

const ALICE: Peer = {
  role: "viewer",
  cn: "alice",
  fingerprint256: "ab",
  serialNumber: "01",
  remoteAddress: "127.0.0.1:50000",
};

/** The role part of a RouteState; `admins` and `scrapers` list CNs. */
function state(
  peer: Peer,
  o: { admins?: string[]; scrapers?: string[]; tokens?: number } = {},
): RouteState {
  let tokens = o.tokens ?? Infinity;
  const admin = (cn: string) => (o.admins ?? []).includes(cn);
  return {
    peer,
    isAdmin: admin,
    mayScrape: (cn: string) => admin(cn) || (o.scrapers ?? []).includes(cn),
    takeManageToken: () => tokens-- > 0,
  } as unknown as RouteState;
}

function refused(fn: () => void, code: string, message: string) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof TrustcamError, `expected a TrustcamError, got ${err}`);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

Deno.test("isAdmin() and mayScrape() follow the policy for viewers", () => {
  const s = (cn: string) => state({ ...ALICE, cn }, { admins: ["alice"], scrapers: ["prom"] });
  assert.equal(isAdmin(s("alice")), true);
  assert.equal(isAdmin(s("prom")), false);
  assert.equal(isAdmin(s("bob")), false);
  assert.equal(mayScrape(s("alice")), true);
  assert.equal(mayScrape(s("prom")), true);
  assert.equal(mayScrape(s("bob")), false);
});

Deno.test("isAdmin() and mayScrape() never hold for a device certificate", () => {
  const serial = "0123A1B2C3D4E5F6A7";
  const s = state({ ...ALICE, role: "device", cn: serial }, {
    admins: [serial],
    scrapers: [serial],
  });
  assert.equal(isAdmin(s), false);
  assert.equal(mayScrape(s), false);
});

Deno.test("requireManager() refuses a viewer that is not an admin, naming the action", () => {
  refused(
    () => requireManager(state(ALICE, { admins: ["bob"] }), "Renaming cameras"),
    "TC_ERR_FORBIDDEN",
    "Renaming cameras needs an admin certificate",
  );
});

Deno.test("requireManager() admits an admin while it has tokens, then refuses with 429", () => {
  const s = state(ALICE, { admins: ["alice"], tokens: 2 });
  requireManager(s, "Renaming cameras");
  requireManager(s, "Renaming cameras");
  refused(
    () => requireManager(s, "Renaming cameras"),
    "TC_ERR_RATE",
    "Too many changes: at most 60 a minute after 30 at once",
  );
});

Deno.test("requireManager() spends no token for a refused viewer", () => {
  let taken = 0;
  const s = {
    ...state(ALICE, { admins: [] }),
    takeManageToken: () => (taken++, true),
  } as RouteState;
  assert.throws(() => requireManager(s, "Renaming cameras"), TrustcamError);
  assert.equal(taken, 0);
});
