/** Hub settings after flags and environment are read; see main.ts for the flags. */
export interface HubConfig {
  port: number;
  host: string;
  certsDir: string;
  dataDir: string;
  maxFrameBytes: number;
  viewerBufferBytes: number;
  stallMs: number;
  pingIntervalMs: number;
  handshakeTimeoutMs: number;
  serialPattern: string;
  revocationFile: string;
  policyFile: string | null;
  dev: boolean;
}
