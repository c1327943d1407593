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
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchParsed() fails closed: a file that disappears, empties or turns unreadable keeps the previous value and is logged each time", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/limit.txt`;
  const seen: number[] = [];
  const log: Array<Record<string, unknown>> = [];
  // Absent at start-up: parse(null) decides (a fresh install has no list yet).
  using _watch = watchParsed(path, parseNumber, (n) => seen.push(n), {
    log: (event, fields) => log.push({ event, ...fields }),
    event: "limit",
    label: "limit",
    intervalMs: 10,
  });
  assert.deepEqual(seen, [0]);
  // Created whole, by a rename: a poll between writeTextFile()'s create and its write would
  // see an empty file, a refusal before the ones counted below.
  await Deno.writeTextFile(`${dir}/next`, "7");
  await Deno.rename(`${dir}/next`, path);
  await waitFor(() => seen.length === 2, 5000, "the file created");
  const refusals = () => log.filter((l) => l.event === "limit-invalid");
  const expectRefusal = async (n: number, error: RegExp) => {
    await waitFor(() => refusals().length === n, 5000, `refusal ${n}`);
    const r = refusals()[n - 1];
    assert.equal(r.level, "error");
    assert.equal(r.path, path);
    assert.equal(r.kept, "previous");
    assert.match(String(r.error), error);
  };
  await Deno.remove(path);
  await expectRefusal(1, /File missing/);
  await Deno.writeTextFile(path, "");
  await expectRefusal(2, /File empty/);
  // Unreadable as a file: a link to a directory renamed over it, in one step.
  await Deno.mkdir(`${dir}/sub`);
  await Deno.symlink(`${dir}/sub`, `${dir}/link`);
  await Deno.rename(`${dir}/link`, path);
  await expectRefusal(3, /directory/i);
  await Deno.remove(path);
  await expectRefusal(4, /File missing/);
  assert.deepEqual(seen, [0, 7], "the last good value stayed in force throughout");
  await Deno.writeTextFile(path, "8");
  await waitFor(() => seen.length === 3, 5000, "a good file again");
  assert.deepEqual(seen, [0, 7, 8]);
  await Deno.remove(dir, { recursive: true });
});
