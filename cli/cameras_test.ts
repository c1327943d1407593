import assert from "node:assert/strict";
import { join } from "node:path";
import { createTestPki } from "../tests/pki_fixture.ts";
import { DeviceSink } from "../tests/device_sink_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";
import { readStamp } from "../lib/jpeg_com.ts";
import { camerasMain, parseCamerasArgs } from "./cameras.ts";
import { CERT_FILES } from "./cert_dir.ts";
import { planSerials } from "./online_cameras.ts";

async function run(args: string[], signal?: AbortSignal) {
  const lines: string[] = [];
  const code = await camerasMain(args, { signal, log: (l) => lines.push(l) });
  return { code, out: lines.join("\n"), lines };
}

Deno.test("camerasMain() --help prints usage and exits 0", async () => {
  for (const flag of ["--help", "-h"]) {
    const { code, out } = await run([flag]);
    assert.equal(code, 0);
    assert.match(out, /^Usage: deno task cameras/);
    for (const opt of ["--count", "--fps", "--size", "--server", "--certs", "--serial-base"]) {
      assert.ok(out.includes(opt), `usage lacks ${opt}`);
    }
  }
});

Deno.test("camerasMain() exits 2 with a clear message on bad flags", async () => {
  const cases: [string[], RegExp][] = [
    [["--count", "0"], /Invalid --count: "0": must be an integer from 1 to 1000/],
    [["--count", "abc"], /Invalid --count: "abc"/],
    [["--count", "1001"], /Invalid --count: "1001"/],
    [["--fps", "0"], /Invalid --fps: "0": must be a number above 0, at most 120/],
    [["--fps", "fast"], /Invalid --fps: "fast"/],
    [["--size", "hd"], /Invalid --size: "hd": must be qvga or vga/],
    [["--server", "ws://127.0.0.1:5000/ws"], /Invalid --server: .*must be a wss:\/\/ URL/],
    [["--server", "not a url"], /Invalid --server: "not a url": not a URL/],
    [["--serial-base", "CAFE0123"], /Invalid --serial-base: "CAFE0123": must be 8 hex/],
    [["--loop-frames", "1"], /Invalid --loop-frames: "1"/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--cuont", "2"], /Unknown option '--cuont': did you mean --count\?/],
    [["--serial-bse", "0123AAAA"], /Unknown option '--serial-bse': did you mean --serial-base\?/],
    [["stray"], /positional argument/],
  ];
  for (const [args, message] of cases) {
    const { code, out } = await run(args);
    assert.equal(code, 2, `${args.join(" ")} exited ${code}`);
    assert.match(out, message);
    assert.match(out, /Run `deno task cameras --help` for usage/);
  }
});

Deno.test("parseCamerasArgs() applies the documented defaults", () => {
  assert.deepEqual(parseCamerasArgs([]), {
    count: 4,
    fps: 15,
    size: "qvga",
    server: "wss://localhost:5000/ws",
    certs: "certs",
    serialBase: "0123CAFE",
    loopFrames: undefined,
  });
  const o = parseCamerasArgs(["--serial-base", "0123abcd", "--fps", "2.5", "--size", "vga"]);
  assert.ok(o !== "help");
  assert.equal(o.serialBase, "0123ABCD");
  assert.equal(o.fps, 2.5);
  assert.equal(o.size, "vga");
});

Deno.test("camerasMain() exits 1 naming the commands to run when there is no dev CA", async () => {
  const pki = await createTestPki();
  try {
    // Trusted CA certificates present, but no signer key and no device certificates.
    await Deno.remove(join(pki.dir, CERT_FILES.signerKey));
    const { code, out } = await run(["--count", "1", "--certs", pki.dir]);
    assert.equal(code, 1);
    assert.equal(
      out,
      `No device certificate for 0123CAFE0000000001 and no dev CA in ${pki.dir}: ` +
        "run `deno task certs init` or `deno task certs device 0123CAFE0000000001`",
    );
  } finally {
    await pki.cleanup();
  }
  const empty = await Deno.makeTempDir();
  try {
    const { code, out } = await run(["--certs", empty]);
    assert.equal(code, 1);
    assert.match(
      out,
      /Missing trusted CA certificate: .*root-ca\.crt.*: run `deno task certs init`/,
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("camerasMain() runs two cameras over mTLS until aborted, then exits 0", async () => {
  const pki = await createTestPki();
  const sink = new DeviceSink(pki);
  try {
    const port = await sink.listen();
    // Camera 1 has a certificate already; camera 2 gets one from the dev CA.
    const existing = await pki.device("0123CAFE0000000001");
    const devices = join(pki.dir, "devices");
    await Deno.mkdir(devices);
    await Deno.writeTextFile(join(devices, "0123CAFE0000000001.crt"), existing.certPem);
    await Deno.writeTextFile(join(devices, "0123CAFE0000000001.key"), existing.keyPem);
    await Deno.writeTextFile(join(devices, "0123CAFE0000000001.chain"), existing.chainPem);

    const ac = new AbortController();
    const lines: string[] = [];
    const done = camerasMain(
      [
        "--count=2",
        "--fps=10",
        "--loop-frames=3",
        `--server=wss://127.0.0.1:${port}/ws`,
        `--certs=${pki.dir}`,
      ],
      { signal: ac.signal, log: (l) => lines.push(l) },
    );
    const serials = ["0123CAFE0000000001", "0123CAFE0000000002"];
    try {
      await waitFor(
        () => serials.every((s) => sink.frames().filter((f) => f.cn === s).length >= 3),
        20_000,
        "frames from both cameras",
      );
    } finally {
      ac.abort();
    }
    assert.equal(await done, 0);

    assert.deepEqual([...sink.peers].sort(), serials);
    const fp1 = sink.fingerprints[sink.peers.indexOf(serials[0])];
    assert.equal(fp1, existing.fingerprint256, "camera 1 did not use its existing certificate");
    const issued = await Deno.readTextFile(join(devices, "0123CAFE0000000002.crt"));
    assert.match(issued, /BEGIN CERTIFICATE/);
    for (const f of sink.frames()) assert.ok(readStamp(f.data), "frame without a stamp");
    assert.equal(sink.texts().length >= 2, true, "a status from each camera");

    const out = lines.join("\n");
    assert.match(out, /0123CAFE0000000002 issued a device certificate from the dev CA/);
    assert.doesNotMatch(out, /0123CAFE0000000001 issued/);
    assert.match(out, /0123CAFE0000000001 rendered 3 frames in \d+ ms/);
    assert.match(out, /All loops rendered in \d+ ms/);
    for (const s of serials) {
      assert.match(out, new RegExp(`${s} connected to wss://127\\.0\\.0\\.1`));
    }
    assert.match(out, /Stopping 2 cameras/);
    assert.match(out, /Stopped: \d+ frames sent, \d+ skipped/);
    await waitFor(() => sink.closes.length === 2, 10_000, "both connections closed");
    assert.deepEqual(sink.closes, [1000, 1000]);
  } finally {
    await sink.close();
    await pki.cleanup();
  }
});

Deno.test("planSerials() starts after the cameras online, or refuses a chosen base that collides", () => {
  const online = new Set(["0123CAFE0000000001", "0123CAFE0000000002", "0123BEEF0000000001"]);
  assert.deepEqual(planSerials("0123CAFE", 8, new Set(), false), { firstIndex: 1, skipped: [] });
  assert.deepEqual(planSerials("0123CAFE", 8, online, false), {
    firstIndex: 3,
    skipped: ["0123CAFE0000000001", "0123CAFE0000000002"],
  });
  assert.deepEqual(planSerials("0123CAFE", 2, online, true), {
    refused: ["0123CAFE0000000001", "0123CAFE0000000002"],
  });
  assert.deepEqual(planSerials("0123ABCD", 2, online, true), { firstIndex: 1, skipped: [] });
});

Deno.test("parseCamerasArgs() takes several hubs from repeated --server/--hub and comma lists", () => {
  const o = parseCamerasArgs([
    "--server",
    "wss://a:5000/ws,wss://b:5000/ws",
    "--hub",
    "wss://c:5000/ws",
  ]);
  assert.ok(o !== "help");
  assert.deepEqual(o.server, ["wss://a:5000/ws", "wss://b:5000/ws", "wss://c:5000/ws"]);
  const one = parseCamerasArgs(["--hub", "wss://a:5000/ws"]);
  assert.ok(one !== "help");
  assert.equal(one.server, "wss://a:5000/ws");
  assert.throws(() => parseCamerasArgs(["--hub", "wss://a:5000/ws,http://b/ws"]), {
    name: "UsageError",
    message: 'Invalid --hub: "http://b/ws": must be a wss:// URL (the hub needs TLS)',
  });
});
