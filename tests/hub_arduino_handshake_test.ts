/**
 * The camera firmware's WebSocket client, byte for byte, over real TLS: the upgrade request of
 * kmwebnet/WebSockets_Generic 2.3.1 (sendHeader() in WebSocketsClient_Generic-Impl.h: the
 * offered `Sec-WebSocket-Protocol: arduino`, the default `Origin: file://`, the
 * `User-Agent: arduino-WebSocket-Client`), then a masked binary frame that a viewer receives
 * and a ping the hub must answer, since the firmware's heartbeat drops links without pongs.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import tls from "node:tls";
import { fakeJpeg, startTestHub, type TestHub } from "./hub_fixture.ts";
import type { IssuedCert } from "./pki_fixture.ts";
import { waitFor } from "./wait_for.ts";
import { parseViewerFrame } from "../lib/trailer.ts";

// What getid() logs: the ATECC608 serial in lower case. The certificate carries the same
// serial; the hub names the camera by its upper-case form.
const LOGGED_SERIAL = "0123a1b2c3d4e5f6a7";
const CAM = LOGGED_SERIAL.toUpperCase();
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

interface RawDevice {
  response: string;
  frames: Uint8Array[];
  write(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** Sends the library's upgrade request line for line and collects what comes back. */
async function arduinoConnect(t: TestHub, cert: IssuedCert): Promise<RawDevice> {
  const socket = tls.connect({
    host: "127.0.0.1",
    port: t.port,
    ca: t.pki.caPem,
    cert: cert.chainPem,
    key: cert.keyPem,
    servername: "localhost",
    checkServerIdentity: () => undefined,
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", () => resolve());
    socket.once("error", reject);
  });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  socket.write(
    "GET /ws HTTP/1.1\r\n" +
      `Host: 127.0.0.1:${t.port}\r\n` +
      "Connection: Upgrade\r\n" +
      "Upgrade: websocket\r\n" +
      "Sec-WebSocket-Version: 13\r\n" +
      `Sec-WebSocket-Key: ${key}\r\n` +
      "Sec-WebSocket-Protocol: arduino\r\n" +
      "Origin: file://\r\n" +
      "User-Agent: arduino-WebSocket-Client\r\n" +
      "\r\n",
  );
  let buffered = new Uint8Array(0);
  const device: RawDevice = {
    response: "",
    frames: [],
    write: (bytes) => socket.write(bytes),
    async close() {
      socket.destroy();
      await closed;
    },
  };
  socket.on("data", (chunk: Uint8Array) => {
    buffered = new Uint8Array([...buffered, ...chunk]);
    if (!device.response) {
      const end = new TextDecoder().decode(buffered).indexOf("\r\n\r\n");
      if (end < 0) return;
      device.response = new TextDecoder().decode(buffered.subarray(0, end));
      buffered = buffered.subarray(end + 4);
    }
    // Server frames are unmasked; the ones here are short (7-bit length).
    while (buffered.length >= 2 && buffered.length >= 2 + (buffered[1] & 0x7f)) {
      const len = 2 + (buffered[1] & 0x7f);
      device.frames.push(buffered.subarray(0, len));
      buffered = buffered.subarray(len);
    }
  });
  await waitFor(() => device.response !== "", 5000, "the upgrade response");
  const accept = createHash("sha1").update(key + WS_GUID).digest("base64");
  assert.match(device.response, /^HTTP\/1\.1 101 /);
  // The library checks only Upgrade, Connection and the accept key; any subprotocol answer
  // (or none) is fine for it.
  assert.match(device.response, /^upgrade: websocket$/im);
  assert.match(device.response, /^connection: upgrade$/im);
  assert.ok(device.response.includes(`\r\nSec-WebSocket-Accept: ${accept}`), device.response);
  return device;
}

/** A client frame as the library writes one over 1400 bytes: FIN, masked with a zero key. */
function maskedFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const len = payload.length;
  const head = len < 126
    ? [0x80 | opcode, 0x80 | len]
    : [0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff];
  return new Uint8Array([...head, 0, 0, 0, 0, ...payload]);
}

Deno.test("hub accepts the Arduino client's handshake and relays its frame; answers its ping", async () => {
  await using t = await startTestHub();
  const viewer = await t.viewer("alice");
  const device = await arduinoConnect(t, await t.pki.device(LOGGED_SERIAL));

  const jpeg = fakeJpeg(4000);
  device.write(maskedFrame(0x2, jpeg));
  await viewer.until(() => viewer.binary.length === 1, 5000, "the device's frame");
  const frame = parseViewerFrame(viewer.binary[0]);
  assert.equal(frame.serial, CAM);
  assert.deepEqual(frame.jpeg, jpeg);

  device.write(maskedFrame(0x9, new TextEncoder().encode("hb")));
  await waitFor(() => device.frames.some((f) => f[0] === 0x8a), 5000, "the pong");
  const pong = device.frames.find((f) => f[0] === 0x8a)!;
  assert.deepEqual([...pong], [0x8a, 2, 0x68, 0x62]);

  await device.close();
  await viewer.close();
});
