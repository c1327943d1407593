import assert from "node:assert/strict";
import { quote } from "./quote.ts";

Deno.test("quote() wraps a string in double quotes", () => {
  assert.equal(quote("abc"), '"abc"');
});

Deno.test("quote() escapes quotes, backslashes and control characters", () => {
  assert.equal(quote('a"b\\c\nd\u0000'), '"a\\"b\\\\c\\nd\\u0000"');
});

Deno.test("quote() renders non-strings as JSON", () => {
  assert.equal(quote(-1), '"-1"');
  assert.equal(quote(null), '"null"');
  assert.equal(quote(undefined), '"undefined"');
  assert.equal(quote([1, 2]), '"[1,2]"');
  assert.equal(quote(10n), '"10"');
});

Deno.test("quote() keeps exactly 40 characters and cuts 41 to 39 plus an ellipsis", () => {
  const forty = "x".repeat(40);
  assert.equal(quote(forty), `"${forty}"`);
  assert.equal(quote(forty + "y"), `"${"x".repeat(39)}…"`);
});

Deno.test("quote() never splits a surrogate pair", () => {
  const out = quote("😀".repeat(50));
  assert.equal(out, `"${"😀".repeat(39)}…"`);
});

Deno.test("quote() honours a custom limit", () => {
  assert.equal(quote("abcdef", 4), '"abc…"');
});
