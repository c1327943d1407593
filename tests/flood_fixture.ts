/**
 * Floods for tests/flood_test.ts: the real entry point in a child process under a
 * file-descriptor limit (bash's `ulimit -n`, so the flood reaches the hub's limit and not the
 * test's), raw TCP connections that never start TLS from chosen loopback addresses, and an
 * mTLS request with a deadline. Everything is closed by `close()`, also after a failure.
 */
import https from "node:https";
import net from "node:net";
import { createTestPki, type IssuedCert, type TestPki } from "./pki_fixture.ts";
import { spawnCollecting } from "./spawn_fixture.ts";

export interface LimitedHub extends AsyncDisposable {
  port: number;
  pki: TestPki;
  /** Everything the hub wrote so far, stdout and stderr. */
  output(): string;
  close(): Promise<void>;
}

/** main.ts --no-demo on 127.0.0.1, a free port, under `ulimit -n nofile`. */
export async function startLimitedHub(nofile: number, args: string[] = []): Promise<LimitedHub> {
  const pki = await createTestPki();
  const dataDir = await Deno.makeTempDir({ prefix: "trustcam_data_" });
  const hubArgs = ["--no-demo", "--host", "127.0.0.1", "--port", "0", "--certs", pki.dir];
  const { child, output, drained } = spawnCollecting("bash", [
    "-c",
    `ulimit -n ${nofile} && exec "$0" run -A main.ts "$@"`,
    Deno.execPath(),
    ...hubArgs,
    "--data",
    dataDir,
    ...args,
  ]);
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await child.status;
      await drained;
      await Deno.remove(dataDir, { recursive: true });
      await pki.cleanup();
    })();
  try {
    const end = Date.now() + 30_000;
    let port: RegExpExecArray | null = null;
    while (!(port = /listen url=https:\/\/127\.0\.0\.1:(\d+)/.exec(output()))) {
      if (Date.now() > end) throw new Error(`The hub did not start:\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      port: Number(port[1]),
      pki,
      output,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface Answer {
  status: number;
  body: string;
}

/** GET with a client certificate, from `localAddress` if given; rejects after `timeoutMs`. */
export function mtlsGet(
  port: number,
  caPem: string,
  cert: IssuedCert,
  path: string,
  opts: { timeoutMs?: number; localAddress?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: "127.0.0.1",
      port,
      path,
      ca: caPem,
      cert: cert.chainPem,
      key: cert.keyPem,
      agent: false,
      localAddress: opts.localAddress,
      headers: { connection: "close" },
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => body += c);
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on("error", reject);
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`No answer within ${opts.timeoutMs} ms`)),
      opts.timeoutMs ?? 5000,
    );
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** Raw TCP connections that never send a byte. */
export interface RawFlood extends AsyncDisposable {
  readonly size: number;
  /** Connections the kernel completed (the hub may not have accepted them). */
  readonly connected: number;
  /** Connections the hub closed. */
  readonly closedByHub: number;
  close(): Promise<void>;
}

/**
 * Opens `count` connections to `port` at once, round-robin from `addresses` (loopback
 * addresses: Linux routes all of 127.0.0.0/8 to lo), and resolves when each connected,
 * failed or `settleMs` passed (a dead listener's full queue leaves connects hanging).
 */
export async function rawFlood(
  port: number,
  count: number,
  addresses: string[],
  settleMs = 5000,
): Promise<RawFlood> {
  const sockets: net.Socket[] = [];
  let connected = 0;
  let closedByHub = 0;
  let closing = false;
  const settled = Array.from({ length: count }, (_, i) =>
    new Promise<void>((resolve) => {
      const socket = net.connect({
        host: "127.0.0.1",
        port,
        localAddress: addresses[i % addresses.length],
      });
      sockets.push(socket);
      let open = false;
      socket.once("connect", () => {
        open = true;
        connected++;
        resolve();
      });
      socket.on("error", () => resolve());
      socket.once("close", () => {
        if (open && !closing) closedByHub++;
        resolve();
      });
    }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(settled),
    new Promise((r) => timer = setTimeout(r, settleMs)),
  ]);
  clearTimeout(timer);
  const close = async () => {
    closing = true;
    const closed = sockets.map((s) =>
      s.destroyed ? Promise.resolve() : new Promise<void>((r) => s.once("close", () => r()))
    );
    for (const s of sockets) s.destroy();
    await Promise.all(closed);
  };
  return {
    size: count,
    get connected() {
      return connected;
    },
    get closedByHub() {
      return closedByHub;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** 127.0.0.`first` … 127.0.0.`first + n - 1`. */
export function loopbackAddresses(first: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${first + i}`);
}

/** A Prometheus sample's value in `text`, 0 when absent. */
export function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
