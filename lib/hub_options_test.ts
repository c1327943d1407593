import assert from "node:assert/strict";
import {
  DEMO_RETAIN_MS,
  OPTIONS,
  parseHubOptions,
  parseHubOptionsWithDemo,
  USAGE,
  UsageError,
  withDemoDefaults,
} from "./hub_options.ts";

Deno.test("parseHubOptions() gives the seed's defaults", () => {
  const o = parseHubOptions([], {});
  assert.equal(o.mode, "run");
  assert.equal(o.port, 5000);
  assert.equal(o.certsDir, "certs");
  assert.equal(o.revocationFile, "certs/revoked.txt");
  assert.equal(o.maxFrameBytes, 2 * 1024 * 1024);
  assert.equal(o.demo, true);
  assert.equal(o.policyFile, null);
});

Deno.test("parseHubOptions() lets flags beat the environment", () => {
  const env = { TRUSTCAM_PORT: "6000", TRUSTCAM_DEMO: "0", TRUSTCAM_CERTS: "/etc/tc" };
  assert.equal(parseHubOptions([], env).port, 6000);
  assert.equal(parseHubOptions([], env).demo, false);
  assert.equal(parseHubOptions([], env).revocationFile, "/etc/tc/revoked.txt");
  assert.equal(parseHubOptions(["--port", "7000"], env).port, 7000);
  assert.equal(parseHubOptions(["--demo"], env).demo, true);
  assert.equal(parseHubOptions(["--no-demo"], {}).demo, false);
});

Deno.test("parseHubOptions() reads lists and modes", () => {
  const o = parseHubOptions(["--public-host", "cam.example", "--public-host", "10.0.0.5,hub"], {});
  assert.deepEqual(o.publicHosts, ["cam.example", "10.0.0.5", "hub"]);
  assert.equal(parseHubOptions(["--help"]).mode, "help");
  assert.equal(parseHubOptions(["--healthcheck"]).mode, "healthcheck");
});

Deno.test("parseHubOptions() reads the recording mode and segment length", () => {
  assert.equal(parseHubOptions([]).record, "off");
  assert.equal(parseHubOptions([]).segmentSeconds, 60);
  const o = parseHubOptions(["--record", "continuous"], { TRUSTCAM_SEGMENT_SECONDS: "10" });
  assert.deepEqual([o.record, o.segmentSeconds], ["continuous", 10]);
  assert.equal(parseHubOptions([], { TRUSTCAM_RECORD: "motion" }).record, "motion");
  assert.throws(() => parseHubOptions(["--record", "always"]), {
    name: "UsageError",
    message: 'Invalid --record: "always": expected off, continuous, motion',
  });
  assert.throws(() => parseHubOptions(["--segment-seconds", "0"]), /below 1/);
});

Deno.test("parseHubOptions() names the bad value and where it came from", () => {
  assert.throws(() => parseHubOptions(["--port", "70000"]), {
    name: "UsageError",
    message: 'Invalid --port: "70000": above 65535',
  });
  assert.throws(() => parseHubOptions([], { TRUSTCAM_STALL_MS: "soon" }), {
    message: 'Invalid TRUSTCAM_STALL_MS: "soon": not a number',
  });
  assert.throws(() => parseHubOptions([], { TRUSTCAM_DEMO: "maybe" }), UsageError);
  assert.throws(() => parseHubOptions(["--serial-pattern", "(["]), /not a regular expression/);
  assert.throws(() => parseHubOptions(["--frobnicate"]), UsageError);
  assert.throws(() => parseHubOptions(["extra"]), UsageError);
});

Deno.test("USAGE lists every flag with its environment variable", () => {
  for (const word of ["--port", "TRUSTCAM_PORT", "--no-demo", "TRUSTCAM_POLICY", "--healthcheck"]) {
    assert.ok(USAGE.includes(word), word);
  }
});

Deno.test("README's configuration table lists every option with its environment and default", () => {
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  const rows = new Map<string, string[]>();
  for (const m of readme.matchAll(/^\| `--([\w-]+)`(?: \/ `--no-[\w-]+`)? +\| (.+) \|$/gm)) {
    rows.set(m[1], m[2].split(" | ").map((c) => c.trim()));
  }
  for (const o of OPTIONS) {
    const row = rows.get(o.flag);
    assert.ok(row, `README has no row for --${o.flag}`);
    assert.deepEqual(row.slice(0, 3), [
      `\`${o.env}\``,
      o.default ? `\`${o.default}\`` : "none",
      o.help,
    ], `--${o.flag}`);
  }
});

Deno.test("parseHubOptions() reads the connection caps, 0 meaning derived or off", () => {
  const d = parseHubOptions([], {});
  assert.equal(d.maxConnections, 0);
  assert.equal(d.maxHandshakesPerAddress, 64);
  const o = parseHubOptions(["--max-connections", "500"], {
    TRUSTCAM_MAX_HANDSHAKES_PER_ADDRESS: "0",
  });
  assert.equal(o.maxConnections, 500);
  assert.equal(o.maxHandshakesPerAddress, 0);
  assert.throws(() => parseHubOptions(["--max-connections=-1"]), {
    message: 'Invalid --max-connections: "-1": below 0',
  });
});

Deno.test("parseHubOptions() reads the number of exports run at once", () => {
  assert.equal(parseHubOptions([]).maxExports, 2);
  assert.equal(parseHubOptions(["--max-exports", "4"]).maxExports, 4);
  assert.equal(parseHubOptions([], { TRUSTCAM_MAX_EXPORTS: "1" }).maxExports, 1);
  assert.throws(() => parseHubOptions(["--max-exports", "0"]), {
    message: 'Invalid --max-exports: "0": below 1',
  });
});

Deno.test("parseHubOptions() reads --record-max-fps, 0 meaning every frame", () => {
  assert.equal(parseHubOptions([]).recordMaxFps, 0);
  assert.equal(parseHubOptions(["--record-max-fps", "2"]).recordMaxFps, 2);
  assert.equal(parseHubOptions([], { TRUSTCAM_RECORD_MAX_FPS: "0.5" }).recordMaxFps, 0.5);
  assert.throws(() => parseHubOptions(["--record-max-fps=-1"]), {
    message: 'Invalid --record-max-fps: "-1": below 0',
  });
  assert.throws(() => parseHubOptions(["--record-max-fps", "61"]), /above 60/);
});

Deno.test("parseHubOptionsWithDemo() records continuous in demo mode unless told otherwise", () => {
  assert.equal(parseHubOptionsWithDemo([]).record, "continuous");
  assert.equal(parseHubOptionsWithDemo(["--no-demo"]).record, "off", "production stays off");
  assert.equal(parseHubOptionsWithDemo([], { TRUSTCAM_DEMO: "0" }).record, "off");
  assert.equal(parseHubOptionsWithDemo(["--record", "off"]).record, "off");
  assert.equal(parseHubOptionsWithDemo([], { TRUSTCAM_RECORD: "motion" }).record, "motion");
  assert.equal(parseHubOptions([]).record, "off", "the table's default is production's");
});

Deno.test("parseHubOptions() reads retention: days, a quota and a free-space floor", () => {
  const d = parseHubOptions([], {});
  assert.deepEqual([d.retainMs, d.retainBytes, d.minFreeBytes], [7 * 86_400_000, null, null]);
  const o = parseHubOptions(["--retain-days", "0.5", "--retain-bytes", "500M"], {
    TRUSTCAM_MIN_FREE_BYTES: "2G",
  });
  assert.deepEqual([o.retainMs, o.retainBytes, o.minFreeBytes], [
    43_200_000,
    500 * 2 ** 20,
    2 * 2 ** 30,
  ]);
  assert.equal(parseHubOptions(["--retain-bytes", "123456"]).retainBytes, 123456);
  assert.equal(parseHubOptions(["--min-free-bytes", "0"]).minFreeBytes, 0);
  assert.throws(() => parseHubOptions(["--retain-bytes", "lots"]), {
    name: "UsageError",
    message:
      'Invalid --retain-bytes: "lots": expected bytes, or a number with K, M, G or T (e.g. 500M, 20G)',
  });
  assert.throws(() => parseHubOptions([], { TRUSTCAM_MIN_FREE_BYTES: "5X" }), {
    message: /^Invalid TRUSTCAM_MIN_FREE_BYTES: "5X": expected bytes/,
  });
  assert.throws(() => parseHubOptions(["--retain-days", "0"]), /below 0.001/);
  assert.ok(USAGE.includes("--retain-bytes SIZE"));
});

Deno.test("withDemoDefaults() keeps 1 h of recordings and events unless told otherwise", () => {
  assert.equal(withDemoDefaults(parseHubOptions([])).retainMs, DEMO_RETAIN_MS);
  assert.equal(withDemoDefaults(parseHubOptions(["--retain-days", "2"])).retainMs, 2 * 86_400_000);
  assert.equal(
    withDemoDefaults(parseHubOptions([], { TRUSTCAM_RETAIN_DAYS: "3" })).retainMs,
    3 * 86_400_000,
  );
  assert.equal(withDemoDefaults(parseHubOptions(["--no-demo"])).retainMs, 7 * 86_400_000);
  assert.equal(withDemoDefaults(parseHubOptions([])).retainEventMs, DEMO_RETAIN_MS);
  assert.equal(
    withDemoDefaults(parseHubOptions(["--retain-event-days", "2"])).retainEventMs,
    2 * 86_400_000,
  );
  assert.equal(withDemoDefaults(parseHubOptions(["--no-demo"])).retainEventMs, 30 * 86_400_000);
});

Deno.test("parseHubOptions() suggests the nearest flag for an unknown one", () => {
  const message = (args: string[]) => {
    try {
      parseHubOptions(args, {});
    } catch (err) {
      assert.ok(err instanceof UsageError);
      return err.message;
    }
    assert.fail(`${args.join(" ")} was accepted`);
  };
  assert.equal(message(["--prot", "5001"]), "Unknown option '--prot': did you mean --port?");
  assert.equal(message(["--no-dmeo"]), "Unknown option '--no-dmeo': did you mean --no-demo?");
  assert.equal(
    message(["--helthcheck"]),
    "Unknown option '--helthcheck': did you mean --healthcheck?",
  );
  assert.equal(message(["--zzzz"]), "Unknown option '--zzzz'");
});

Deno.test("parseHubOptions() reads --recordings-dir, which needs --record off", () => {
  assert.equal(parseHubOptions([], {}).recordingsDir, null);
  const o = parseHubOptions(["--recordings-dir", "/srv/rec/recordings"], {});
  assert.equal(o.recordingsDir, "/srv/rec/recordings");
  assert.throws(
    () => parseHubOptions(["--recordings-dir", "/srv/rec", "--record", "continuous"], {}),
    {
      name: "UsageError",
      message:
        'Invalid --recordings-dir: "/srv/rec": another process writes it, so it needs --record off, not "continuous"',
    },
  );
});
