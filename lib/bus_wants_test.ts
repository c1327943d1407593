import assert from "node:assert/strict";
import { WANT_REFRESH_MS, WANT_TTL_MS, Wants } from "./bus_wants.ts";
import { serialOfSubject, WANT_ALL_SUBJECT, wantSubject } from "./bus_wire.ts";

const A = "0123CAFE0000000001";

Deno.test("Wants: a camera is wanted from an announcement until its TTL runs out", () => {
  const w = new Wants();
  assert.equal(w.wanted(A, 0), false);
  w.heard(A, 1_000);
  assert.equal(w.wanted(A, 1_000), true);
  assert.equal(w.wanted(A, 1_000 + WANT_TTL_MS - 1), true);
  assert.equal(w.wanted(A, 1_000 + WANT_TTL_MS), false);
  assert.equal(w.size(1_000 + WANT_TTL_MS), 0);
});

Deno.test("Wants: refreshed announcements keep a camera wanted, two lost ones do not end it", () => {
  const w = new Wants();
  for (let t = 0; t <= 10 * WANT_REFRESH_MS; t += WANT_REFRESH_MS) {
    w.heard(A, t);
    assert.equal(w.wanted(A, t + 2 * WANT_REFRESH_MS + 1), true, `at ${t}`);
  }
  assert.equal(w.size(10 * WANT_REFRESH_MS), 1);
});

Deno.test("Wants() refuses a TTL that is not positive", () => {
  assert.throws(() => new Wants({ ttlMs: 0 }), /Invalid want TTL: "0"/);
});

Deno.test("wantSubject() names the camera as frame subjects do, and reads back", () => {
  assert.equal(wantSubject(A), `trustcam.want.${A}`);
  assert.equal(wantSubject("cam.1"), "trustcam.want.cam%2E1");
  assert.equal(serialOfSubject(wantSubject("cam.1"), "want"), "cam.1");
  assert.equal(serialOfSubject(`trustcam.frame.${A}`, "want"), null);
});

Deno.test("Wants.heardAll() makes every camera wanted, known or not, until its TTL runs out", () => {
  const w = new Wants();
  assert.equal(w.allWanted(0), false);
  w.heardAll(1_000);
  assert.equal(w.wanted(A, 1_000), true);
  assert.equal(w.wanted("never-announced", 1_000 + WANT_TTL_MS - 1), true);
  assert.equal(w.size(1_000), 0);
  assert.equal(w.wanted(A, 1_000 + WANT_TTL_MS), false);
  assert.equal(w.allWanted(1_000 + WANT_TTL_MS), false);
});

Deno.test("Wants.heardAll() leaves a camera's own announcement standing after it expires", () => {
  const w = new Wants();
  w.heardAll(0);
  w.heard(A, WANT_TTL_MS - 1);
  assert.equal(w.wanted(A, WANT_TTL_MS), true);
  assert.equal(w.wanted("other", WANT_TTL_MS), false);
});

Deno.test("WANT_ALL_SUBJECT is outside every camera's want subject", () => {
  assert.equal(WANT_ALL_SUBJECT, "trustcam.want.%all");
  assert.equal(wantSubject("%all"), "trustcam.want.%25all");
  assert.equal(serialOfSubject(WANT_ALL_SUBJECT, "want"), null);
});
