import assert from "node:assert/strict";
import { formatByteSize, formatDuration, parseByteSize } from "./byte_size.ts";

Deno.test("parseByteSize() reads plain bytes and binary suffixes", () => {
  assert.equal(parseByteSize("0"), 0);
  assert.equal(parseByteSize("1073741824"), 2 ** 30);
  assert.equal(parseByteSize("500M"), 500 * 2 ** 20);
  assert.equal(parseByteSize("20G"), 20 * 2 ** 30);
  assert.equal(parseByteSize("20g"), 20 * 2 ** 30);
  assert.equal(parseByteSize("1.5T"), 1.5 * 2 ** 40);
  assert.equal(parseByteSize("64K"), 65536);
  assert.equal(parseByteSize("500MiB"), 500 * 2 ** 20);
  assert.equal(parseByteSize("20GB"), 20 * 2 ** 30);
  assert.equal(parseByteSize(" 2 G "), 2 * 2 ** 30);
  assert.equal(parseByteSize("1.0001K"), 1024);
});

Deno.test("parseByteSize() refuses what is not a size", () => {
  for (const bad of ["", "G", "-1", "1e9", "5X", "5 GiBs", "1,5G", "iB", "5iB", "0x10"]) {
    assert.throws(() => parseByteSize(bad), RangeError, bad);
  }
  assert.throws(() => parseByteSize("99999999999T"), /too large/);
});

Deno.test("formatByteSize() picks the largest binary unit", () => {
  assert.equal(formatByteSize(512), "512 B");
  assert.equal(formatByteSize(1536), "1.5 KiB");
  assert.equal(formatByteSize(2 ** 30), "1 GiB");
  assert.equal(formatByteSize(20 * 2 ** 30), "20 GiB");
});

Deno.test("formatDuration() picks the largest unit", () => {
  assert.equal(formatDuration(7 * 86_400_000), "7 d");
  assert.equal(formatDuration(3_600_000), "1 h");
  assert.equal(formatDuration(43_200_000), "12 h");
  assert.equal(formatDuration(0.5 * 86_400_000), "12 h");
  assert.equal(formatDuration(90 * 60_000), "1.5 h");
  assert.equal(formatDuration(30_000), "30 s");
});
