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

/** Why a socket has no verified peer: a label for /metrics, the log and the refusal page. */
export type Unverified = "no_certificate" | "expired" | "not_yet_valid" | "untrusted";

/**
 * The reason a finished handshake carries no verified certificate (the listener lets such
 * connections finish TLS so that people get a page instead of a browser error). Deno's TLS
 * reports every chain failure as UNABLE_TO_VERIFY_LEAF_SIGNATURE, so the dates are read here.
 */
export function unverifiedReason(socket: TLSSocket, now = Date.now()): Unverified {
  const cert = socket.getPeerCertificate?.();
  if (!cert || Object.keys(cert).length === 0) return "no_certificate";
  const code = String((socket as TLSSocket & { authorizationError?: unknown }).authorizationError);
  const notAfter = Date.parse(cert.valid_to ?? "");
  const notBefore = Date.parse(cert.valid_from ?? "");
  if (code === "CERT_HAS_EXPIRED" || notAfter < now) return "expired";
  if (code === "CERT_NOT_YET_VALID" || notBefore > now) return "not_yet_valid";
  return "untrusted";
}
