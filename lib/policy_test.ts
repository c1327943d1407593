import assert from "node:assert/strict";
import { serialMatcher } from "./serial.ts";
import { ALLOW_ALL, parsePolicy } from "./policy.ts";

const isSerial = serialMatcher();
const A = "0123A1B2C3D4E5F6A7";
const B = "0123000000000000B0";
const C = "0123FFFFFFFFFFFFC0";

const EXAMPLE = JSON.stringify({
  groups: { entrance: [A, B.toLowerCase()] },
  viewers: { alice: "*", guard: ["@entrance", C], "*": ["@entrance"], nobody: [] },
});

function rejects(text: string, message: string | RegExp) {
  assert.throws(() => parsePolicy(text, isSerial), (err) => {
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${err}`);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

Deno.test("ALLOW_ALL allows every viewer every camera", () => {
  assert.equal(ALLOW_ALL.allows("anyone", A), true);
  assert.equal(ALLOW_ALL.allows("", C), true);
  assert.equal(ALLOW_ALL.describe(), "no policy: every viewer sees every camera");
});

Deno.test('parsePolicy() gives "*" viewers every camera', () => {
  const p = parsePolicy(EXAMPLE, isSerial);
  for (const s of [A, B, C, "0123000000000000FF"]) assert.equal(p.allows("alice", s), true);
});

Deno.test("parsePolicy() expands groups and single serials for a listed viewer", () => {
  const p = parsePolicy(EXAMPLE, isSerial);
  assert.equal(p.allows("guard", A), true);
  assert.equal(p.allows("guard", B), true, "group members are canonicalised");
  assert.equal(p.allows("guard", C), true);
  assert.equal(p.allows("guard", "0123000000000000FF"), false);
});

Deno.test('parsePolicy() applies the "*" viewer to unlisted viewers only', () => {
  const p = parsePolicy(EXAMPLE, isSerial);
  assert.equal(p.allows("mallory", A), true);
  assert.equal(p.allows("mallory", C), false);
  assert.equal(p.allows("nobody", A), false, 'a listed viewer does not inherit "*"');
});

Deno.test('parsePolicy() without a "*" viewer shows unlisted viewers nothing', () => {
  const p = parsePolicy(JSON.stringify({ viewers: { alice: [A] } }), isSerial);
  assert.equal(p.allows("alice", A), true);
  assert.equal(p.allows("bob", A), false);
  assert.equal(parsePolicy("{}", isSerial).allows("alice", A), false);
});

Deno.test("parsePolicy() compares viewer names exactly", () => {
  const p = parsePolicy(JSON.stringify({ viewers: { Alice: "*" } }), isSerial);
  assert.equal(p.allows("Alice", A), true);
  assert.equal(p.allows("alice", A), false);
});

Deno.test("parsePolicy() treats __proto__ and constructor as plain names", () => {
  const p = parsePolicy('{"viewers":{"__proto__":"*","constructor":[]}}', isSerial);
  assert.equal(p.allows("__proto__", A), true);
  assert.equal(p.allows("constructor", A), false);
  assert.equal(p.allows("toString", A), false);
});

Deno.test("parsePolicy().describe() summarises viewers and the default", () => {
  assert.equal(
    parsePolicy(EXAMPLE, isSerial).describe(),
    'policy: 1 group; "alice": all cameras, "guard": 3 cameras, "nobody": 0 cameras, ' +
      "others: 2 cameras",
  );
  assert.equal(
    parsePolicy('{"viewers":{"a":["' + A + '"]}}', isSerial).describe(),
    'policy: 0 groups; "a": 1 camera, others: nothing',
  );
});

Deno.test("parsePolicy() rejects malformed JSON", () => {
  rejects("{", /^Invalid policy: not valid JSON: /);
  rejects("[]", 'Invalid policy: "[]" is not a JSON object');
});

Deno.test("parsePolicy() rejects an unknown top-level key", () => {
  rejects(
    '{"viewer":{}}',
    'Invalid policy at viewer: unknown key (expected "groups", "viewers", "admins" or "metrics")',
  );
});

Deno.test("parsePolicy() rejects a bad serial with its JSON path", () => {
  rejects(
    JSON.stringify({ viewers: { guard: [A, "0123XYZ"] } }),
    'Invalid policy at viewers.guard[1]: "0123XYZ" is not a camera serial',
  );
  rejects(
    JSON.stringify({ groups: { entrance: [7] } }),
    'Invalid policy at groups.entrance[0]: "7" is not a string',
  );
});

Deno.test("parsePolicy() quotes paths for names that are not identifiers", () => {
  rejects(
    JSON.stringify({ viewers: { "bob smith": ["nope"] } }),
    'Invalid policy at viewers["bob smith"][0]: "nope" is not a camera serial',
  );
});

Deno.test("parsePolicy() rejects an unknown group", () => {
  rejects(
    JSON.stringify({ groups: { entrance: [] }, viewers: { guard: ["@entrnce"] } }),
    'Invalid policy at viewers.guard[0]: unknown group "@entrnce"',
  );
});

Deno.test("parsePolicy() rejects a group inside a group", () => {
  rejects(
    JSON.stringify({ groups: { a: [A], b: ["@a"] } }),
    'Invalid policy at groups.b[0]: "@a": a group cannot contain a group',
  );
});

Deno.test('parsePolicy() rejects rules that are neither "*" nor a list', () => {
  rejects(
    JSON.stringify({ viewers: { guard: A } }),
    `Invalid policy at viewers.guard: "${A}" is not "*" or an array of serials and "@groups"`,
  );
  rejects(
    JSON.stringify({ viewers: { guard: ["*"] } }),
    'Invalid policy at viewers.guard[0]: use "*" instead of a list to allow every camera',
  );
  rejects('{"viewers":[]}', 'Invalid policy at viewers: "[]" is not an object');
  rejects('{"groups":{"g":"x"}}', 'Invalid policy at groups.g: "x" is not an array of serials');
});

Deno.test("parsePolicy() rejects empty viewer and group names", () => {
  rejects('{"viewers":{"":"*"}}', 'Invalid policy at viewers[""]: a viewer name cannot be empty');
  rejects('{"groups":{"":[]}}', 'Invalid policy at groups[""]: invalid group name ""');
});

Deno.test("ALLOW_ALL makes every viewer an admin and a scraper", () => {
  assert.equal(ALLOW_ALL.isAdmin("anyone"), true);
  assert.equal(ALLOW_ALL.mayScrape("anyone"), true);
  assert.equal(ALLOW_ALL.describeRoles(), "admins: every viewer");
});

Deno.test("parsePolicy() gives roles to the names in admins and metrics only", () => {
  const p = parsePolicy(
    '{"viewers":{"*":"*"},"admins":["alice","Bob"],"metrics":["prometheus"]}',
    isSerial,
  );
  assert.equal(p.isAdmin("alice"), true);
  assert.equal(p.isAdmin("Bob"), true);
  assert.equal(p.isAdmin("bob"), false, "names compare exactly");
  assert.equal(p.isAdmin("prometheus"), false);
  assert.equal(p.isAdmin("mallory"), false);
  assert.equal(p.mayScrape("alice"), true, "admins may read /metrics");
  assert.equal(p.mayScrape("prometheus"), true);
  assert.equal(p.mayScrape("mallory"), false);
  assert.equal(p.allows("mallory", A), true, "roles do not change what a viewer sees");
  assert.equal(p.describeRoles(), 'admins: "alice", "Bob"; metrics: "prometheus"');
});

Deno.test('parsePolicy() reads "*" in a role list as every viewer', () => {
  const p = parsePolicy('{"admins":["*"],"metrics":["*"]}', isSerial);
  assert.equal(p.isAdmin("anyone"), true);
  assert.equal(p.mayScrape("anyone"), true);
  assert.equal(p.describeRoles(), "admins: every viewer; metrics: every viewer");
  const scrapers = parsePolicy('{"metrics":["*"]}', isSerial);
  assert.equal(scrapers.isAdmin("anyone"), false);
  assert.equal(scrapers.mayScrape("anyone"), true);
});

Deno.test("parsePolicy() without admins makes nobody an admin", () => {
  for (const text of ["{}", '{"viewers":{"alice":"*"}}', '{"admins":[]}']) {
    const p = parsePolicy(text, isSerial);
    assert.equal(p.isAdmin("alice"), false, text);
    assert.equal(p.mayScrape("alice"), false, text);
    assert.equal(p.describeRoles(), "admins: nobody; metrics: nobody");
  }
});

Deno.test("parsePolicy() treats __proto__ as a plain name in role lists", () => {
  const p = parsePolicy('{"admins":["__proto__"]}', isSerial);
  assert.equal(p.isAdmin("__proto__"), true);
  assert.equal(p.isAdmin("constructor"), false);
  assert.equal(p.isAdmin("toString"), false);
});

Deno.test("parsePolicy() rejects malformed role lists with their JSON path", () => {
  rejects(
    '{"admins":"*"}',
    'Invalid policy at admins: "*" is not an array of certificate names (["*"] names every viewer)',
  );
  rejects(
    '{"metrics":{"a":1}}',
    'Invalid policy at metrics: "{\\"a\\":1}" is not an array of certificate names',
  );
  rejects('{"admins":["alice",7]}', 'Invalid policy at admins[1]: "7" is not a string');
  rejects('{"metrics":[""]}', "Invalid policy at metrics[0]: a certificate name cannot be empty");
});
