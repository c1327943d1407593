/**
 * No Docker engine runs where this project is built, so the image's own commands are run here
 * exactly as the Dockerfile states them (CMD and HEALTHCHECK, same flags and permissions), with
 * the container's volumes replaced by temp dirs through the documented environment variables.
 */
import assert from "node:assert/strict";
import { createTestPki } from "./pki_fixture.ts";
import { issueViewer } from "../lib/pki.ts";
import { waitFor } from "./hub_fixture.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const dockerfile = Deno.readTextFileSync(`${ROOT}Dockerfile`);

function jsonInstruction(name: string): string[] {
  const line = dockerfile.split("\n").find((l) => l.trim().startsWith(`${name} [`)) ??
    dockerfile.match(new RegExp(`${name}[^\\[]*\\\\\\n\\s*CMD (\\[.*\\])`))?.[1];
  assert.ok(line, `Dockerfile has a ${name} in JSON form`);
  return JSON.parse(line.slice(line.indexOf("[")));
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("Dockerfile pins the project's Deno minor version and runs as a non-root user", () => {
  const from = dockerfile.match(/^FROM denoland\/deno:(\d+\.\d+\.\d+)$/m)?.[1];
  assert.ok(from, "FROM denoland/deno:<exact version>");
  assert.equal(from.split(".").slice(0, 2).join("."), "2.9");
  assert.match(dockerfile, /^USER deno$/m);
  assert.match(dockerfile, /^EXPOSE 5000$/m);
  assert.match(dockerfile, /^VOLUME \["\/app\/certs", "\/app\/data"\]$/m);
});

Deno.test("Dockerfile CMD starts the hub with its permissions, and HEALTHCHECK passes under mTLS", async () => {
  const cmd = jsonInstruction("CMD");
  const health = dockerfile.match(/HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/)?.[1];
  assert.ok(health, "HEALTHCHECK ... CMD [json]");
  const healthCmd = JSON.parse(health) as string[];
  assert.equal(healthCmd[0], "deno");

  const pki = await createTestPki();
  const data = await Deno.makeTempDir({ prefix: "trustcam_docker_data_" });
  await issueViewer(pki.dir, "healthcheck");
  const port = freePort();
  const env = {
    NO_COLOR: "1",
    TRUSTCAM_PORT: String(port),
    TRUSTCAM_HOST: "127.0.0.1",
    TRUSTCAM_CERTS: pki.dir,
    TRUSTCAM_DATA: data,
  };
  // The image's ENTRYPOINT is `deno`; CMD is its arguments. Relative paths resolve from /app,
  // which is the repository root here. --allow-write=data is widened to the temp data dir.
  const args = cmd.map((a) => a.startsWith("--allow-write=") ? `${a},${data}` : a);
  const hub = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const pumps = [hub.stdout, hub.stderr].map((s) =>
    s.pipeTo(new WritableStream({ write: (c) => void (output += decoder.decode(c)) }))
  );
  try {
    await waitFor(() => output.includes("listen url="), 30_000, "the hub to listen");
    assert.doesNotMatch(output, /creating a development PKI/, "--no-demo creates nothing");
    const check = await new Deno.Command(Deno.execPath(), {
      args: healthCmd.slice(1),
      cwd: ROOT,
      env,
    }).output();
    const text = decoder.decode(check.stdout) + decoder.decode(check.stderr);
    assert.equal(check.code, 0, text);
    assert.match(text, /healthz: 200/);
  } finally {
    hub.kill("SIGTERM");
    const status = await hub.status;
    await Promise.all(pumps);
    await Deno.remove(data, { recursive: true });
    await pki.cleanup();
    assert.equal(status.code, 0, output.slice(-2000));
  }
  // Without the hub, the healthcheck fails.
  const down = await new Deno.Command(Deno.execPath(), {
    args: healthCmd.slice(1),
    cwd: ROOT,
    env: { ...env, TRUSTCAM_CERTS: `${ROOT}tests` },
    stdout: "null",
    stderr: "null",
  }).output();
  assert.notEqual(down.code, 0);
});
