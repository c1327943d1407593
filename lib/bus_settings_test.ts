import assert from "node:assert/strict";
import { BUS_PASSWORD_ENV, busSettingsOf } from "./bus_settings.ts";
import { parseHubOptions, UsageError } from "./hub_options.ts";

Deno.test("busSettingsOf() is null without --bus: the in-process bus", () => {
  const none = {
    bus: [],
    "bus-ca": "",
    "bus-cert": "",
    "bus-key": "",
    "bus-user": "",
    "bus-creds": "",
  };
  assert.equal(busSettingsOf(none, {}), null);
  assert.equal(parseHubOptions([]).bus, null);
});

Deno.test("parseHubOptions() reads a NATS cluster from repeated --bus, defaulting the port", () => {
  const o = parseHubOptions(["--bus", "nats://n1.lan", "--bus", "nats://10.0.0.2:4333"], {
    TRUSTCAM_BUS_USER: "hub",
    [BUS_PASSWORD_ENV]: "s3cret",
  });
  assert.deepEqual(o.bus, {
    servers: ["n1.lan:4222", "10.0.0.2:4333"],
    tls: false,
    caFile: null,
    certFile: null,
    keyFile: null,
    user: "hub",
    password: "s3cret",
    credsFile: null,
  });
  const env = parseHubOptions([], { TRUSTCAM_BUS: "tls://a:4222,tls://b:4222" }).bus;
  assert.deepEqual(env?.servers, ["a:4222", "b:4222"]);
  assert.equal(env?.tls, true);
});

Deno.test("parseHubOptions() takes TLS files and a creds file for the NATS link", () => {
  const o = parseHubOptions([
    ...["--bus", "tls://127.0.0.1:4222", "--bus-ca", "ca.pem", "--bus-cert", "hub.chain"],
    ...["--bus-key", "hub.key", "--bus-creds", "hub.creds"],
  ]).bus;
  assert.deepEqual(
    [o?.caFile, o?.certFile, o?.keyFile, o?.credsFile],
    ["ca.pem", "hub.chain", "hub.key", "hub.creds"],
  );
});

Deno.test("busSettingsOf() refuses bad URLs and combinations, quoting the value", () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [["--bus", "http://a:4222"], {}, /^Invalid --bus: "http:\/\/a:4222": expected nats:\/\//],
    [["--bus", "a:4222"], {}, /^Invalid --bus: "a:4222": expected nats:\/\//],
    [["--bus", "nats://u:p@a"], {}, /credentials in the URL/],
    [["--bus", "nats://a/x"], {}, /expected no path or query/],
    [["--bus", "nats://a", "--bus", "tls://b"], {}, /mixes nats:\/\/ and tls:\/\//],
    [["--bus", "nats://a", "--bus-ca", "ca.pem"], {}, /^Invalid --bus-ca: "ca.pem": needs tls/],
    [["--bus", "tls://a", "--bus-cert", "c.pem"], {}, /give both or neither/],
    [["--bus-user", "hub"], {}, /^Invalid --bus-user: "hub": needs --bus$/],
    [["--bus", "nats://a"], { [BUS_PASSWORD_ENV]: "x" }, /needs --bus-user/],
    [["--bus", "nats://a", "--bus-creds", "c", "--bus-user", "u"], {}, /not both/],
  ];
  for (const [args, env, message] of cases) {
    assert.throws(() => parseHubOptions(args, env), (err: Error) => {
      assert.ok(err instanceof UsageError, args.join(" "));
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\.$/);
      return true;
    });
  }
});
