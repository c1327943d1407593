import assert from "node:assert/strict";
import { watchParsed } from "./watch_parsed.ts";
import { HubStartError } from "./start_error.ts";
import { waitFor } from "../tests/hub_fixture.ts";

const parseNumber = (text: string | null) => {
  if (text === null) return 0;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`Not a number: "${text}"`);
  return n;
};

Deno.test("watchParsed() stops start-up with one message naming a bad file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/limit.txt`;
  await Deno.writeTextFile(path, "many");
  assert.throws(
    () =>
      watchParsed(path, parseNumber, () => {}, { log: () => {}, event: "limit", label: "limit" }),
    (err) =>
      err instanceof HubStartError && err.path === path &&
      err.message === `Invalid limit "${path}": Not a number: "many"`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchParsed() follows changes and keeps the previous value after a bad edit", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/limit.txt`;
  await Deno.writeTextFile(path, "1");
  const seen: number[] = [];
  const log: string[] = [];
  using _watch = watchParsed(path, parseNumber, (n) => seen.push(n), {
    log: (event) => log.push(event),
    event: "limit",
    label: "limit",
    intervalMs: 10,
  });
  assert.deepEqual(seen, [1]);
  await Deno.writeTextFile(path, "22");
  await waitFor(() => seen.length === 2, 5000, "the change");
  await Deno.writeTextFile(path, "oops!");
  await waitFor(() => log.includes("limit-invalid"), 5000, "the bad edit logged");
  assert.deepEqual(seen, [1, 22]);
  await Deno.remove(path);
  await waitFor(() => seen.length === 3, 5000, "the removal");
  assert.deepEqual(seen, [1, 22, 0]);
  await Deno.remove(dir, { recursive: true });
});
