/**
 * compose.yaml and deploy/haproxy.cfg stay true: the services are there, the hubs' command is
 * the Dockerfile's CMD with NATS added to --allow-net, and HAProxy's file is what
 * lib/haproxy_config.ts makes for them.
 */
import assert from "node:assert/strict";
import { haproxyConfig } from "../lib/haproxy_config.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const compose = Deno.readTextFileSync(`${ROOT}compose.yaml`);

/** The top-level keys under `services:` (two-space indented names). */
function services(text: string): string[] {
  const block = text.split(/^services:\n/m)[1].split(/^\S/m)[0];
  return [...block.matchAll(/^ {2}([\w-]+):/gm)].map((m) => m[1]);
}

/** The Dockerfile CMD's arguments, as JSON. */
function dockerCmd(): string[] {
  const line = Deno.readTextFileSync(`${ROOT}Dockerfile`).match(/^CMD (\[.*\])$/m)![1];
  return JSON.parse(line);
}

Deno.test("compose.yaml runs nats, three hubs, a recorder and haproxy on port 5000", () => {
  assert.deepEqual(services(compose), ["nats", "hub1", "hub2", "hub3", "recorder", "haproxy"]);
  assert.match(compose, /image: nats:2\.9\n\s+command: \["-js"/);
  assert.match(compose, /haproxy:\n\s+image: haproxy:2\.6\n\s+ports:\n\s+- "5000:5000"/);
  assert.match(compose, /TRUSTCAM_BUS: nats:\/\/nats:4222/);
  for (const hub of ["hub2", "hub3"]) assert.match(compose, new RegExp(`${hub}:\\n\\s+<<: \\*hub`));
});

Deno.test("compose.yaml hub command is the Dockerfile CMD with nats:4222 added to --allow-net", () => {
  const block = compose.split(/^ {4}command:\n/m)[1];
  const args = [...block.split(/^ {4}\S/m)[0].matchAll(/^ {6}- (.*)$/gm)].map((m) => m[1]);
  const expected = dockerCmd().map((a) => a.startsWith("--allow-net=") ? `${a},nats:4222` : a);
  assert.deepEqual(args, expected);
});

Deno.test("deploy/haproxy.cfg is lib/haproxy_config.ts's config for the compose hubs", () => {
  const file = Deno.readTextFileSync(`${ROOT}deploy/haproxy.cfg`);
  const body = file.split("\n").filter((l) => !l.startsWith("#")).join("\n");
  assert.equal(
    body,
    haproxyConfig({
      bind: { host: "0.0.0.0", port: 5000 },
      backends: [1, 2, 3].map((i) => ({ name: `hub${i}`, host: `hub${i}`, port: 5000 })),
      balance: "leastconn",
      checkMs: 2000,
    }),
  );
});

Deno.test("compose.yaml recorder records on NATS; the hubs read its recordings read-only", () => {
  const recorder = compose.split(/^ {2}recorder:\n/m)[1].split(/^ {2}\S/m)[0];
  assert.match(recorder, /- cli\/recorder\.ts\n/);
  assert.match(recorder, /--allow-net=nats:4222\n/);
  assert.match(recorder, /TRUSTCAM_BUS: nats:\/\/nats:4222/);
  assert.match(recorder, /- recorder-data:\/app\/data\n/);
  assert.match(
    compose,
    /TRUSTCAM_RECORD: "off"\n\s+TRUSTCAM_RECORDINGS_DIR: \/app\/recorder\/recordings/,
  );
  for (const hub of ["hub1", "hub2", "hub3"]) {
    const block = compose.split(new RegExp(`^ {2}${hub}:.*\\n`, "m"))[1].split(/^ {2}\S/m)[0];
    assert.match(block, /- recorder-data:\/app\/recorder:ro\n/, hub);
  }
});
