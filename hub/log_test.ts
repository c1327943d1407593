import assert from "node:assert/strict";
import { formatLine } from "./log.ts";

Deno.test("formatLine() quotes values that could forge a second line", () => {
  const at = new Date("2026-11-23T10:00:00.000Z");
  assert.equal(
    formatLine("connect", { cn: "evil\n2026 revoke cn=x", port: 5000, gone: undefined }, at),
    '2026-11-23T10:00:00.000Z connect cn="evil\\n2026 revoke cn=x" port=5000',
  );
  assert.equal(
    formatLine("refuse", { reason: "" }, at),
    '2026-11-23T10:00:00.000Z refuse reason=""',
  );
});
