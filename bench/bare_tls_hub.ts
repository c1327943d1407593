/**
 * The ceiling: the least a relay can do with the same certificates and the same frames. A
 * node:tls server that demands a client certificate, takes length-prefixed JPEGs from device
 * certificates, appends the serial trailer (one copy, as trustcam does) and writes the same
 * buffer to every other connection, skipping a viewer with more than --viewer-buffer-bytes
 * queued. No WebSocket, no checks, no registry, no metrics.
 *
 *   deno run -A bench/bare_tls_hub.ts --certs DIR [--port 0] [--viewer-buffer-bytes 1048576]
 *
 * Prints {"type":"ready","port":N} once listening; exits on SIGTERM or when stdin closes.
 */
import tls from "node:tls";
import { parseArgs } from "node:util";
import { BareFrameSplitter, HEADER_BYTES, writeHeader } from "./bare_wire.ts";
import { CommandReader, emit } from "./child_io.ts";
import { TRAILER_LENGTH } from "../lib/trailer.ts";

const USAGE = `Usage: deno run -A bench/bare_tls_hub.ts --certs DIR [options]

  --certs DIR                hub certificates (server.key, server.chain, signer-ca.crt, root-ca.crt)
  --host H                   address to bind (default 127.0.0.1)
  --port N                   port (default 0: any free port)
  --viewer-buffer-bytes N    skip a viewer with more than N bytes queued (default 1048576)
  -h, --help                 show this help`;

const DEVICE_CN = /^0123[0-9A-Fa-f]{14}$/;

export interface BareHubCounters {
  frames: number;
  sent: number;
  skipped: number;
}

/** Starts the bare fan-out; returns the port, counters and a close function. */
export async function startBareHub(opts: {
  certsDir: string;
  host?: string;
  port?: number;
  viewerBufferBytes?: number;
}): Promise<{ port: number; counters: BareHubCounters; close(): Promise<void> }> {
  const read = (f: string) => Deno.readTextFileSync(`${opts.certsDir}/${f}`);
  const limit = opts.viewerBufferBytes ?? 1024 * 1024;
  const viewers = new Set<tls.TLSSocket>();
  const sockets = new Set<tls.TLSSocket>();
  const counters: BareHubCounters = { frames: 0, sent: 0, skipped: 0 };
  const server = tls.createServer({
    key: read("server.key"),
    cert: read("server.chain"),
    ca: [read("signer-ca.crt"), read("root-ca.crt")],
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on("tlsClientError", () => {});
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => {
      sockets.delete(socket);
      viewers.delete(socket);
    });
    const raw = socket.getPeerCertificate()?.subject?.CN;
    const cn = String(Array.isArray(raw) ? raw[0] : raw ?? "");
    if (!DEVICE_CN.test(cn)) {
      viewers.add(socket);
      socket.on("data", () => {});
      return;
    }
    const serial = cn.toUpperCase();
    const trailer = new TextEncoder().encode(serial);
    const splitter = new BareFrameSplitter((buf, len) => {
      writeHeader(buf, len + TRAILER_LENGTH);
      buf.set(trailer, HEADER_BYTES + len);
      counters.frames++;
      for (const v of viewers) {
        if (v.writableLength > limit) {
          counters.skipped++;
          continue;
        }
        v.write(buf);
        counters.sent++;
      }
    }, { headroom: HEADER_BYTES, tailroom: TRAILER_LENGTH });
    socket.on("data", (chunk: Uint8Array) => {
      try {
        splitter.push(chunk);
      } catch {
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    counters,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      certs: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
      "viewer-buffer-bytes": { type: "string", default: String(1024 * 1024) },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.certs) {
    console.log(USAGE);
    Deno.exit(values.help ? 0 : 2);
  }
  const hub = await startBareHub({
    certsDir: values.certs,
    host: values.host,
    port: Number(values.port),
    viewerBufferBytes: Number(values["viewer-buffer-bytes"]),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await hub.close();
    emit({ type: "stopped", ...hub.counters });
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  new CommandReader(stop);
  emit({ type: "ready", port: hub.port });
}
