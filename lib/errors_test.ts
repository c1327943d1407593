import assert from "node:assert/strict";
import { closeCodeOf, ERROR_CODES, errorBody, httpStatusOf, TrustcamError } from "./errors.ts";

/** The errors table of docs/protocol.md, as `code -> [HTTP, close]`. */
function documentedCodes(): Map<string, [string, string]> {
  const doc = Deno.readTextFileSync(new URL("../docs/protocol.md", import.meta.url));
  const rows = new Map<string, [string, string]>();
  for (const m of doc.matchAll(/^\| `(TC_ERR_\w+)` +\| ([^|]+?) +\| ([^|]+?) +\|/gm)) {
    rows.set(m[1], [m[2], m[3]]);
  }
  return rows;
}

Deno.test("docs/protocol.md lists every error code with the status and close code it has", () => {
  const documented = documentedCodes();
  assert.deepEqual([...documented.keys()].sort(), Object.keys(ERROR_CODES).sort());
  for (const [code, { status, close }] of Object.entries(ERROR_CODES)) {
    assert.deepEqual(
      documented.get(code),
      [status === undefined ? "–" : String(status), close === undefined ? "–" : String(close)],
      code,
    );
  }
});

Deno.test("httpStatusOf() and closeCodeOf() read the table; anything else is internal", () => {
  assert.equal(httpStatusOf(new TrustcamError("TC_ERR_NOT_FOUND", "x")), 404);
  assert.equal(httpStatusOf(new TrustcamError("TC_ERR_REPLACED", "x")), 500);
  assert.equal(httpStatusOf(new Error("boom")), 500);
  assert.equal(closeCodeOf(new TrustcamError("TC_ERR_REPLACED", "x")), 4000);
  assert.equal(closeCodeOf(new TrustcamError("TC_ERR_NOT_FOUND", "x")), undefined);
  assert.equal(closeCodeOf(new Error("boom")), 1011);
  assert.deepEqual(errorBody(new Error("secret detail")), {
    code: "TC_ERR_INTERNAL",
    message: "Internal error",
  });
});
