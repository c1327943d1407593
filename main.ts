/**
 * `deno task start`: the hub, and in demo mode everything a newcomer needs around it (a dev
 * PKI, a browser certificate, simulated cameras). The wiring only: every rule lives in lib/
 * and hub/.
 */
import https from "node:https";
import {
  type HubOptions,
  OPTIONS,
  parseHubOptionsWithDemo,
  USAGE,
  UsageError,
} from "./lib/hub_options.ts";
import { describeLimits } from "./lib/retention_plan.ts";
import {
  CERT_FILES,
  exists,
  initPki,
  issueViewer,
  moveCaKeys,
  writeSecret,
} from "./cli/cert_dir.ts";
import { PkiError } from "./lib/pki_error.ts";
import { MQTT_PASSWORD_ENV } from "./lib/mqtt_settings.ts";
import { BUS_PASSWORD_ENV } from "./lib/bus_settings.ts";
import { startHub } from "./hub/server.ts";
import { HubStartError } from "./hub/start_error.ts";
import { type DataLock, lockDataDir } from "./hub/data_lock.ts";
import { describeHolder, freePortAfter, portHolder } from "./hub/port_holder.ts";
import { normalize } from "node:path";
import { CA_KEY_FILES } from "./hub/tls_files.ts";
import { consoleLog } from "./hub/log.ts";
import { cameraSerial, DEFAULT_SERIAL_BASE, runCameras } from "./sim/run_cameras.ts";
import { writePrebuilt } from "./hub/assets.ts";
import { manifest } from "./manifest.gen.ts";

export const VERSION = "0.1.0";

/** The browser certificate the demo creates, and the client the healthcheck presents. */
export const DEMO_VIEWER = "demo-viewer";
export const HEALTHCHECK_VIEWER = "healthcheck";

export interface DemoCredentials {
  p12Path: string;
  password: string | null;
  /** PEM files of the demo viewer, for curl, ffmpeg and VLC. */
  chainPath: string;
  keyPath: string;
}

/** Where the demo creates its PKI without being asked (`--init-certs` for anywhere else). */
const DEFAULT_CERTS_DIR = "certs";

function isDefaultCertsDir(dir: string): boolean {
  return normalize(dir).replace(/\/+$/, "") === DEFAULT_CERTS_DIR;
}

/** The exact command that creates certificates in `dir`. */
export function certsInitCommand(dir: string): string {
  return isDefaultCertsDir(dir) ? "deno task certs init" : `deno task certs init --dir ${dir}`;
}

/**
 * Creates what the demo needs and is missing: a dev PKI on a fresh clone, then viewer
 * certificates for the browser and the healthcheck. Never replaces a file: with real
 * certificates in place (no CA key here), it creates nothing. CA keys an earlier version
 * left beside the hub's files move to `ca/`, where the hub does not read.
 */
export async function prepareDemo(
  o: Pick<HubOptions, "certsDir" | "publicHosts" | "initCerts">,
  out: (s: string) => void,
): Promise<DemoCredentials | null> {
  const dir = o.certsDir;
  for (const { from, to } of await moveCaKeys(dir)) {
    out(`Moved the CA key ${from} to ${to}: the hub refuses CA keys beside its own files`);
  }
  const hasCa = await exists(`${dir}/${CERT_FILES.rootCa}`);
  const hasServer = await exists(`${dir}/${CERT_FILES.serverKey}`);
  if (!hasCa && !hasServer) {
    // A typo in --certs must not mint a new CA (keys included) in a stray folder.
    if (!isDefaultCertsDir(dir) && !o.initCerts) {
      const what = await exists(dir) ? "has no certificates" : "does not exist";
      throw new HubStartError(
        `Certificates directory ${what}: "${dir}": create a PKI there with ` +
          `\`${certsInitCommand(dir)}\`, or start with --init-certs for a development one`,
        dir,
      );
    }
    out(`No certificates in ${dir}/: creating a development PKI (root CA, signer CA, server)`);
    await initPki(dir, { hosts: o.publicHosts });
  }
  if (!await exists(`${dir}/${CERT_FILES.signerKey}`)) {
    out(
      `Demo: no dev CA key (${dir}/${CERT_FILES.signerKey}), so no demo certificates are ` +
        `issued; your certificates are used as they are`,
    );
    return null;
  }
  const p12Path = `${dir}/viewers/${DEMO_VIEWER}.p12`;
  const passwordPath = `${dir}/viewers/${DEMO_VIEWER}.password`;
  let password: string | null = null;
  if (!await exists(p12Path)) {
    const issued = await issueViewer(dir, DEMO_VIEWER);
    password = issued.password;
    // Dev convenience: keep the password beside the bundle (0600) so later starts can repeat it.
    await writeSecret(passwordPath, `${password}\n`);
  } else if (await exists(passwordPath)) {
    password = (await Deno.readTextFile(passwordPath)).trim();
  }
  if (!await exists(`${dir}/viewers/${HEALTHCHECK_VIEWER}.crt`)) {
    await issueViewer(dir, HEALTHCHECK_VIEWER);
  }
  return {
    p12Path,
    password,
    chainPath: `${dir}/viewers/${DEMO_VIEWER}.chain`,
    keyPath: `${dir}/viewers/${DEMO_VIEWER}.key`,
  };
}

/**
 * Asks the local hub for /healthz. With the healthcheck certificate it is a full mTLS
 * request; without one, a hub that answers by demanding a certificate (its 403 page, or the
 * handshake under --strict-tls) is alive, which is all a container runtime needs to know.
 */
export async function healthcheck(o: HubOptions): Promise<number> {
  const certPath = `${o.certsDir}/viewers/${HEALTHCHECK_VIEWER}.chain`;
  const keyPath = `${o.certsDir}/viewers/${HEALTHCHECK_VIEWER}.key`;
  const haveCert = await exists(certPath) && await exists(keyPath);
  const ca = [
    await Deno.readTextFile(`${o.certsDir}/${CERT_FILES.signerCa}`),
    await Deno.readTextFile(`${o.certsDir}/${CERT_FILES.rootCa}`),
  ];
  const host = o.host === "0.0.0.0" || o.host === "::" ? "127.0.0.1" : o.host;
  return await new Promise<number>((resolve) => {
    const req = https.request({
      host,
      port: o.port,
      path: "/healthz",
      ca,
      servername: "localhost",
      cert: haveCert ? Deno.readTextFileSync(certPath) : undefined,
      key: haveCert ? Deno.readTextFileSync(keyPath) : undefined,
      agent: false,
      timeout: 5000,
    }, (res) => {
      res.resume();
      res.on("end", () => {
        // Without a certificate the hub answers its "certificate required" 403: it is up.
        const alive = res.statusCode === 200 || (!haveCert && res.statusCode === 403);
        console.log(`healthz: ${res.statusCode}${haveCert ? "" : " (no certificate presented)"}`);
        resolve(alive ? 0 : 1);
      });
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err: Error) => {
      const alive = !haveCert && /certificate|alert|hang up|reset/i.test(err.message);
      console.log(alive ? "healthz: TLS up, certificate required" : `healthz: ${err.message}`);
      resolve(alive ? 0 : 1);
    });
    req.end();
  });
}

/** One ffmpeg command that works as printed: 5 s of the first demo camera, to a file. */
export function ffmpegLine(o: HubOptions, demo: DemoCredentials, port: number): string {
  const serial = o.demoCameras > 0 ? cameraSerial(DEFAULT_SERIAL_BASE, 1) : "<serial>";
  return `ffmpeg -cert_file ${demo.chainPath} -key_file ${demo.keyPath} ` +
    `-ca_file ${o.certsDir}/${CERT_FILES.rootCa} -use_wallclock_as_timestamps 1 ` +
    `-i https://localhost:${port}/api/cameras/${serial}/stream.mjpeg -t 5 -c copy live.mkv`;
}

function banner(
  url: string,
  o: HubOptions,
  demo: DemoCredentials | null,
  port: number,
): string {
  const lines = [
    "",
    `  trustcam is running at ${url}/`,
    `  Cameras connect to wss://<this host>:${o.port}/ws with a device certificate.`,
    ...recordingLines(o),
  ];
  if (o.mqtt) {
    lines.push(
      `  MQTT: ${o.mqtt.url}, Home Assistant discovery; it sees every camera (README, Home Assistant).`,
    );
  }
  if (o.bus) {
    lines.push(
      `  Bus: NATS ${o.bus.servers.join(", ")}; other hubs' cameras reach viewers here by serial.`,
    );
  }
  if (demo) lines.push(...demoLines(demo, o.certsDir), `  ${ffmpegLine(o, demo, port)}`);
  if (o.record !== "off") {
    lines.push("", `  Recording (${o.record}): kept ${describeLimits(o)} (--retain-days).`);
  }
  if (o.motion === "on") {
    const days = o.retainEventMs / 86_400_000;
    const kept = days >= 1 ? `${days} days` : `${Math.round(o.retainEventMs / 60_000)} min`;
    lines.push(
      `  Motion detection: on; events at /events, kept ${kept} (--retain-event-days).`,
    );
  }
  lines.push("", "  Ctrl-C stops everything.", "");
  return lines.join("\n");
}

/** How to use the demo's browser certificate (`deno task cluster` prints the same). */
export function demoLines(demo: DemoCredentials, certsDir: string): string[] {
  return [
    "",
    `  Browser certificate: ${demo.p12Path}`,
    `  Password:            ${demo.password ?? "(printed when it was created)"}`,
    "",
    "  Import it, then open the URL:",
    "    Chrome/Edge: Settings > Privacy and security > Security > Manage certificates >",
    "                 Your certificates > Import",
    "    Firefox:     Settings > Privacy & Security > Certificates > View Certificates >",
    "                 Your Certificates > Import",
    "    macOS:       double-click the .p12 (Keychain Access), enter the password",
    `  To avoid the browser's warning about the server, trust ${certsDir}/root-ca.crt`,
    "  as a certificate authority (Authorities > Import) for this development CA only.",
    "",
    "  For curl, ffmpeg and VLC (PEM files of the same viewer):",
    `    certificate ${demo.chainPath}`,
    `    key         ${demo.keyPath}`,
    `    CA          ${certsDir}/${CERT_FILES.rootCa}`,
  ];
}

/** The default recording mode, in the banner: the demo records unless told not to. */
function recordingLines(o: HubOptions): string[] {
  const perCamera = "  Admins set each camera's own recording mode on its page.";
  if (o.record === "continuous") {
    return [
      `  Recording: continuous by default${
        o.demo ? " (the demo's default; --record off to stop)" : ""
      }, into ${o.dataDir}/recordings/`,
      perCamera,
    ];
  }
  if (o.record === "motion") {
    return [
      "  Recording: motion by default, which records nothing until motion detection exists",
      perCamera,
    ];
  }
  return ["  Recording: off by default (--record continuous to record every camera)", perCamera];
}

/**
 * The hub's own variables only (TRUSTCAM_*, from the option table): the container grants
 * `--allow-env=TRUSTCAM_*` and nothing more, so reading the whole environment would fail.
 */
export function hubEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...OPTIONS.map((o) => o.env), MQTT_PASSWORD_ENV, BUS_PASSWORD_ENV]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** What to do about a start-up error, when there is something to say beyond its message. */
function nextStep(o: HubOptions, err: HubStartError): string[] {
  const cause = err.cause as { code?: string } | undefined;
  if (cause?.code === "EADDRINUSE") {
    const holder = portHolder(o.port);
    const free = freePortAfter(o.port, o.host);
    return [
      holder ? `It is held by ${describeHolder(holder)}.` : "Another program listens on it.",
      `Stop that, or start with --port ${free ?? "<another port>"}${free ? ` (free now)` : ""}.`,
    ];
  }
  const caKey = CA_KEY_FILES.some((name) => err.path?.endsWith(`/${name}`));
  if (!o.demo && !caKey && err.path?.startsWith(o.certsDir)) {
    return [
      `Create certificates with \`${certsInitCommand(o.certsDir)}\`, or start with --demo.`,
    ];
  }
  return [];
}

export async function main(args: string[], env = hubEnv()): Promise<number> {
  let o: HubOptions;
  try {
    o = parseHubOptionsWithDemo(args, env);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\nRun with --help for the options.`);
      return 2;
    }
    throw err;
  }
  if (o.mode === "help") {
    console.log(USAGE);
    return 0;
  }
  if (o.mode === "version") {
    console.log(`trustcam ${VERSION} (deno ${Deno.version.deno})`);
    return 0;
  }
  if (o.mode === "healthcheck") return await healthcheck(o);
  if (o.mode === "build") {
    const built = await writePrebuilt({
      root: new URL(".", import.meta.url).pathname.replace(/\/$/, ""),
      manifest,
    });
    console.log(`Wrote ${built.path} (${built.url}, ${(built.bytes / 1024).toFixed(1)} KiB)`);
    return 0;
  }

  const log = consoleLog();
  let demo: DemoCredentials | null = null;
  try {
    if (o.demo) demo = await prepareDemo(o, (s) => console.log(s));
  } catch (err) {
    if (err instanceof PkiError || err instanceof HubStartError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }

  let lock: DataLock;
  let hub;
  try {
    lock = await lockDataDir(o.dataDir, { port: o.port });
  } catch (err) {
    if (err instanceof HubStartError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (lock.tookOver) {
    console.log(
      `Took over the lock ${lock.path} of a hub that is gone (pid ${lock.tookOver.pid}, ` +
        `since ${lock.tookOver.startedAt})`,
    );
  }
  try {
    hub = await startHub(o, { manifest, log });
  } catch (err) {
    await lock.release();
    if (err instanceof HubStartError) {
      console.error(`error: ${err.message}`);
      for (const line of nextStep(o, err)) console.error(line);
      return 1;
    }
    throw err;
  }

  const stopCameras = new AbortController();
  let cameras: Promise<number> | undefined;
  if (demo && o.demoCameras > 0) {
    cameras = runCameras({
      count: o.demoCameras,
      fps: o.demoFps,
      server: `wss://localhost:${hub.port}/ws`,
      certsDir: o.certsDir,
      signal: stopCameras.signal,
      // Scenes that move 4 s in 30, each camera a quarter cycle after the last: motion
      // events start and end on the events page instead of one event without end per camera.
      activity: { moveMs: 4000, stillMs: 26_000, stepMs: 7500 },
      log: (line) => console.log(`[cameras] ${line}`),
    });
  }
  console.log(banner(hub.url, o, demo, hub.port));

  const stopped = new Promise<string>((resolve) => {
    const onSignal = (name: string) => () => resolve(name);
    const handlers = (["SIGINT", "SIGTERM"] as const).map((sig) => {
      const h = onSignal(sig);
      Deno.addSignalListener(sig, h);
      return [sig, h] as const;
    });
    stopCameras.signal.addEventListener("abort", () => {
      for (const [sig, h] of handlers) Deno.removeSignalListener(sig, h);
    });
  });
  const why = await Promise.race([
    stopped,
    cameras?.then((code) => `cameras exited with ${code}`) ?? new Promise<string>(() => {}),
  ]);
  console.log(`Stopping (${why})`);
  // A second Ctrl-C during a slow shutdown ends the process at once.
  const force = () => Deno.exit(130);
  Deno.addSignalListener("SIGINT", force);
  stopCameras.abort();
  await cameras;
  await hub.close();
  await lock.release();
  Deno.removeSignalListener("SIGINT", force);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
