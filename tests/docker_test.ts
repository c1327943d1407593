/**
 * No Docker engine runs where this project is built, so the image's own commands are run here
 * exactly as the Dockerfile states them (CMD and HEALTHCHECK, same flags and permissions), with
 * the container's volumes replaced by temp dirs through the documented environment variables.
 */
import assert from "node:assert/strict";
import { createTestPki } from "./pki_fixture.ts";
import { issueViewer } from "../cli/cert_dir.ts";
import { waitFor } from "./hub_fixture.ts";
import { OPTIONS } from "../lib/hub_options.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/** The official image's DENO_DIR (denoland/deno_docker sets `ENV DENO_DIR /deno-dir/`). */
const IMAGE_DENO_DIR = "/deno-dir";
const dockerfile = Deno.readTextFileSync(`${ROOT}Dockerfile`);

function jsonInstruction(name: string): string[] {
  // Top-level instructions only: HEALTHCHECK's own indented CMD is not the image's CMD.
  const line = dockerfile.split("\n").find((l) => l.startsWith(`${name} [`));
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

function healthcheckInstruction(): string[] {
  const health = dockerfile.match(/HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/)?.[1];
  assert.ok(health, "HEALTHCHECK ... CMD [json]");
  return JSON.parse(health);
}

/** The value of `--flag=a,b` in `args`, as a list; undefined when absent. */
function listOf(args: string[], flag: string): string[] | undefined {
  return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1).split(",");
}

Deno.test("Dockerfile CMD and HEALTHCHECK grant Deno only listed permissions", () => {
  const instructions: Array<[string, string[]]> = [
    ["CMD", jsonInstruction("CMD")],
    ["HEALTHCHECK", healthcheckInstruction()],
  ];
  for (const [what, args] of instructions) {
    for (const a of args) {
      assert.ok(!["-A", "--allow-all", "--allow-run", "--allow-ffi"].includes(a), `${what}: ${a}`);
      assert.doesNotMatch(a, /^--allow-(read|write|net|env|sys|import)$/, `${what}: bare ${a}`);
      // No native code in the hub nor the health check: sharp runs in the decode process,
      // which gets its own flags (hub/motion_decoder.ts). Two programs by their full paths:
      // ffmpeg (MP4 exports) and nice (the decode process at the lowest priority).
      assert.ok(!a.startsWith("--allow-ffi"), `${what}: ${a}`);
      if (a.startsWith("--allow-run")) {
        assert.equal(a, "--allow-run=/usr/bin/ffmpeg,/usr/bin/nice", what);
      }
    }
    // Every TRUSTCAM_* variable of the option table is readable (a wildcard counts).
    const env = listOf(args, "--allow-env") ?? [];
    for (const { env: name } of OPTIONS) {
      assert.ok(
        env.some((e) => e === name || (e.endsWith("*") && name.startsWith(e.slice(0, -1)))),
        `${what} --allow-env covers ${name}`,
      );
    }
  }
  const cmd = jsonInstruction("CMD");
  assert.deepEqual(listOf(cmd, "--allow-write"), ["data"]);
  assert.deepEqual(listOf(cmd, "--allow-read"), ["."]);
  assert.ok(listOf(cmd, "--deny-read")?.includes("certs/ca"), "the CA keys are out of reach");
  assert.deepEqual(listOf(cmd, "--allow-net"), ["0.0.0.0", "127.0.0.1"]);
  assert.deepEqual(listOf(cmd, "--allow-run"), ["/usr/bin/ffmpeg", "/usr/bin/nice"]);
  assert.deepEqual(listOf(cmd, "--allow-sys"), ["statfs"]);
  // The decode process finds sharp in the image's npm cache: the Dockerfile states where.
  assert.match(dockerfile, new RegExp(`^ENV DENO_DIR=${IMAGE_DENO_DIR}/?$`, "m"));
  assert.equal(
    listOf(healthcheckInstruction(), "--allow-run"),
    undefined,
    "health checks run nothing",
  );
});

/**
 * The image's relative paths as this test's temp dirs stand in for the volumes: `certs` is
 * the test PKI, `data` the temp data dir (both inside the app dir in the image, so `.`
 * covers them there), and the hub binds 127.0.0.1 here instead of 0.0.0.0.
 */
function forTest(args: string[], certs: string, data: string): string[] {
  const path = (p: string) =>
    p === "data"
      ? data
      : p === "certs"
      ? certs
      : p.startsWith("certs/")
      ? `${certs}/${p.slice(6)}`
      : p;
  return args.map((a) => {
    const m = /^(--(?:allow|deny)-(?:read|write))=(.*)$/.exec(a);
    if (m) {
      const list = m[2].split(",").map(path);
      if (m[1] === "--allow-read" && list.includes(".")) list.push(certs, data);
      return `${m[1]}=${list.join(",")}`;
    }
    if (a === "--allow-net=0.0.0.0") return `${a},127.0.0.1`;
    return a;
  });
}

Deno.test("Dockerfile CMD starts the hub with its permissions, and HEALTHCHECK passes under mTLS", async () => {
  const cmd = jsonInstruction("CMD");
  const healthCmd = healthcheckInstruction();
  assert.equal(healthCmd[0], "deno");

  // The image's build step, as the Dockerfile's RUN line does it.
  assert.match(dockerfile, /deno run -A main\.ts --build/);
  const build = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "--build"],
    cwd: ROOT,
  }).output();
  assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));

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
  // which is the repository root here; the volumes' paths point at the temp dirs.
  const args = forTest(cmd, pki.dir, data);
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
    let exited = false;
    hub.status.then(() => exited = true);
    await waitFor(() => output.includes("listen url=") || exited, 30_000, "the hub to listen");
    assert.ok(!exited, `the hub exited early:\n${output}`);
    // Motion detection is on by default: its decode process started at nice 19 and
    // loaded sharp with the grant the hub gives it.
    await waitFor(() => output.includes("motion-decoder pid=") || exited, 30_000, "decoder");
    assert.match(output, /motion-decoder pid=\d+ nice=19/);
    assert.doesNotMatch(output, /motion-decoder-exit/);
    assert.doesNotMatch(output, /creating a development PKI/, "--no-demo creates nothing");
    assert.match(output, /prebuilt in static\/build/, "the image serves the bundle built in it");
    // Its permissions cover the listener watchdog (it dials only itself).
    assert.doesNotMatch(output, /listener state=unprobed/, "may probe its own listener");
    const check = await new Deno.Command(Deno.execPath(), {
      args: forTest(healthCmd.slice(1), pki.dir, data),
      cwd: ROOT,
      env,
    }).output();
    const text = decoder.decode(check.stdout) + decoder.decode(check.stderr);
    assert.equal(check.code, 0, text);
    assert.match(text, /healthz: 200/);
  } finally {
    try {
      hub.kill("SIGTERM");
    } catch {
      // Exited already; the status below tells how.
    }
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
