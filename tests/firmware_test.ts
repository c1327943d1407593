/**
 * The ESP32 firmware's host checks (firmware/test/, also runnable as firmware/test/run.sh):
 * the logic unit tests, the status message against docs/protocol.md, the compile check of the
 * whole sketch against two stub sets (one per ESP32 core / camera driver generation, each
 * pinned to upstream versions), and the host simulation linked from each set, in every scenario.
 * Every build goes to a temp dir; the sketch is copied without a local config.h so the check
 * always uses config.example.h.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_FW_LENGTH, parseDeviceStatus } from "../lib/device_status.ts";

const GXX = "/usr/bin/g++";
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SKETCH = join(ROOT, "firmware", "trustcam_camera");
const TEST = join(ROOT, "firmware", "test");
const STUBS = join(TEST, "stubs");
// core1: arduino-esp32 1.0.4 + its 2019 esp32-camera; core2: arduino-esp32 2.0.x + esp32-camera
// 2.0.x. Both with the libraries in stubs/libs (kmwebnet's WebSockets_Generic fork, rainbowtype).
const SETS = ["core1", "core2"];
const SCENARIOS = ["heartbeat", "blocking", "nopsram"];

function includes(set: string, sketch: string, extra: string[] = []): string[] {
  return [...extra, join(STUBS, set), join(STUBS, "libs"), sketch].flatMap((d) => ["-I", d]);
}
// Arduino-ESP32 1.0.x compiles sketches as gnu++11; newer cores use later standards.
const STANDARDS = ["gnu++11", "gnu++17"];
// -Wno-error=cpp: without config.h the sketch says so with #warning, which must not fail.
const WARNINGS = ["-Wall", "-Wextra", "-Werror", "-Wno-error=cpp"];

interface Run {
  code: number;
  out: string;
}

async function run(cmd: string, args: string[]): Promise<Run> {
  // LC_ALL=C: plain ASCII quotes in g++ diagnostics.
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    env: { LC_ALL: "C" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, out: decoder.decode(stdout) + decoder.decode(stderr) };
}

async function gxx(args: string[]): Promise<Run> {
  return await run(GXX, args);
}

/**
 * Copies the sketch folder without config.h into `<dir>/sketch`, applying `edit` to the .ino and
 * `editConfig` to config.example.h.
 */
async function copySketch(
  dir: string,
  edit?: (ino: string) => string,
  editConfig?: (config: string) => string,
): Promise<string> {
  const target = join(dir, "sketch");
  await Deno.mkdir(target);
  for await (const entry of Deno.readDir(SKETCH)) {
    if (!entry.isFile || entry.name === "config.h") continue;
    await Deno.copyFile(join(SKETCH, entry.name), join(target, entry.name));
  }
  if (edit) {
    const ino = join(target, "trustcam_camera.ino");
    await Deno.writeTextFile(ino, edit(await Deno.readTextFile(ino)));
  }
  if (editConfig) {
    const config = join(target, "config.example.h");
    await Deno.writeTextFile(config, editConfig(await Deno.readTextFile(config)));
  }
  return target;
}

/** The failover scenario's build: hub B as the one fallback (firmware/test/sketch_sim.cpp). */
function withFallback(config: string): string {
  return replaceOnce(
    config,
    '#define HUB_FALLBACKS ""\n',
    '#define HUB_FALLBACKS "hub-b.example.com:5001"\n',
  );
}

/** Replaces exactly one occurrence, failing loudly if the sketch no longer contains `from`. */
function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  assert.notEqual(at, -1, `sketch no longer contains: ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

function syntaxCheck(sketch: string, std: string, set = "core1", extra: string[] = []) {
  return gxx([
    `-std=${std}`,
    ...WARNINGS,
    "-fsyntax-only",
    ...includes(set, sketch, extra),
    "-include",
    "Arduino.h",
    "-x",
    "c++",
    join(sketch, "trustcam_camera.ino"),
  ]);
}

/** Builds the sketch + logic + simulation into `<dir>/sim`; returns the failed step if any. */
async function buildSim(dir: string, sketch: string, set = "core1"): Promise<Run> {
  const flags = ["-std=gnu++11", ...WARNINGS, ...includes(set, sketch)];
  const steps = await Promise.all([
    gxx([
      ...flags,
      "-include",
      "Arduino.h",
      "-x",
      "c++",
      "-c",
      join(sketch, "trustcam_camera.ino"),
      "-o",
      join(dir, "sketch.o"),
    ]),
    gxx([...flags, "-c", join(sketch, "trustcam_logic.cpp"), "-o", join(dir, "logic.o")]),
    gxx([...flags, "-c", join(TEST, "sketch_sim.cpp"), "-o", join(dir, "sim.o")]),
    gxx([...flags, "-c", join(TEST, "sim_fakes.cpp"), "-o", join(dir, "fakes.o")]),
  ]);
  const failed = steps.find((s) => s.code !== 0);
  if (failed) return failed;
  return await gxx([
    join(dir, "sketch.o"),
    join(dir, "logic.o"),
    join(dir, "sim.o"),
    join(dir, "fakes.o"),
    "-o",
    join(dir, "sim"),
  ]);
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_fw_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function buildLogicTest(dir: string): Promise<string> {
  const exe = join(dir, "logic_test");
  const build = await gxx([
    "-std=gnu++11",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-I",
    SKETCH,
    join(TEST, "logic_test.cpp"),
    join(SKETCH, "trustcam_logic.cpp"),
    "-o",
    exe,
  ]);
  assert.equal(build.code, 0, build.out);
  return exe;
}

/** The JSON example under "Device to hub: `status`" in docs/protocol.md. */
async function documentedStatus(): Promise<Record<string, unknown>> {
  const doc = await Deno.readTextFile(join(ROOT, "docs", "protocol.md"));
  const section = doc.indexOf("### Device to hub: `status`");
  assert.notEqual(section, -1, "docs/protocol.md has no status section");
  const block = /```json\n([\s\S]*?)\n```/.exec(doc.slice(section));
  assert.ok(block, "the status section has no JSON example");
  return JSON.parse(block[1]);
}

Deno.test("firmware logic_test passes on the host", async () => {
  await withTempDir(async (dir) => {
    const exe = await buildLogicTest(dir);
    const result = await run(exe, []);
    assert.equal(result.code, 0, result.out);
    const summary = /^(\d+) passed, 0 failed$/m.exec(result.out);
    assert.ok(summary, `no pass line in:\n${result.out}`);
    assert.ok(Number(summary[1]) >= 100, `only ${summary[1]} checks ran`);
  });
});

Deno.test("firmware format_status() writes the status example of docs/protocol.md", async () => {
  await withTempDir(async (dir) => {
    const exe = await buildLogicTest(dir);
    const result = await run(exe, ["--status-example"]);
    assert.equal(result.code, 0, result.out);
    const sent = JSON.parse(result.out);
    const documented = await documentedStatus();
    assert.deepEqual(sent, documented);
    assert.deepEqual(Object.keys(sent), Object.keys(documented));
  });
});

Deno.test("firmware status messages pass the hub's parseDeviceStatus()", async () => {
  await withTempDir(async (dir) => {
    const exe = await buildLogicTest(dir);
    const result = await run(exe, ["--status-samples"]);
    assert.equal(result.code, 0, result.out);
    const lines = result.out.trimEnd().split("\n");
    assert.equal(lines.length, 7, result.out);
    const now = new Date("2026-11-23T10:00:00.000Z");
    for (const line of lines) {
      const { type, ...fields } = JSON.parse(line);
      assert.equal(type, "status");
      // Throws (the hub would count the message as bad) for anything off the format.
      assert.deepEqual(parseDeviceStatus(line, now), { ...fields, at: now.toISOString() });
      if (fields.fw !== undefined) assert.ok([...fields.fw].length <= MAX_FW_LENGTH, line);
    }
    // The escaped and the cut fw strings came through intact.
    assert.equal(JSON.parse(lines[1]).fw, 'a"b\\c\nd\x01\x7f');
    assert.equal(JSON.parse(lines[2]).fw, "\u00e9".repeat(32));
    assert.equal(JSON.parse(lines[4]).fw, "c".repeat(60) + "\u{1F600}");
    assert.equal(JSON.parse(lines[5]).fw, "d".repeat(62));
  });
});

Deno.test("firmware sketch compiles against the stub headers", async () => {
  await withTempDir(async (dir) => {
    const sketch = await copySketch(dir);
    const builds = SETS.flatMap((set) => STANDARDS.map((std) => ({ set, std })));
    const results = await Promise.all(builds.map((b) => syntaxCheck(sketch, b.std, b.set)));
    results.forEach((r, i) =>
      assert.equal(r.code, 0, `${builds[i].set} ${builds[i].std}:\n${r.out}`)
    );
    // The only diagnostic is the notice that config.example.h is in use.
    assert.match(results[0].out, /config\.h not found/);
    assert.doesNotMatch(results[0].out, /error/);
  });
});

Deno.test("firmware sketch links with the stubs and passes the host simulation", async () => {
  await withTempDir(async (dir) => {
    const sketch = await copySketch(dir);
    for (const set of SETS) {
      const out = join(dir, set);
      await Deno.mkdir(out);
      const build = await buildSim(out, sketch, set);
      assert.equal(build.code, 0, `${set}:\n${build.out}`);
      const sim = await run(join(out, "sim"), []);
      assert.equal(sim.code, 0, `${set}:\n${sim.out}`);
      assert.match(sim.out, /^sim ok: 320 s simulated, \d+ captures, \d+ frames sent/m);
      for (const scenario of SCENARIOS) {
        const more = await run(join(out, "sim"), [scenario]);
        assert.equal(more.code, 0, `${set} ${scenario}:\n${more.out}`);
        assert.match(more.out, new RegExp(`^sim ok \\(${scenario}\\): \\d+ s simulated`, "m"));
      }
    }
  });
});

Deno.test("firmware simulation moves to the next hub address on a refused or lost connection", async () => {
  await withTempDir(async (dir) => {
    const sketch = await copySketch(dir, undefined, withFallback);
    for (const set of SETS) {
      const out = join(dir, set);
      await Deno.mkdir(out);
      const build = await buildSim(out, sketch, set);
      assert.equal(build.code, 0, `${set}:\n${build.out}`);
      const sim = await run(join(out, "sim"), ["failover"]);
      assert.equal(sim.code, 0, `${set}:\n${sim.out}`);
      assert.match(sim.out, /^sim ok \(failover\): 100 s simulated, .* 3 connection attempts$/m);
    }
  });
});

Deno.test("firmware sketch compiles with a config.h written before HUB_FALLBACKS", async () => {
  await withTempDir(async (dir) => {
    const sketch = await copySketch(
      dir,
      undefined,
      (config) => replaceOnce(config, '#define HUB_FALLBACKS ""\n', ""),
    );
    const config = await Deno.readTextFile(join(sketch, "config.example.h"));
    assert.doesNotMatch(config, /^#define HUB_FALLBACKS/m);
    const result = await syntaxCheck(sketch, "gnu++11");
    assert.equal(result.code, 0, result.out);
  });
});

Deno.test("firmware simulation catches a sketch that stays on a dead hub address", async () => {
  await withTempDir(async (dir) => {
    const sketch = await copySketch(
      dir,
      (ino) => replaceOnce(ino, "g_hub_index = tc::hub_list_next(&g_hubs, g_hub_index);", ""),
      withFallback,
    );
    const build = await buildSim(dir, sketch);
    assert.equal(build.code, 0, build.out);
    const sim = await run(join(dir, "sim"), ["failover"]);
    assert.equal(sim.code, 1, sim.out);
    assert.match(
      sim.out,
      /SIM FAIL .*attempts went to hub\.example\.com:5000 hub\.example\.com:5000/,
    );
  });
});

Deno.test("firmware compile check refuses khoih-prog's WebSockets_Generic with the sketch's #error", async () => {
  await withTempDir(async (dir) => {
    const sketch = await copySketch(dir);
    const result = await syntaxCheck(sketch, "gnu++11", "core1", [join(STUBS, "wrong_lib")]);
    assert.notEqual(result.code, 0, "the sketch compiled with the Library Manager's library");
    assert.match(
      result.out,
      /error: #error "Wrong WebSockets_Generic: this is khoih-prog's from the Library Manager, which presents no client certificate\. Remove it and install kmwebnet\/WebSockets_Generic/,
    );
  });
});

Deno.test("firmware compile check fails for an API absent from one core's stub set", async () => {
  await withTempDir(async (dir) => {
    // grab_mode exists only in the 2.x camera driver: outside the core guard core1 fails.
    const unguarded = await copySketch(dir, (ino) =>
      replaceOnce(
        ino,
        "#if TRUSTCAM_CAMERA_DRIVER_2\n  // With several buffers",
        "#if 1\n  // With several buffers",
      ));
    const [old, current] = await Promise.all(
      ["core1", "core2"].map((set) => syntaxCheck(unguarded, "gnu++11", set)),
    );
    assert.notEqual(old.code, 0, "core1 accepted grab_mode");
    assert.match(old.out, /'struct camera_config_t' has no member named 'grab_mode'/);
    assert.equal(current.code, 0, current.out);
  });
  await withTempDir(async (dir) => {
    // The 2.x driver keeps pin_sscb_* only as deprecated aliases: -Werror turns them into errors.
    const old = await copySketch(
      dir,
      (ino) => replaceOnce(ino, "config.pin_sccb_sda = 26;", "config.pin_sscb_sda = 26;"),
    );
    const result = await syntaxCheck(old, "gnu++11", "core2");
    assert.notEqual(result.code, 0, "core2 accepted pin_sscb_sda");
    assert.match(result.out, /pin_sscb_sda.* is deprecated: please use pin_sccb_sda instead/);
  });
});

Deno.test("firmware simulation catches heartbeat state kept across a reconnect", async () => {
  // Without beginSslWithCA before each attempt, the miss counted on the dead link drops the
  // next connection at its first pong timeout.
  await withTempDir(async (dir) => {
    const sketch = await copySketch(
      dir,
      (ino) => replaceOnce(ino, "    hub_begin();\n", "    g_ws.setReconnectInterval(0);\n"),
    );
    const build = await buildSim(dir, sketch);
    assert.equal(build.code, 0, build.out);
    const sim = await run(join(dir, "sim"), ["heartbeat"]);
    assert.equal(sim.code, 1, sim.out);
    assert.match(sim.out, /SIM FAIL .*4 connections, expected 3/);
  });
});

Deno.test("firmware simulation catches catch-up frames after a blocked loop()", async () => {
  await withTempDir(async (dir) => {
    const sketch = await copySketch(
      dir,
      (ino) =>
        replaceOnce(
          ino,
          "tc::pacer_advance(&g_frame_pacer, now_ms());",
          "g_frame_pacer.next_due_ms += 1000 / TARGET_FPS;",
        ),
    );
    const build = await buildSim(dir, sketch);
    assert.equal(build.code, 0, build.out);
    const sim = await run(join(dir, "sim"), ["blocking"]);
    assert.equal(sim.code, 1, sim.out);
    assert.match(sim.out, /SIM FAIL .*captures in the second after a block ended/);
  });
});

Deno.test("firmware compile check fails when a closing brace is missing", async () => {
  await withTempDir(async (dir) => {
    const sketch = await copySketch(dir, (ino) => {
      const last = ino.lastIndexOf("}");
      assert.notEqual(last, -1);
      return ino.slice(0, last) + ino.slice(last + 1);
    });
    const result = await syntaxCheck(sketch, "gnu++11");
    assert.notEqual(result.code, 0, "g++ accepted a sketch with a brace missing");
    assert.match(result.out, /error: expected '}' at end of input/);
  });
});

Deno.test("firmware compile check rejects handing a null frame buffer back", async () => {
  await withTempDir(async (dir) => {
    const sketch = await copySketch(
      dir,
      (ino) => replaceOnce(ino, "esp_camera_fb_return(held);", "esp_camera_fb_return(nullptr);"),
    );
    const result = await syntaxCheck(sketch, "gnu++11");
    assert.notEqual(result.code, 0, "g++ accepted esp_camera_fb_return(nullptr)");
    assert.match(result.out, /use of deleted function 'void esp_camera_fb_return\(/);
  });
});

Deno.test("firmware simulation catches a failed capture handed back to the driver", async () => {
  // The seed's bug: on a failed capture it called esp_camera_fb_return(fb) with fb == NULL.
  await withTempDir(async (dir) => {
    const sketch = await copySketch(
      dir,
      (ino) =>
        replaceOnce(
          ino,
          'LOG_W("camera capture failed");',
          'LOG_W("camera capture failed");\n    esp_camera_fb_return(fb);',
        ),
    );
    const build = await buildSim(dir, sketch);
    assert.equal(build.code, 0, build.out);
    const sim = await run(join(dir, "sim"), []);
    assert.equal(sim.code, 1, sim.out);
    assert.match(sim.out, /SIM FAIL .*esp_camera_fb_return\(NULL\)/);
  });
});
