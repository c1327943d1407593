import assert from "node:assert/strict";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const FLAGS = { count: { type: "string" }, help: { type: "boolean", short: "h" } } as const;

Deno.test("parseFlags() returns the values of known flags", () => {
  assert.deepEqual({ ...parseFlags(["--count", "3", "-h"], FLAGS) }, { count: "3", help: true });
});

Deno.test("parseFlags() refuses unknown flags and positionals, naming the near miss", () => {
  assert.throws(
    () => parseFlags(["--cuont", "3"], FLAGS),
    (err) => err instanceof UsageError && /did you mean --count\?$/.test(err.message),
  );
  assert.throws(() => parseFlags(["extra"], FLAGS), UsageError);
});
