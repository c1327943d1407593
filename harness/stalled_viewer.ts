/**
 * A viewer that completes the WebSocket upgrade and then never reads again, shared by the load
 * test and the benchmark. Deno's own TLS client reads only when asked, so the hub's socket
 * really fills up (a `ws` client in the same process keeps draining it into memory even when
 * paused).
 */
export async function stalledViewer(opts: {
  port: number;
  caPem: string;
  cert: { chainPem: string; keyPem: string };
}): Promise<Deno.TlsConn> {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: opts.port,
    caCerts: [opts.caPem],
    cert: opts.cert.chainPem,
    key: opts.cert.keyPem,
  });
  try {
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    await conn.write(
      new TextEncoder().encode(
        `GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    // Read the response headers one byte at a time; whatever follows stays unread.
    const buf = new Uint8Array(1);
    let head = "";
    for (let i = 0; i < 4096 && !head.endsWith("\r\n\r\n"); i++) {
      const n = await conn.read(buf);
      if (n === null) throw new Error(`Stalled viewer's upgrade closed early: "${head}"`);
      head += String.fromCharCode(buf[0]);
    }
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new Error(`Stalled viewer's upgrade refused: "${head.split("\r\n")[0]}"`);
    }
    return conn;
  } catch (err) {
    conn.close();
    throw err;
  }
}
