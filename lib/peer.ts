/** Who is on the other end: always a verified client certificate, read by hub/peer.ts. */
export interface Peer {
  role: "viewer" | "device";
  cn: string;
  fingerprint256: string;
  serialNumber: string;
  remoteAddress: string;
}
