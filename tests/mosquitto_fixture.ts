/**
 * A real mosquitto broker on 127.0.0.1 for the MQTT tests (Debian's package; `.ci/run`
 * installs it), started from a generated config on a free port, and an MQTT client that
 * records what it receives. Both are closed by `close()`; tests use `await using`.
 */
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { MqttSettings } from "../lib/mqtt_settings.ts";
import { spawnCollecting, type Spawned } from "./spawn_fixture.ts";
import { waitFor } from "./wait_for.ts";

const MOSQUITTO = (() => {
  try {
    Deno.statSync("/usr/sbin/mosquitto");
    return "/usr/sbin/mosquitto";
  } catch {
    return "mosquitto";
  }
})();

export interface BrokerTls {
  certFile: string;
  keyFile: string;
  /** CAs client certificates must chain to. */
  caFile: string;
  /** `require_certificate true`: no client certificate, no connection. */
  requireCertificate: boolean;
}

export interface Broker extends AsyncDisposable {
  readonly port: number;
  /** `mqtt://127.0.0.1:PORT` or `mqtts://127.0.0.1:PORT` (the test server certificate has that IP). */
  readonly url: string;
  /** SIGKILL: the broker vanishes mid-stream, without a clean close. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a broker that stops reading, keeping its connections open. */
  pause(): void;
  resume(): void;
  /** Starts the broker again on the same port (and with no retained messages). */
  start(): Promise<void>;
  /** Everything the broker logged, all its runs. */
  output(): string;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 now (the broker binds it a moment later). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export async function startBroker(tls?: BrokerTls): Promise<Broker> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_mosquitto_" });
  let port = 0;
  let run: { spawned: Spawned; status: Promise<Deno.CommandStatus>; exited: boolean } | undefined;
  let logs = "";

  // Started as root, mosquitto reads its TLS files as the user `mosquitto`: copies it may read.
  let files: BrokerTls | undefined;
  if (tls) {
    await Deno.chmod(dir, 0o755);
    const copy = async (path: string, name: string) => {
      await Deno.copyFile(path, `${dir}/${name}`);
      await Deno.chmod(`${dir}/${name}`, 0o644);
      return `${dir}/${name}`;
    };
    files = {
      certFile: await copy(tls.certFile, "server.crt"),
      keyFile: await copy(tls.keyFile, "server.key"),
      caFile: await copy(tls.caFile, "ca.crt"),
      requireCertificate: tls.requireCertificate,
    };
  }

  const launch = async (): Promise<boolean> => {
    const conf = [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      // stderr: unbuffered, so the "running" line arrives at once.
      "log_dest stderr",
      ...(files
        ? [
          `certfile ${files.certFile}`,
          `keyfile ${files.keyFile}`,
          `cafile ${files.caFile}`,
          `require_certificate ${files.requireCertificate}`,
        ]
        : []),
    ].join("\n");
    await Deno.writeTextFile(`${dir}/mosquitto.conf`, conf + "\n");
    const spawned = spawnCollecting(MOSQUITTO, ["-c", `${dir}/mosquitto.conf`]);
    const r = { spawned, status: spawned.child.status, exited: false };
    r.status.then(() => r.exited = true);
    run = r;
    try {
      await waitFor(
        () => r.exited || / running$/m.test(spawned.output()),
        5000,
        "mosquitto to start",
      );
    } catch (err) {
      spawned.child.kill("SIGKILL");
      await r.status;
      await spawned.drained;
      throw err;
    }
    if (!r.exited) return true;
    await spawned.drained;
    logs += spawned.output();
    run = undefined;
    return false;
  };

  const stop = async (signal: Deno.Signal) => {
    const r = run;
    if (!r) return;
    run = undefined;
    if (!r.exited) r.spawned.child.kill(signal);
    await r.status;
    await r.spawned.drained;
    logs += r.spawned.output();
  };

  // Another process may take the free port before the broker binds it: try another.
  for (let i = 0; i < 5; i++) {
    port = freePort();
    if (await launch()) break;
  }
  if (!run) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(`mosquitto did not start:\n${logs}`);
  }

  const broker: Broker = {
    get port() {
      return port;
    },
    get url() {
      return `${tls ? "mqtts" : "mqtt"}://127.0.0.1:${port}`;
    },
    kill: () => stop("SIGKILL"),
    pause: () => run?.spawned.child.kill("SIGSTOP"),
    resume: () => run?.spawned.child.kill("SIGCONT"),
    async start() {
      // The killed broker's port may linger a moment in the kernel: retry until it binds.
      const end = Date.now() + 5000;
      while (!await launch()) {
        if (Date.now() > end) throw new Error(`mosquitto did not restart:\n${logs}`);
      }
    },
    output: () => logs + (run?.spawned.output() ?? ""),
    async close() {
      run?.spawned.child.kill("SIGCONT");
      await stop("SIGTERM");
      await Deno.remove(dir, { recursive: true });
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  return broker;
}

/** The bridge's settings for a test broker: snapshots fast, everything else default. */
export function mqttSettings(url: string, more: Partial<MqttSettings> = {}): MqttSettings {
  return {
    url,
    caFile: null,
    certFile: null,
    keyFile: null,
    username: null,
    password: null,
    prefix: "trustcam",
    snapshotMs: 100,
    ...more,
  };
}

export interface Received {
  topic: string;
  payload: Uint8Array;
  retain: boolean;
  text(): string;
  json(): unknown;
}

export interface Listener extends AsyncDisposable {
  client: MqttClient;
  messages: Received[];
  /** The last message on `topic`, if any. */
  last(topic: string): Received | undefined;
  /** Messages on `topic`, in order. */
  on(topic: string): Received[];
  until(pred: () => boolean, ms?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * An MQTT client subscribed to `#` that keeps every message. It reconnects by itself (every
 * 100 ms) when the broker comes back, and subscribes again.
 */
export async function listen(url: string, options: IClientOptions = {}): Promise<Listener> {
  const client = connect(url, { reconnectPeriod: 100, connectTimeout: 5000, ...options });
  const messages: Received[] = [];
  client.on("error", () => {});
  client.on("message", (topic, payload, packet) => {
    const bytes = new Uint8Array(payload);
    messages.push({
      topic,
      payload: bytes,
      retain: packet.retain,
      text: () => new TextDecoder().decode(bytes),
      json: () => JSON.parse(new TextDecoder().decode(bytes)),
    });
  });
  let subscribed = false;
  client.on("connect", () => client.subscribe("#", () => subscribed = true));
  await waitFor(() => subscribed, 5000, "the MQTT listener to subscribe");
  const l: Listener = {
    client,
    messages,
    last: (topic) => messages.findLast((m) => m.topic === topic),
    on: (topic) => messages.filter((m) => m.topic === topic),
    until: (pred, ms = 5000, what = "MQTT messages") => waitFor(pred, ms, what),
    async close() {
      await client.endAsync(true);
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  return l;
}
