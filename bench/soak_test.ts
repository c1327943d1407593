import assert from "node:assert/strict";
import { soakArgs } from "./soak.ts";
import { parseMetrics, random } from "./soak_clients.ts";
import { policyText } from "./soak_churn.ts";

Deno.test("soakArgs() runs bench/run.ts with the soak only, --minutes as --soak-minutes", () => {
  assert.deepEqual(soakArgs([]), ["--only", "soak"]);
  assert.deepEqual(soakArgs(["--minutes", "2", "--no-save"]), [
    "--only",
    "soak",
    "--soak-minutes",
    "2",
    "--no-save",
  ]);
  assert.deepEqual(soakArgs(["--minutes=3"]), ["--only", "soak", "--soak-minutes=3"]);
  assert.equal(soakArgs(["--help"]), null);
});

Deno.test("parseMetrics() reads every series of the exposition text, labels included", () => {
  const m = parseMetrics(
    "# HELP trustcam_streams x\n# TYPE trustcam_streams gauge\ntrustcam_streams 2\n" +
      'trustcam_connections{role="device"} 16\n',
  );
  assert.equal(m.get("trustcam_streams"), 2);
  assert.equal(m.get('trustcam_connections{role="device"}'), 16);
  assert.equal(m.size, 2);
});

Deno.test("random() repeats its sequence for a seed, in [0, 1)", () => {
  const a = random(7), b = random(7), c = random(8);
  const xs = Array.from({ length: 100 }, a);
  assert.deepEqual(xs, Array.from({ length: 100 }, b));
  assert.notDeepEqual(xs, Array.from({ length: 100 }, c));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

Deno.test("policyText() gives the toggled viewer one half, everyone else all, the scraper /metrics", () => {
  const p = JSON.parse(policyText([["A"], ["B"]], "toggled", 1, "scraper"));
  assert.deepEqual(p, {
    groups: { first: ["A"], second: ["B"] },
    viewers: { toggled: ["@second"], "*": "*" },
    metrics: ["scraper"],
  });
});
