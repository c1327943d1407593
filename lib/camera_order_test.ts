import assert from "node:assert/strict";
import { compareByName } from "./camera_order.ts";

const cam = (serial: string, name = serial) => ({ serial, name });

Deno.test("compareByName() reads numbers in names by value, then serials", () => {
  const list = [cam("0123A1", "Cam 10"), cam("0123A2", "cam 2"), cam("0123A3", "Cam 2")];
  assert.deepEqual(list.sort(compareByName).map((c) => c.serial), ["0123A2", "0123A3", "0123A1"]);
});

Deno.test("compareByName() keeps cameras never named in serial order, hex digits and all", () => {
  const serials = ["0123CAFE000000000A", "0123CAFE0000000010", "0123CAFE0000000001"];
  assert.deepEqual(serials.map((s) => cam(s)).sort(compareByName).map((c) => c.serial), [
    "0123CAFE0000000001",
    "0123CAFE000000000A",
    "0123CAFE0000000010",
  ]);
});
