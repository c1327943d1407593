import assert from "node:assert/strict";
import { WANT_REFRESH_MS, WANT_TTL_MS, Wants } from "./bus_wants.ts";
import { serialOfSubject, wantSubject } from "./bus_wire.ts";

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
