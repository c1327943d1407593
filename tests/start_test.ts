/**
 * `deno task start` as a newcomer runs it: an empty directory, one command, a live hub with
 * four simulated cameras; Ctrl-C ends it all.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { request, waitFor } from "./hub_fixture.ts";
import { launchChromium } from "../harness/chromium.ts";
import { initPki } from "../cli/cert_dir.ts";
import { startMain } from "./spawn_fixture.ts";

const ROOT = new URL("..", import.meta.url).pathname;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Processes whose command line mentions `marker` (our temp dir), other than `except`. */
function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (cmd.includes(marker)) pids.push(Number(e.name));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

Deno.test("deno task start brings up the hub and 4 cameras from an empty directory, and SIGINT stops it all", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_start_" });
  const port = freePort();
  const run = startMain(dir, ["--port", String(port), "--host", "127.0.0.1"]);
  try {
    await waitFor(() => run.output.includes("Ctrl-C stops everything"), 60_000, "the banner");
    assert.match(run.output, /Browser certificate: certs\/viewers\/demo-viewer\.p12/);
    const password = run.output.match(/Password: +(\S+)/)?.[1];
    assert.ok(password && password.length >= 16, "the banner prints the .p12 password");
    assert.match(run.output, /Recording: continuous by default \(the demo's default;/);
    assert.match(run.output, /^ {4}certificate certs\/viewers\/demo-viewer\.chain$/m);
    assert.match(run.output, /^ {4}key {9}certs\/viewers\/demo-viewer\.key$/m);
    assert.match(run.output, /^ {4}CA {10}certs\/root-ca\.crt$/m);
    const ffmpegLine = run.output.match(/^ {2}(ffmpeg .*)$/m)?.[1];
    assert.ok(ffmpegLine?.includes(`https://localhost:${port}/`), "the banner's ffmpeg line");

    const certs = `${dir}/certs`;
    const ca = Deno.readTextFileSync(`${certs}/root-ca.crt`) +
      Deno.readTextFileSync(`${certs}/signer-ca.crt`);
    const viewer = {
      chainPem: Deno.readTextFileSync(`${certs}/viewers/demo-viewer.chain`),
      keyPem: Deno.readTextFileSync(`${certs}/viewers/demo-viewer.key`),
    } as Parameters<typeof request>[2];
    let online = 0;
    const deadline = Date.now() + 30_000;
    while (online < 4 && Date.now() < deadline) {
      // A failure says what the hub logged (refusals, listener restarts) as well.
      const res = await request(port, ca, viewer, "/api/cameras").catch((err) => {
        throw new Error(`GET /api/cameras failed: ${err.message}\n${run.output.slice(-3000)}`, {
          cause: err,
        });
      });
      const cameras = (res.json() as { cameras: { state: string; frames: number }[] }).cameras;
      online = cameras.filter((c) => c.state === "online" && c.frames > 0).length;
      if (online < 4) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(online, 4, "4 simulated cameras online and streaming");
    // The banner's ffmpeg line works as printed, from where `deno task start` ran.
    const ffmpeg = await new Deno.Command("sh", {
      args: ["-c", ffmpegLine!],
      cwd: dir,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(ffmpeg.code, 0, new TextDecoder().decode(ffmpeg.stderr));
    assert.ok(Deno.statSync(`${dir}/live.mkv`).size > 0, "the capture was written");
    // A browser holding the printed .p12 and password sees the live wall. Playwright's TLS
    // proxy would decode a `pfx` with Deno's node:tls, whose PKCS#12 reader (new in Deno 2.8)
    // still rejects some valid files that OpenSSL, NSS and Keychain import; so the bundle is
    // opened with the printed password by openssl, and the browser presents what it holds.
    const p12 = `${certs}/viewers/demo-viewer.p12`;
    const pem = await new Deno.Command("openssl", {
      args: ["pkcs12", "-in", p12, "-nodes", "-passin", `pass:${password}`],
    }).output();
    assert.equal(pem.code, 0, "the printed password opens the printed .p12");
    const bundle = new TextDecoder().decode(pem.stdout);
    const key = bundle.match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----/)?.[0];
    const chain = bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g);
    assert.ok(key && chain && chain.length >= 2, "the .p12 holds the key and the chain");
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({
        ignoreHTTPSErrors: true, // playwright's proxy cannot be given our CA; see harness/chromium.ts
        clientCertificates: [{
          origin: `https://127.0.0.1:${port}`,
          cert: Buffer.from(chain.join("\n")),
          key: Buffer.from(key),
        }],
      });
      const page = await context.newPage();
      await page.goto(`https://127.0.0.1:${port}/`);
      await page.waitForFunction(
        () => document.querySelectorAll('[data-tile][data-state="online"]').length === 4,
        undefined,
        { timeout: 20_000 },
      );
      await context.close();
    } finally {
      await browser.close();
    }

    const mode = Deno.statSync(`${certs}/server.key`).mode! & 0o777;
    assert.equal(mode, 0o600, "private keys are 0600");
    for (const key of ["root-ca.key", "signer-ca.key"]) {
      assert.ok(
        Deno.statSync(`${certs}/ca/${key}`).isFile,
        `the dev CA key ${key} is in certs/ca/`,
      );
      assert.throws(() => Deno.statSync(`${certs}/${key}`), Deno.errors.NotFound);
    }

    run.child.kill("SIGINT");
    const status = await run.finish();
    assert.equal(status.code, 0, run.output.slice(-2000));
    assert.match(run.output, /Stopping \(SIGINT\)/);
    assert.match(run.output, /stopped/);
    await waitFor(() => processesMentioning(dir).length === 0, 5000, "no process left");
  } finally {
    try {
      run.child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await run.finish();
  }

  // A second start reuses what the first created: same CA, same viewer, same password.
  // Its CA keys are where earlier versions kept them, beside the hub's files: the demo moves them.
  const rootBefore = Deno.readTextFileSync(`${dir}/certs/root-ca.crt`);
  const signerKey = Deno.readTextFileSync(`${dir}/certs/ca/signer-ca.key`);
  for (const key of ["root-ca.key", "signer-ca.key"]) {
    Deno.renameSync(`${dir}/certs/ca/${key}`, `${dir}/certs/${key}`);
  }
  const again = startMain(dir, ["--port", String(port), "--host", "127.0.0.1"]);
  try {
    await waitFor(() => again.output.includes("Ctrl-C stops everything"), 60_000, "the banner");
    assert.doesNotMatch(again.output, /creating a development PKI/);
    assert.equal(Deno.readTextFileSync(`${dir}/certs/root-ca.crt`), rootBefore);
    assert.match(
      again.output,
      /^Moved the CA key certs\/signer-ca\.key to certs\/ca\/signer-ca\.key: the hub refuses CA keys beside its own files$/m,
    );
    assert.equal(Deno.readTextFileSync(`${dir}/certs/ca/signer-ca.key`), signerKey);
    again.child.kill("SIGTERM");
    assert.equal((await again.finish()).code, 0);
  } finally {
    try {
      again.child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await again.finish();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts stops with one clear message when a certificate file is missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_nocerts_" });
  try {
    const run = startMain(dir, ["--no-demo", "--port", "0", "--host", "127.0.0.1"]);
    const status = await run.finish();
    assert.equal(status.code, 1);
    assert.match(run.output, /error: Cannot read "certs\/server\.key": missing/);
    assert.match(run.output, /deno task certs init/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts --no-demo refuses a CA private key in the hub's certificates directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_cakey_" });
  try {
    await initPki(`${dir}/certs`);
    Deno.copyFileSync(`${dir}/certs/ca/signer-ca.key`, `${dir}/certs/signer-ca.key`);
    const run = startMain(dir, ["--no-demo", "--port", "0", "--host", "127.0.0.1"]);
    const status = await run.finish();
    assert.equal(status.code, 1, run.output);
    assert.match(
      run.output,
      /^error: CA private key in the hub's certificates directory: "certs\/signer-ca\.key": move it to "certs\/ca\/signer-ca\.key"/m,
    );
    assert.doesNotMatch(run.output, /listen url=/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts --help documents every option and exits 0; a bad flag exits 2", async () => {
  const help = startMain(ROOT, ["--help"]);
  assert.equal((await help.finish()).code, 0);
  assert.match(help.output, /--max-frame-bytes N/);
  const bad = startMain(ROOT, ["--port", "nope"]);
  assert.equal((await bad.finish()).code, 2);
  assert.match(bad.output, /error: Invalid --port: "nope": not a number/);
});
