/**
 * The benchmark's own PKI, made fresh in a temp dir for every run with lib/pki.ts: the hub's
 * certs dir plus one JSON file of client credentials that the camera and viewer processes
 * read (issuing a certificate per process start would cost more than the step itself).
 */
import { issueClient } from "../lib/pki.ts";
import { initPki, loadSigner } from "../cli/cert_dir.ts";

export interface BenchCred {
  cn: string;
  chainPem: string;
  keyPem: string;
}

export interface BenchCreds {
  /** root + signer PEM: what clients trust */
  caPem: string;
  devices: BenchCred[];
  viewers: BenchCred[];
}

/** Camera i (from 0) of the benchmark: 0123BE7C + 10 hex digits. */
export function benchSerial(i: number): string {
  return `0123BE7C${i.toString(16).toUpperCase().padStart(10, "0")}`;
}

/** Creates `<dir>/certs` (the hub's) and `<dir>/creds.json`; returns the creds path. */
export async function createBenchPki(
  dir: string,
  counts: { devices: number; viewers: number },
): Promise<{ certsDir: string; credsPath: string; creds: BenchCreds }> {
  const certsDir = `${dir}/certs`;
  await initPki(certsDir);
  const signer = await loadSigner(certsDir);
  const caPem = (await Deno.readTextFile(`${certsDir}/root-ca.crt`)) +
    (await Deno.readTextFile(`${certsDir}/signer-ca.crt`));
  const issue = async (cn: string): Promise<BenchCred> => {
    const c = await issueClient(signer, { cn });
    return { cn, chainPem: c.chainPem, keyPem: c.keyPem };
  };
  const devices: BenchCred[] = [];
  for (let i = 0; i < counts.devices; i++) devices.push(await issue(benchSerial(i)));
  const viewers: BenchCred[] = [];
  for (let i = 0; i < counts.viewers; i++) {
    viewers.push(await issue(`bench-viewer-${String(i + 1).padStart(3, "0")}`));
  }
  const creds = { caPem, devices, viewers };
  const credsPath = `${dir}/creds.json`;
  await Deno.writeTextFile(credsPath, JSON.stringify(creds), { mode: 0o600 });
  return { certsDir, credsPath, creds };
}

export async function loadBenchCreds(path: string): Promise<BenchCreds> {
  return JSON.parse(await Deno.readTextFile(path)) as BenchCreds;
}

/** Viewer credential i; viewers beyond the issued ones reuse them in turn (the hub allows it). */
export function viewerCred(creds: BenchCreds, i: number): BenchCred {
  return creds.viewers[i % creds.viewers.length];
}
