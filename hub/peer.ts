/** Who is on the other end of a TLS socket, read from its verified certificate only. */
import type { TLSSocket } from "node:tls";
import type { Peer } from "../lib/peer.ts";
import { canonicalSerial } from "../lib/serial.ts";

/**
 * The verified peer of a socket, or null when the socket carries no authorized certificate
 * (the listener refuses those at TLS, so null means a bug or a race with close).
 */
export function peerOf(socket: TLSSocket, isSerial: (s: string) => boolean): Peer | null {
  if (!socket.authorized) return null;
  const cert = socket.getPeerCertificate();
  const rawCn = cert?.subject?.CN;
  const cn = Array.isArray(rawCn) ? rawCn[0] : rawCn;
  if (!cn) return null;
  const device = isSerial(cn);
  return {
    role: device ? "device" : "viewer",
    cn: device ? canonicalSerial(cn) : cn,
    fingerprint256: (cert.fingerprint256 ?? "").replaceAll(":", "").toLowerCase(),
    serialNumber: (cert.serialNumber ?? "").toLowerCase(),
    remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
  };
}
