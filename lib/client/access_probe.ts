/**
 * Whether the hub still accepts the certificate this browser presents. A revoked viewer's
 * open socket is closed with 1008 "Certificate revoked"; afterwards the hub refuses its
 * upgrades before the WebSocket exists, so the page only sees 1006 and cannot tell a revoked
 * certificate from a hub that is down. An ordinary request can: the browser presents the
 * same certificate and the hub answers 403 with the reason's code. Browser-safe.
 */

/** Codes after which reconnecting with the same certificate cannot succeed. */
export type AccessProblemCode = "TC_ERR_REVOKED" | "TC_ERR_CERTIFICATE_REQUIRED";

export interface AccessProblem {
  code: AccessProblemCode;
  /** The hub's message, safe to show. */
  message: string;
  /** For TC_ERR_CERTIFICATE_REQUIRED: "expired", "not_yet_valid", "untrusted", ... */
  reason?: string;
}

/** The close the hub sends a viewer whose certificate it has just revoked (lib/errors.ts). */
export const REVOKED_CLOSE = { code: 1008, reason: "Certificate revoked" } as const;

/** The problem a WebSocket close states, or null when it states none. */
export function problemOfClose(code: number, reason: string): AccessProblem | null {
  if (code === REVOKED_CLOSE.code && reason === REVOKED_CLOSE.reason) {
    return { code: "TC_ERR_REVOKED", message: reason };
  }
  return null;
}

/**
 * The problem an HTTP answer states: a 403 whose JSON body carries one of the
 * {@link AccessProblemCode}s. Anything else (another status, another code, a body that is not
 * JSON) says nothing about the certificate: null.
 */
export function problemOfResponse(status: number, body: string): AccessProblem | null {
  if (status !== 403) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (typeof error !== "object" || error === null) return null;
  const { code, message, reason } = error as Record<string, unknown>;
  if (code !== "TC_ERR_REVOKED" && code !== "TC_ERR_CERTIFICATE_REQUIRED") return null;
  const problem: AccessProblem = {
    code,
    message: typeof message === "string" && message !== "" ? message : code,
  };
  if (typeof reason === "string" && /^[a-z_]{1,32}$/.test(reason)) problem.reason = reason;
  return problem;
}

/** Where the probe asks: any route refuses a revoked certificate; this one is small. */
export const PROBE_PATH = "/api/cameras";

/**
 * Asks the hub once (GET `url`, JSON) and returns the problem it states, or null: also when
 * the request fails or is aborted, since the hub being unreachable says nothing either.
 */
export async function probeAccess(
  url: string,
  signal: AbortSignal,
  fetchFn: typeof fetch = fetch,
): Promise<AccessProblem | null> {
  try {
    const res = await fetchFn(url, {
      headers: { accept: "application/json" },
      cache: "no-store",
      signal,
    });
    if (res.status !== 403) {
      await res.body?.cancel();
      return null;
    }
    return problemOfResponse(res.status, await res.text());
  } catch {
    return null;
  }
}
