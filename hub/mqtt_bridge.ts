/**
 * The MQTT bridge (`--mqtt`): Home Assistant discovery configs, each camera's availability,
 * snapshots and motion state, and motion events, published to an operator's broker. MQTT is
 * an operator-configured sink: it sees every camera, whatever the viewers' policy says.
 *
 * It never holds the hub up. Publishing is fire-and-forget: the retained state (configs,
 * availability, motion) is kept as the latest value per topic and sent again whole after each
 * reconnect, events wait in a short queue that drops its oldest, and a snapshot is dropped
 * when the connection is away or still busy with earlier bytes. Reconnects back off
 * (lib/backoff.ts); connect and disconnect are logged once per change, not per retry.
 */
import tls from "node:tls";
import type { IClientOptions, MqttClient } from "mqtt";
import type { Bus, BusEvent } from "../lib/bus.ts";
import type { CameraInfo } from "../lib/registry.ts";
import type { MotionFeed, MotionNotice } from "../lib/motion_notice.ts";
import type { MqttSettings } from "../lib/mqtt_settings.ts";
import { backoffDelay, type BackoffOptions } from "../lib/backoff.ts";
import {
  cameraTopics,
  discoveryMessages,
  eventPayload,
  hubTopics,
  motionState,
  OFFLINE,
  ONLINE,
} from "../lib/ha_discovery.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";
import { HubStartError } from "./start_error.ts";

/** Events kept while the broker is away; older ones are dropped first. */
export const MAX_QUEUED_EVENTS = 100;
/** Bytes handed to the connection and not yet flushed, past which publishing waits. */
export const DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;
/** A connection that lasted this long starts the backoff over when it ends. */
const STABLE_MS = 30_000;
/** How long a clean shutdown waits for the broker to take the last messages. */
const CLOSE_TIMEOUT_MS = 2000;

type Kind = "config" | "state" | "snapshot" | "event";

export interface MqttBridgeOptions {
  settings: MqttSettings;
  /** The hub's certificates dir: its root CA is trusted for `mqtts` unless `--mqtt-ca`. */
  certsDir: string;
  log: Log;
  metrics: Pick<HubMetrics, "mqttConnected" | "mqttPublished" | "mqttDropped">;
  /** Every camera the hub knows, online or not. */
  cameras(): CameraInfo[];
  /** A camera's latest JPEG. */
  latestJpeg(serial: string): Uint8Array | undefined;
  /** The relay announces camera changes here (`{"type":"camera","event",...}` payloads). */
  bus: Pick<Bus, "subscribe">;
  /** Motion notices; without a feed every motion sensor stays `OFF`. */
  motion?: MotionFeed;
  backoff?: BackoffOptions;
  maxPendingBytes?: number;
}

export interface MqttBridge {
  readonly connected: boolean;
  /** Publishes `<prefix>/status` = `offline` if it can, then disconnects. */
  close(): Promise<void>;
}

export async function startMqttBridge(o: MqttBridgeOptions): Promise<MqttBridge> {
  const tlsOptions = await readTlsFiles(o.settings, o.certsDir);
  // Loaded only when asked for: the client reads the whole environment at import.
  const { connect } = await import("mqtt").catch((err) => {
    // Deno.errors.NotCapable: the Docker image grants neither (README, Home Assistant).
    throw new HubStartError(
      `Cannot load the MQTT client: ${err.message} (--mqtt needs --allow-env and --allow-net ` +
        "for the broker)",
      undefined,
      { cause: err },
    );
  });
  return new Bridge(o, (options) => connect(o.settings.url, { ...tlsOptions, ...options }));
}

class Bridge implements MqttBridge {
  #o: MqttBridgeOptions;
  #connect: (options: IClientOptions) => MqttClient;
  #prefix: string;
  #hub: ReturnType<typeof hubTopics>;
  /** The latest value of every retained topic, in the order first set (status first). */
  #retained = new Map<string, { payload: string; kind: Kind }>();
  /** Retained topics not yet sent on this connection. */
  #dirty = new Set<string>();
  #events: string[] = [];
  #names = new Map<string, string>();
  #online = new Map<string, boolean>();
  /** The last snapshot sent per camera: the same frame is not sent twice. */
  #lastSnapshot = new Map<string, Uint8Array>();
  #client: MqttClient | undefined;
  #connected = false;
  /** "up" / "down": what was logged last, so a retry loop logs nothing. */
  #logged: "up" | "down" | undefined;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #snapshotTimer: ReturnType<typeof setInterval>;
  #pendingBytes = 0;
  /** Bumped per connection: write callbacks of a dead connection change nothing. */
  #generation = 0;
  #pumping = false;
  #closed = false;
  #unsubscribe: Array<() => void> = [];

  constructor(o: MqttBridgeOptions, connect: (options: IClientOptions) => MqttClient) {
    this.#o = o;
    this.#connect = connect;
    this.#prefix = o.settings.prefix;
    this.#hub = hubTopics(this.#prefix);
    this.#set(this.#hub.status, ONLINE, "state");
    for (const c of o.cameras()) this.#camera(c);
    this.#unsubscribe.push(o.bus.subscribe("*", { event: (e) => this.#onBusEvent(e) }));
    if (o.motion) this.#unsubscribe.push(o.motion.subscribe((n) => this.#onMotion(n)));
    this.#snapshotTimer = setInterval(() => this.#snapshots(), o.settings.snapshotMs);
    this.#dial();
  }

  get connected(): boolean {
    return this.#connected;
  }

  #dial(): void {
    this.#retryTimer = undefined;
    if (this.#closed) return;
    const s = this.#o.settings;
    const client = this.#connect({
      // A fixed id: a restarted hub takes over its old session, whose will then fires before
      // this connection says `online`, not some keep-alive period after.
      clientId: `${this.#prefix.replaceAll("/", "_")}-hub`,
      username: s.username ?? undefined,
      password: s.password ?? undefined,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      // Reconnects are ours (with backoff), and nothing queues inside the client.
      reconnectPeriod: 0,
      queueQoSZero: false,
      will: { topic: this.#hub.status, payload: OFFLINE, qos: 1, retain: true },
    });
    this.#client = client;
    let lastError: Error | undefined;
    let connectedAt: number | undefined;
    client.on("error", (err) => lastError = err);
    client.on("connect", () => {
      if (this.#client !== client || this.#closed) return;
      connectedAt = Date.now();
      this.#connected = true;
      this.#o.metrics.mqttConnected.set(1);
      if (this.#logged !== "up") this.#o.log("mqtt-connected", { url: s.url });
      this.#logged = "up";
      this.#pump();
      this.#snapshots();
    });
    client.on("close", () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end(true);
      this.#down(lastError);
      // A broker that takes the connection and drops it at once (an ACL, another hub with the
      // same client id) is retried ever more slowly too.
      if (connectedAt !== undefined && Date.now() - connectedAt >= STABLE_MS) this.#attempt = 0;
      if (!this.#closed) {
        this.#retryTimer = setTimeout(
          () => this.#dial(),
          backoffDelay(Math.min(this.#attempt++, 30), this.#o.backoff),
        );
      }
    });
  }

  #down(error: Error | undefined): void {
    const wasUp = this.#connected;
    this.#connected = false;
    this.#generation++;
    this.#pendingBytes = 0;
    this.#o.metrics.mqttConnected.set(0);
    // The next connection sends the whole retained state again.
    for (const topic of this.#retained.keys()) this.#dirty.add(topic);
    this.#lastSnapshot.clear();
    if (this.#closed || this.#logged === "down") return;
    this.#logged = "down";
    this.#o.log(wasUp ? "mqtt-disconnected" : "mqtt-unavailable", {
      url: this.#o.settings.url,
      error: error?.message ?? "connection closed",
    });
  }

  #onBusEvent(e: BusEvent): void {
    const p = e.payload as { type?: string; event?: string; camera?: CameraInfo };
    if (p.type !== "camera" || !p.camera) return;
    if (p.event === "removed") this.#removed(p.camera);
    else this.#camera(p.camera);
  }

  /**
   * An admin removed the camera: its retained topics are cleared (an empty retained payload
   * deletes them on the broker, and Home Assistant drops the entities of an empty config).
   * The empty values stay in the retained state, so a broker that was away hears it too.
   */
  #removed(c: CameraInfo): void {
    const t = cameraTopics(this.#prefix, c.serial);
    this.#names.delete(c.serial);
    this.#online.delete(c.serial);
    this.#lastSnapshot.delete(c.serial);
    this.#set(t.cameraConfig, "", "config");
    this.#set(t.motionConfig, "", "config");
    this.#set(t.availability, "", "state");
    this.#set(t.motion, "", "state");
    this.#set(t.image, "", "snapshot");
  }

  /** A camera appeared or changed: its discovery configs follow its name, its availability its state. */
  #camera(c: CameraInfo): void {
    const t = cameraTopics(this.#prefix, c.serial);
    // Back after a removal: its pictures go out as snapshots again, not as retained state.
    if (this.#retained.get(t.image)?.payload === "") {
      this.#retained.delete(t.image);
      this.#dirty.delete(t.image);
    }
    if (this.#names.get(c.serial) !== c.name) {
      this.#names.set(c.serial, c.name);
      for (const m of discoveryMessages(c, this.#prefix)) this.#set(m.topic, m.payload, "config");
    }
    const online = c.state !== "offline";
    if (this.#online.get(c.serial) !== online) {
      this.#online.set(c.serial, online);
      this.#set(t.availability, online ? ONLINE : OFFLINE, "state");
    }
    if (!this.#retained.get(t.motion)?.payload) this.#set(t.motion, "OFF", "state");
  }

  #onMotion(n: MotionNotice): void {
    this.#set(cameraTopics(this.#prefix, n.camera).motion, motionState(n), "state");
    this.#events.push(eventPayload(n));
    if (this.#events.length > MAX_QUEUED_EVENTS) {
      this.#events.shift();
      this.#o.metrics.mqttDropped.inc({ kind: "event" });
    }
    this.#pump();
  }

  #set(topic: string, payload: string, kind: Kind): void {
    if (this.#retained.get(topic)?.payload === payload) return;
    this.#retained.set(topic, { payload, kind });
    this.#dirty.add(topic);
    this.#pump();
  }

  /** Sends what waits, retained state first, while the connection takes it. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      const max = this.#o.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
      while (this.#connected && this.#pendingBytes < max) {
        const topic = this.#dirty.values().next();
        if (!topic.done) {
          this.#dirty.delete(topic.value);
          const { payload, kind } = this.#retained.get(topic.value)!;
          this.#publish(topic.value, payload, true, kind);
          continue;
        }
        const event = this.#events.shift();
        if (event === undefined) break;
        this.#publish(this.#hub.events, event, false, "event");
      }
    } finally {
      this.#pumping = false;
    }
  }

  #snapshots(): void {
    const max = this.#o.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    for (const [serial, online] of this.#online) {
      if (!online) continue;
      const jpeg = this.#o.latestJpeg(serial);
      const last = this.#lastSnapshot.get(serial);
      if (!jpeg || (last && last.buffer === jpeg.buffer && last.byteOffset === jpeg.byteOffset)) {
        continue;
      }
      // Snapshots go first when the broker is away or slow: the next one replaces them.
      if (!this.#connected || (this.#pendingBytes > 0 && this.#pendingBytes + jpeg.length > max)) {
        this.#o.metrics.mqttDropped.inc({ kind: "snapshot" });
        continue;
      }
      this.#lastSnapshot.set(serial, jpeg);
      this.#publish(cameraTopics(this.#prefix, serial).image, jpeg, true, "snapshot");
    }
  }

  #publish(topic: string, payload: string | Uint8Array, retain: boolean, kind: Kind): void {
    const client = this.#client;
    if (!client) return;
    const size = typeof payload === "string" ? payload.length : payload.byteLength;
    const generation = this.#generation;
    this.#pendingBytes += size;
    this.#o.metrics.mqttPublished.inc({ kind });
    // The callback comes once the socket took the bytes (at its next drain when it was full).
    client.publish(topic, payload as Buffer, { qos: 0, retain }, () => {
      if (generation !== this.#generation) return;
      this.#pendingBytes -= size;
      this.#pump();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe.splice(0)) off();
    clearInterval(this.#snapshotTimer);
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    if (this.#connected) {
      client.publish(this.#hub.status, OFFLINE, { qos: 0, retain: true });
    }
    this.#connected = false;
    this.#o.metrics.mqttConnected.set(0);
    // A clean DISCONNECT once the last messages are written; forced if the broker is slow, and
    // the hub's shutdown waits no longer than that either way.
    const ended = (force: boolean) =>
      new Promise<boolean>((resolve) => client.end(force, {}, () => resolve(true)));
    if (!await within(ended(false), CLOSE_TIMEOUT_MS)) await within(ended(true), 1000);
    this.#o.log("mqtt-closed", { url: this.#o.settings.url });
  }
}

/** Whether `p` settled within `ms`; no timer is left behind. */
async function within(p: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function readTlsFiles(
  s: MqttSettings,
  certsDir: string,
): Promise<Pick<IClientOptions, "ca" | "cert" | "key">> {
  if (!s.url.startsWith("mqtts:")) return {};
  const read = async (flag: string, path: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (err) {
      throw new HubStartError(`Cannot read --${flag} "${path}": ${(err as Error).message}`, path, {
        cause: err,
      });
    }
  };
  let ca: string[];
  if (s.caFile) ca = [await read("mqtt-ca", s.caFile)];
  else {
    // A broker with a certificate from this hub's CA (say, the hub's own server certificate
    // on the same machine) works without flags; one with a public certificate too.
    const own = await Deno.readTextFile(`${certsDir}/root-ca.crt`).catch(() => null);
    ca = [...tls.rootCertificates, ...(own ? [own] : [])];
  }
  return {
    ca,
    cert: s.certFile ? await read("mqtt-cert", s.certFile) : undefined,
    key: s.keyFile ? await read("mqtt-key", s.keyFile) : undefined,
  };
}
