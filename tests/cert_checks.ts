/**
 * Checks shared by the certificate tests: openssl as the independent judge of what we write,
 * file modes, typed PKI errors and a temp dir per test.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PkiError, type PkiErrorCode } from "../lib/pki_error.ts";
import { CERT_FILES } from "../cli/cert_dir.ts";

/** Runs openssl; `out` holds stdout then stderr. */
export async function openssl(
  args: string[],
  stdin?: string,
): Promise<{ code: number; out: string }> {
  const cmd = new Deno.Command("openssl", {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const { code, stdout, stderr } = await child.output();
  const dec = new TextDecoder();
  return { code, out: dec.decode(stdout) + dec.decode(stderr) };
}

/** `openssl verify` of a leaf against the root and signer CA of certs dir `dir`. */
export async function verify(dir: string, leafPath: string, purpose: string) {
  return await openssl([
    "verify",
    "-CAfile",
    join(dir, CERT_FILES.rootCa),
    "-untrusted",
    join(dir, CERT_FILES.signerCa),
    "-purpose",
    purpose,
    leafPath,
  ]);
}

/** Runs `fn` with a fresh temp dir and removes it afterwards. */
export async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_pki_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export async function assertPkiError(p: Promise<unknown>, code: PkiErrorCode, message: RegExp) {
  await assert.rejects(p, (err) => {
    assert.ok(err instanceof PkiError, `expected PkiError, got ${err}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

export function modeOf(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}
