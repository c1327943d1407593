import assert from "node:assert/strict";
import { normalizeOrigin, originAllowed } from "./origin.ts";

const none = new Set<string>();

Deno.test("originAllowed() admits no Origin and the hub's own origin", () => {
  assert.equal(originAllowed(undefined, "hub:5000", none), true);
  assert.equal(originAllowed(null, "hub:5000", none), true);
  assert.equal(originAllowed("https://hub:5000", "hub:5000", none), true);
  assert.equal(originAllowed("https://HUB:5000", "hub:5000", none), true);
  assert.equal(originAllowed("https://hub", "hub:443", none), true);
  assert.equal(originAllowed("https://[::1]:5000", "[::1]:5000", none), true);
});

Deno.test("originAllowed() refuses other sites, schemes, ports and opaque origins", () => {
  assert.equal(originAllowed("https://evil.example", "hub:5000", none), false);
  assert.equal(originAllowed("http://hub:5000", "hub:5000", none), false);
  assert.equal(originAllowed("https://hub:5001", "hub:5000", none), false);
  assert.equal(originAllowed("https://hub:5000.evil.example", "hub:5000", none), false);
  assert.equal(originAllowed("null", "hub:5000", none), false);
  assert.equal(originAllowed("file://", "hub:5000", none), false);
  assert.equal(originAllowed("", "hub:5000", none), false);
  assert.equal(originAllowed("https://hub:5000", undefined, none), false);
  assert.equal(originAllowed("https://hub:5000", "hub:5000/x", none), false);
});

Deno.test("originAllowed() admits configured origins, for reverse proxies", () => {
  const allowed = new Set([normalizeOrigin("https://Cams.Example.org:443")]);
  assert.equal(originAllowed("https://cams.example.org", "10.0.0.5:5000", allowed), true);
  assert.equal(originAllowed("https://cams.example.org:8443", "10.0.0.5:5000", allowed), false);
});

Deno.test("normalizeOrigin() rejects anything but scheme://host[:port]", () => {
  assert.equal(normalizeOrigin("https://Hub.Example:443"), "https://hub.example");
  assert.equal(normalizeOrigin("http://hub:8080/"), "http://hub:8080");
  assert.throws(() => normalizeOrigin("hub.example"), TypeError);
  assert.throws(
    () => normalizeOrigin("https://hub/path"),
    (e) =>
      e instanceof TypeError &&
      e.message === 'Not an origin (scheme://host[:port] only): "https://hub/path"',
  );
  assert.throws(() => normalizeOrigin("ftp://hub"), /Not an http\(s\) origin: "ftp:\/\/hub"/);
});
