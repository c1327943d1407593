/**
 * A TLS endpoint for device-side tests that accepts the WebSocket upgrade and then never
 * reads again, like a hub stuck on a slow disk.
 */
import type { TestPki } from "./pki_fixture.ts";

/**
 * A TLS endpoint that accepts the WebSocket upgrade and then never reads again, like a hub
 * stuck on a slow disk. (node:https in Deno keeps reading after socket.pause(), so this one
 * is built on Deno.listenTls, where not reading leaves the bytes in the kernel.)
 */
export class StalledHub {
  #listener: Deno.TlsListener;
  #conns: Deno.TlsConn[] = [];
  #accepting: Promise<void>;

  constructor(pki: TestPki) {
    this.#listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: pki.server.chainPem,
      key: pki.server.keyPem,
    });
    this.#accepting = this.#accept();
  }

  get port(): number {
    return this.#listener.addr.port;
  }

  async #accept(): Promise<void> {
    for await (const conn of this.#listener) {
      this.#conns.push(conn);
      await this.#upgrade(conn).catch(() => conn.close());
    }
  }

  async #upgrade(conn: Deno.TlsConn): Promise<void> {
    let head = "";
    const buf = new Uint8Array(4096);
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("Closed before the upgrade");
      head += new TextDecoder().decode(buf.subarray(0, n));
    }
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head)![1];
    const digest = await crypto.subtle.digest(
      "SHA-1",
      new TextEncoder().encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
    );
    const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
    await conn.write(new TextEncoder().encode(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    ));
  }

  async close(): Promise<void> {
    this.#listener.close();
    for (const c of this.#conns) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    await this.#accepting.catch(() => {});
  }
}
