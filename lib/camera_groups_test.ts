import assert from "node:assert/strict";
import {
  type CameraGroup,
  decodeGroup,
  encodeGroup,
  mergeGroups,
  parseGroupBody,
  parseGroupName,
  visibleGroups,
} from "./camera_groups.ts";
import { serialMatcher } from "./serial.ts";
import { TrustcamError } from "./errors.ts";

const isSerial = serialMatcher();
const A = "0123A1B2C3D4E5F6A7";
const B = "0123B1B2C3D4E5F6B7";

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TrustcamError);
    assert.equal(err.code, "TC_ERR_BAD_REQUEST");
    return err.message;
  }
  assert.fail("accepted");
}

Deno.test("parseGroupName() trims and refuses what a camera name may not be", () => {
  assert.equal(parseGroupName("  Entrance "), "Entrance");
  assert.equal(parseGroupName("x".repeat(64)), "x".repeat(64));
  assert.equal(refusal(() => parseGroupName("  ")), 'Invalid group name: "  " is empty');
  assert.match(
    refusal(() => parseGroupName("x".repeat(65))),
    /^Invalid group name: ".*" is 65 characters > 64$/,
  );
  assert.equal(
    refusal(() => parseGroupName("a\nb")),
    'Invalid group name: "a\\nb" has control characters',
  );
});

Deno.test("parseGroupBody() makes serials canonical, once each, in order", () => {
  assert.deepEqual(parseGroupBody({ cameras: [B, A.toLowerCase(), B] }, isSerial), [B, A]);
});

Deno.test("parseGroupBody() refuses bad bodies, each with its own message", () => {
  const body = (b: unknown) => refusal(() => parseGroupBody(b, isSerial));
  assert.equal(body(null), 'Request body needs "cameras": an array of serials');
  assert.equal(body({ cameras: "x" }), 'Request body needs "cameras": an array of serials');
  assert.equal(body({ cameras: [] }), "A group needs at least one camera");
  assert.equal(body({ cameras: [A], colour: 1 }), 'Unknown field: "colour"');
  assert.equal(body({ cameras: ["nope"] }), 'Invalid serial: "nope"');
  assert.equal(body({ cameras: Array(4097).fill(A) }), "Too many cameras: 4097 (at most 4096)");
});

Deno.test("visibleGroups() shows only the members a viewer may see and omits empty groups", () => {
  const groups: CameraGroup[] = [
    { name: "gate", cameras: [A, B], source: "policy" },
    { name: "yard", cameras: [B], source: "hub" },
  ];
  assert.deepEqual(visibleGroups(groups, (s) => s === A), [
    { name: "gate", cameras: [A], source: "policy" },
  ]);
  assert.deepEqual(visibleGroups(groups, () => true), groups);
});

Deno.test("mergeGroups() lists the policy's first, each part by name; the policy's name wins", () => {
  const p = (name: string): CameraGroup => ({ name, cameras: [A], source: "policy" });
  const h = (name: string): CameraGroup => ({ name, cameras: [B], source: "hub" });
  assert.deepEqual(
    mergeGroups([p("yard"), p("Gate 10"), p("gate 2")], [h("yard"), h("back"), h("Attic")]),
    [p("gate 2"), p("Gate 10"), p("yard"), h("Attic"), h("back")],
  );
});

Deno.test("decodeGroup() reads what encodeGroup() wrote and refuses anything else", () => {
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  assert.deepEqual(decodeGroup(encodeGroup([A, B], "hub-a")), [A, B]);
  assert.deepEqual(decodeGroup(enc({ cameras: [A.toLowerCase()] })), [A]);
  assert.throws(() => decodeGroup(enc({ cameras: [] })), TypeError);
  assert.throws(() => decodeGroup(enc({ cameras: [1] })), TypeError);
  assert.throws(() => decodeGroup(enc(null)), TypeError);
  assert.throws(() => decodeGroup(new TextEncoder().encode("{")), SyntaxError);
});
