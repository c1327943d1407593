/**
 * The MQTT bridge's settings from the `--mqtt*` options and `TRUSTCAM_MQTT_PASSWORD`, checked
 * without touching anything (hub/mqtt_bridge.ts reads the files when it starts).
 */
import { UsageError } from "./usage_error.ts";
import { isTopicPrefix } from "./ha_discovery.ts";

/** The only place the password is read: a flag would show in `ps`. */
export const MQTT_PASSWORD_ENV = "TRUSTCAM_MQTT_PASSWORD";

export interface MqttSettings {
  /** `mqtt://host:port` or `mqtts://host:port`, without credentials. */
  url: string;
  /** PEM file(s) trusted for `mqtts`; null = the system roots plus `<certs>/root-ca.crt`. */
  caFile: string | null;
  /** Client certificate chain and key (PEM) for `mqtts`; null = none. */
  certFile: string | null;
  keyFile: string | null;
  username: string | null;
  password: string | null;
  /** Topic prefix: `<prefix>/status`, `<prefix>/<serial>/image`... */
  prefix: string;
  /** Interval of each online camera's snapshot on its image topic. */
  snapshotMs: number;
}

export interface MqttOptionValues {
  mqtt: string;
  "mqtt-ca": string;
  "mqtt-cert": string;
  "mqtt-key": string;
  "mqtt-username": string;
  "mqtt-prefix": string;
  "mqtt-snapshot-seconds": number;
}

/** null when `--mqtt` is empty (no bridge); throws {@link UsageError} on a bad combination. */
export function mqttSettingsOf(
  v: MqttOptionValues,
  env: Record<string, string | undefined>,
): MqttSettings | null {
  if (v.mqtt === "") return null;
  const bad = (flag: string, value: string, why: string) =>
    new UsageError(`Invalid --${flag}: "${value}": ${why}`);
  let url: URL;
  try {
    url = new URL(v.mqtt);
  } catch {
    throw bad("mqtt", v.mqtt, "expected mqtt://host:1883 or mqtts://host:8883");
  }
  if ((url.protocol !== "mqtt:" && url.protocol !== "mqtts:") || url.hostname === "") {
    throw bad("mqtt", v.mqtt, "expected mqtt://host:1883 or mqtts://host:8883");
  }
  if (url.username || url.password) {
    throw new UsageError(
      `Invalid --mqtt: credentials in the URL: use --mqtt-username and ${MQTT_PASSWORD_ENV}`,
    );
  }
  if (url.pathname !== "" && url.pathname !== "/" || url.search || url.hash) {
    throw bad("mqtt", v.mqtt, "expected no path or query");
  }
  const tls = url.protocol === "mqtts:";
  for (const flag of ["mqtt-ca", "mqtt-cert", "mqtt-key"] as const) {
    if (v[flag] !== "" && !tls) throw bad(flag, v[flag], "needs an mqtts:// broker");
  }
  if ((v["mqtt-cert"] === "") !== (v["mqtt-key"] === "")) {
    throw new UsageError("Invalid --mqtt-cert and --mqtt-key: give both or neither");
  }
  if (!isTopicPrefix(v["mqtt-prefix"])) {
    throw bad("mqtt-prefix", v["mqtt-prefix"], "expected topic levels without +, # or $");
  }
  const port = url.port || (tls ? "8883" : "1883");
  return {
    url: `${url.protocol}//${url.hostname}:${port}`,
    caFile: v["mqtt-ca"] || null,
    certFile: v["mqtt-cert"] || null,
    keyFile: v["mqtt-key"] || null,
    username: v["mqtt-username"] || null,
    password: env[MQTT_PASSWORD_ENV] || null,
    prefix: v["mqtt-prefix"],
    snapshotMs: Math.round(v["mqtt-snapshot-seconds"] * 1000),
  };
}
