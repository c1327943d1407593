import assert from "node:assert/strict";
import { type MqttOptionValues, mqttSettingsOf } from "./mqtt_settings.ts";
import { parseHubOptions } from "./hub_options.ts";

const NONE: MqttOptionValues = {
  mqtt: "",
  "mqtt-ca": "",
  "mqtt-cert": "",
  "mqtt-key": "",
  "mqtt-username": "",
  "mqtt-prefix": "trustcam",
  "mqtt-snapshot-seconds": 10,
};

Deno.test("mqttSettingsOf() is null without --mqtt", () => {
  assert.equal(mqttSettingsOf(NONE, {}), null);
  assert.equal(parseHubOptions([]).mqtt, null);
});

Deno.test("parseHubOptions() reads the broker, defaulting the port per scheme", () => {
  const o = parseHubOptions(["--mqtt", "mqtt://broker.lan", "--mqtt-username", "hub"], {
    TRUSTCAM_MQTT_PASSWORD: "s3cret",
    TRUSTCAM_MQTT_SNAPSHOT_SECONDS: "2.5",
  });
  assert.deepEqual(o.mqtt, {
    url: "mqtt://broker.lan:1883",
    caFile: null,
    certFile: null,
    keyFile: null,
    username: "hub",
    password: "s3cret",
    prefix: "trustcam",
    snapshotMs: 2500,
  });
  const tls = parseHubOptions([
    ...["--mqtt", "mqtts://10.0.0.2", "--mqtt-ca", "ca.pem", "--mqtt-cert", "hub.chain"],
    ...["--mqtt-key", "hub.key", "--mqtt-prefix", "home/cams"],
  ]).mqtt;
  assert.equal(tls?.url, "mqtts://10.0.0.2:8883");
  assert.deepEqual([tls?.caFile, tls?.certFile, tls?.keyFile], ["ca.pem", "hub.chain", "hub.key"]);
  assert.equal(tls?.prefix, "home/cams");
  assert.equal(parseHubOptions(["--mqtt", "mqtt://[::1]:1884"]).mqtt?.url, "mqtt://[::1]:1884");
});

Deno.test("parseHubOptions() refuses a bad MQTT setting, naming it", () => {
  const cases: Array<[string[], string]> = [
    [
      ["--mqtt", "http://broker"],
      'Invalid --mqtt: "http://broker": expected mqtt://host:1883 or mqtts://host:8883',
    ],
    [
      ["--mqtt", "broker:1883"],
      'Invalid --mqtt: "broker:1883": expected mqtt://host:1883 or mqtts://host:8883',
    ],
    [
      ["--mqtt", "mqtt://hub:pw@broker"],
      "Invalid --mqtt: credentials in the URL: use --mqtt-username and TRUSTCAM_MQTT_PASSWORD",
    ],
    [["--mqtt", "mqtt://broker/x"], 'Invalid --mqtt: "mqtt://broker/x": expected no path or query'],
    [
      ["--mqtt", "mqtt://broker", "--mqtt-ca", "ca.pem"],
      'Invalid --mqtt-ca: "ca.pem": needs an mqtts:// broker',
    ],
    [
      ["--mqtt", "mqtts://broker", "--mqtt-cert", "hub.chain"],
      "Invalid --mqtt-cert and --mqtt-key: give both or neither",
    ],
    [
      ["--mqtt", "mqtt://broker", "--mqtt-prefix", "cams/#"],
      'Invalid --mqtt-prefix: "cams/#": expected topic levels without +, # or $',
    ],
    [["--mqtt-snapshot-seconds", "0"], 'Invalid --mqtt-snapshot-seconds: "0": below 0.1'],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseHubOptions(args), { name: "UsageError", message }, args.join(" "));
  }
});
