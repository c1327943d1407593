import assert from "node:assert/strict";
import { ifNoneMatch, strongEtag } from "./etag.ts";

Deno.test("strongEtag() is a quoted 32-digit hex digest that follows the bytes", async () => {
  const a = await strongEtag(new Uint8Array([1, 2, 3]));
  assert.match(a, /^"[0-9a-f]{32}"$/);
  assert.equal(await strongEtag(new Uint8Array([1, 2, 3])), a);
  assert.notEqual(await strongEtag(new Uint8Array([1, 2, 4])), a);
});

Deno.test("ifNoneMatch() matches a listed, weak or wildcard tag and nothing else", () => {
  const tag = '"abc"';
  assert.equal(ifNoneMatch(null, tag), false);
  assert.equal(ifNoneMatch('"abc"', tag), true);
  assert.equal(ifNoneMatch('W/"abc"', tag), true);
  assert.equal(ifNoneMatch('"x", "abc"', tag), true);
  assert.equal(ifNoneMatch(" * ", tag), true);
  assert.equal(ifNoneMatch('"abcd"', tag), false);
  assert.equal(ifNoneMatch("", tag), false);
});
