import assert from "node:assert/strict";
import { editDistance, suggestOption, unknownOptionOf } from "./suggest_option.ts";

Deno.test("editDistance() counts inserts, deletes, substitutions and adjacent swaps", () => {
  assert.equal(editDistance("port", "port"), 0);
  assert.equal(editDistance("prot", "port"), 1);
  assert.equal(editDistance("cert", "certs"), 1);
  assert.equal(editDistance("ports", "port"), 1);
  assert.equal(editDistance("pert", "port"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
});

const HUB = ["port", "host", "certs", "data", "demo", "no-demo", "record", "max-fps", "help"];

Deno.test("suggestOption() names the one nearest flag", () => {
  assert.equal(suggestOption("--prot", HUB), "--port");
  assert.equal(suggestOption("--cert", HUB), "--certs");
  assert.equal(suggestOption("--prot=5001", HUB), "--port");
  assert.equal(suggestOption("--Port", HUB), "--port");
  assert.equal(suggestOption("--max-fsp", HUB), "--max-fps");
  assert.equal(suggestOption("--nodemo", HUB), "--no-demo");
});

Deno.test("suggestOption() suggests nothing far off, ambiguous or empty", () => {
  assert.equal(suggestOption("--bogus", HUB), null);
  assert.equal(suggestOption("--x", HUB), null);
  assert.equal(suggestOption("--", HUB), null);
  // "dmo" is one edit from "demo" and from "dm": no guess.
  assert.equal(suggestOption("--dmo", ["demo", "data", "dm"]), null);
  assert.equal(suggestOption("--prot", []), null);
});

Deno.test("unknownOptionOf() reads the flag from node's parseArgs message", () => {
  assert.equal(
    unknownOptionOf("Unknown option '--prot'. To specify a positional argument starting with"),
    "--prot",
  );
  assert.equal(unknownOptionOf("Option '--port <value>' argument missing"), null);
});
