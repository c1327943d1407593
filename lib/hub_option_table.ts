/**
 * Every hub option once: flag, environment variable, kind, default, bounds and help. The
 * parser (lib/hub_options.ts), `--help` and the README's configuration table (checked by a
 * test) all come from this table.
 */

export interface OptionSpec {
  flag: string;
  env: string;
  /** `size`: bytes, or a number with K, M, G or T (lib/byte_size.ts); empty = none. */
  kind: "int" | "number" | "string" | "bool" | "list" | "size";
  default: string;
  help: string;
  min?: number;
  max?: number;
  /** The only values a string option takes. */
  choices?: readonly string[];
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    flag: "port",
    env: "TRUSTCAM_PORT",
    kind: "int",
    default: "5000",
    min: 0,
    max: 65535,
    help: "HTTPS/WSS port (the seed's firmware dials 5000)",
  },
  {
    flag: "host",
    env: "TRUSTCAM_HOST",
    kind: "string",
    default: "0.0.0.0",
    help: "Address to bind (0.0.0.0 all IPv4, :: all, 127.0.0.1 local only)",
  },
  {
    flag: "certs",
    env: "TRUSTCAM_CERTS",
    kind: "string",
    default: "certs",
    help: "Directory with server.key, server.chain, signer-ca.crt, root-ca.crt",
  },
  {
    flag: "data",
    env: "TRUSTCAM_DATA",
    kind: "string",
    default: "data",
    help: "Directory for the camera registry (SQLite)",
  },
  {
    flag: "max-frame-bytes",
    env: "TRUSTCAM_MAX_FRAME_BYTES",
    kind: "int",
    default: "2097152",
    min: 1024,
    max: 64 * 1024 * 1024,
    help: "Largest JPEG a device may send; larger closes it with 1009",
  },
  {
    flag: "max-fps",
    env: "TRUSTCAM_MAX_FPS",
    kind: "number",
    default: "30",
    min: 0.1,
    max: 1000,
    help: "Frames per second a camera may send; more are dropped and counted",
  },
  {
    flag: "max-dimension",
    env: "TRUSTCAM_MAX_DIMENSION",
    kind: "int",
    default: "4096",
    min: 16,
    max: 65535,
    help: "Largest width or height a frame may declare; larger is a bad frame",
  },
  {
    flag: "viewer-buffer-bytes",
    env: "TRUSTCAM_VIEWER_BUFFER_BYTES",
    kind: "int",
    default: "1048576",
    min: 0,
    max: 1024 * 1024 * 1024,
    help: "Bytes queued to a viewer before it skips frames",
  },
  {
    flag: "stall-ms",
    env: "TRUSTCAM_STALL_MS",
    kind: "int",
    default: "5000",
    min: 100,
    max: 3_600_000,
    help: "No frame for this long marks a camera stalled",
  },
  {
    flag: "ping-interval-ms",
    env: "TRUSTCAM_PING_INTERVAL_MS",
    kind: "int",
    default: "10000",
    min: 100,
    max: 3_600_000,
    help: "WebSocket ping interval; two missed pongs end a connection",
  },
  {
    flag: "handshake-timeout-ms",
    env: "TRUSTCAM_HANDSHAKE_TIMEOUT_MS",
    kind: "int",
    default: "10000",
    min: 100,
    max: 600_000,
    help: "Time a client gets to finish the TLS handshake",
  },
  {
    flag: "max-connections",
    env: "TRUSTCAM_MAX_CONNECTIONS",
    kind: "int",
    default: "0",
    min: 0,
    max: 1_000_000,
    help: "Open TCP connections at most; 0 = 3/4 of the open-file limit (ulimit -n)",
  },
  {
    flag: "max-handshakes-per-address",
    env: "TRUSTCAM_MAX_HANDSHAKES_PER_ADDRESS",
    kind: "int",
    default: "64",
    min: 0,
    max: 1_000_000,
    help: "Connections one address (IPv6: one /64) may have before TLS is done; 0 = no cap",
  },
  {
    flag: "serial-pattern",
    env: "TRUSTCAM_SERIAL_PATTERN",
    kind: "string",
    default: "^0123[0-9A-Fa-f]{14}$",
    help: "Regular expression for device CNs (18 characters)",
  },
  {
    flag: "revocations",
    env: "TRUSTCAM_REVOCATIONS",
    kind: "string",
    default: "<certs>/revoked.txt",
    help: "Revocation list, re-read when it changes",
  },
  {
    flag: "policy",
    env: "TRUSTCAM_POLICY",
    kind: "string",
    default: "",
    help: "Viewer access and roles (JSON); none = every viewer sees every camera, is admin",
  },
  {
    flag: "allowed-origin",
    env: "TRUSTCAM_ALLOWED_ORIGINS",
    kind: "list",
    default: "",
    help: "Other origins whose pages may act for a viewer (reverse proxy: https://cams.example)",
  },
  {
    flag: "record",
    env: "TRUSTCAM_RECORD",
    kind: "string",
    default: "off",
    choices: ["off", "continuous", "motion"],
    help:
      "Record frames to recordings/ in --data: off, continuous; motion is not there yet (= off)",
  },
  {
    flag: "segment-seconds",
    env: "TRUSTCAM_SEGMENT_SECONDS",
    kind: "int",
    default: "60",
    min: 1,
    max: 3600,
    help: "Length of one recording segment file",
  },
  {
    flag: "retain-days",
    env: "TRUSTCAM_RETAIN_DAYS",
    kind: "number",
    default: "7",
    min: 0.001,
    max: 36500,
    help: "Days recordings are kept (0.5 = 12 h); the demo keeps 1 h unless this is set",
  },
  {
    flag: "retain-bytes",
    env: "TRUSTCAM_RETAIN_BYTES",
    kind: "size",
    default: "",
    help: "Total size of all recordings at most (bytes, or 500M, 20G); none = no quota",
  },
  {
    flag: "min-free-bytes",
    env: "TRUSTCAM_MIN_FREE_BYTES",
    kind: "size",
    default: "",
    help: "Free space to keep (500M, 20G); none = 1G or 5% of the volume, whichever is smaller",
  },
  {
    flag: "strict-tls",
    env: "TRUSTCAM_STRICT_TLS",
    kind: "bool",
    default: "0",
    help: "Refuse a missing or invalid client certificate at the handshake (default: a 403 page)",
  },
  {
    flag: "public-host",
    env: "TRUSTCAM_PUBLIC_HOSTS",
    kind: "list",
    default: "",
    help: "Extra names/IPs for the dev server certificate (repeat or comma-separate)",
  },
  {
    flag: "demo",
    env: "TRUSTCAM_DEMO",
    kind: "bool",
    default: "1",
    help: "Create a dev PKI if none and stream simulated cameras (--no-demo for production)",
  },
  {
    flag: "demo-cameras",
    env: "TRUSTCAM_DEMO_CAMERAS",
    kind: "int",
    default: "4",
    min: 0,
    max: 64,
    help: "Simulated cameras in demo mode",
  },
  {
    flag: "demo-fps",
    env: "TRUSTCAM_DEMO_FPS",
    kind: "number",
    default: "15",
    min: 0.1,
    max: 60,
    help: "Frame rate of the simulated cameras",
  },
  {
    flag: "dev",
    env: "TRUSTCAM_DEV",
    kind: "bool",
    default: "0",
    help: "Rebuild the browser bundle when islands change",
  },
];
