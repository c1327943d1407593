/**
 * The hub's HTTP application: one plain `(request, peer) => Promise<Response>` in the way
 * Fresh's `App.handler()` stands apart from `listen()`. It owns who may ask (a verified,
 * unrevoked certificate of the role the route allows), the assets, the router, and the one
 * place an error becomes a response. It never sees a socket, so it is tested without TLS;
 * hub/server.ts hands it each request with the peer read from the TLS layer.
 */
import {
  ERROR_CODES,
  errorBody,
  type ErrorCode,
  httpStatusOf,
  TrustcamError,
} from "../lib/errors.ts";
import type { Peer } from "../lib/peer.ts";
import { originAllowed } from "../lib/origin.ts";
import { quote } from "../lib/quote.ts";
import type { HubState, RouteConfig, RouteState } from "../lib/hub_state.ts";
import { createRouter, type Manifest } from "../lib/web/router.ts";
import { createRenderPage, SECURITY_HEADERS } from "../lib/web/render.tsx";
import { HttpError } from "../lib/web/http_error.ts";
import { escapeHtml } from "../lib/web/escape_html.ts";
import type { WebAssets } from "../lib/web/web_assets.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";
import type { Unverified } from "./peer.ts";
import { certificateRequiredResponse } from "./certificate_required.ts";

/**
 * Answers one request from `peer` (null: no verified certificate, for the reason in
 * `unverified`). `refusal`, when given, is the answer once the peer is admitted (a method no
 * route can serve).
 */
export type AppHandler = (
  request: Request,
  peer: Peer | null,
  more?: { refusal?: TrustcamError; unverified?: Unverified },
) => Promise<Response>;

export interface AppOptions {
  manifest: Manifest<RouteState>;
  state: HubState;
  assets: WebAssets;
  metrics: HubMetrics;
  log: Log;
  /** Reads the revocation list in force now (it can be reloaded). */
  isRevoked(peer: Peer): boolean;
  /** Largest request body read, unless the route's config says otherwise; larger is 413. */
  maxBodyBytes: number;
  /** Origins besides the hub's own whose pages may act for a viewer (normalized). */
  allowedOrigins: ReadonlySet<string>;
}

/** Roles a route admits when its file exports no `config`. */
const VIEWERS_ONLY: RouteConfig = { roles: ["viewer"] };

export function createApp(o: AppOptions): AppHandler {
  const route = createRouter(o.manifest, {
    renderPage: createRenderPage({ manifest: o.manifest, assets: o.assets }),
    guard(ctx, config) {
      const roles = (config as RouteConfig | undefined)?.roles ?? VIEWERS_ONLY.roles!;
      if (!roles.includes(ctx.state.peer.role)) refuseRole(o);
    },
  });

  return async function handle(request, peer, more = {}): Promise<Response> {
    if (!peer) {
      const reason = more.unverified ?? "no_certificate";
      o.metrics.upgradesRefused.inc({ reason });
      o.metrics.httpRequests.inc({ status: "403" });
      return certificateRequiredResponse(reason, request.headers.get("accept"));
    }
    let response: Response;
    try {
      const admitted = admit(o, peer);
      if (more.refusal) throw more.refusal;
      response = await authorizedResponse(request, admitted);
    } catch (err) {
      if (!(err instanceof TrustcamError) && !(err instanceof HttpError)) {
        o.log("error", { path: new URL(request.url).pathname, error: err, stack: stackOf(err) });
      }
      response = errorResponse(err, request);
    }
    o.metrics.httpRequests.inc({ status: String(response.status) });
    return hardened(response);
  };

  async function authorizedResponse(request: Request, peer: Peer): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (peer.role === "viewer" && request.method !== "GET" && request.method !== "HEAD") {
      checkOrigin(o, request, peer);
    }
    const asset = o.assets.serve(path);
    if (asset) {
      if (!VIEWERS_ONLY.roles!.includes(peer.role)) refuseRole(o);
      return asset;
    }
    // A route may take more than the default (a long camera order): its config says so.
    const config = route.configOf(request.url) as RouteConfig | undefined;
    const req = await withBoundedBody(request, config?.maxBodyBytes ?? o.maxBodyBytes);
    return await route({ req, state: { ...o.state, peer } });
  }
}

/** Headers every answer carries, whoever built it (a route, the assets, an error). */
export const BASELINE_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "cross-origin-resource-policy": "same-origin",
  "referrer-policy": "no-referrer",
};

/**
 * The response with the baseline headers, and `no-store` unless it says how to cache (only
 * the content-hashed assets do): every answer shows one viewer's cameras.
 */
export function hardened(response: Response): Response {
  const add = (headers: Headers) => {
    for (const [k, v] of Object.entries(BASELINE_HEADERS)) if (!headers.has(k)) headers.set(k, v);
    if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  };
  try {
    add(response.headers);
    return response;
  } catch {
    // Immutable headers (a fetched response): copy them once.
    const headers = new Headers(response.headers);
    add(headers);
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
}

/** The peer, when its certificate is not revoked; throws otherwise. */
function admit(o: AppOptions, peer: Peer): Peer {
  if (o.isRevoked(peer)) {
    o.metrics.upgradesRefused.inc({ reason: "revoked" });
    o.log("refuse", { stage: "http", cn: peer.cn, addr: peer.remoteAddress, reason: "revoked" });
    throw new TrustcamError("TC_ERR_REVOKED", "Certificate revoked");
  }
  return peer;
}

/**
 * A browser acting for a viewer sends the page's `Origin` with every request that can change
 * something: another site's page must not rename cameras with the viewer's certificate.
 */
function checkOrigin(o: AppOptions, request: Request, peer: Peer): void {
  const origin = request.headers.get("origin");
  if (originAllowed(origin, request.headers.get("host"), o.allowedOrigins)) return;
  o.metrics.upgradesRefused.inc({ reason: "origin" });
  o.log("refuse", {
    stage: "http",
    cn: peer.cn,
    addr: peer.remoteAddress,
    reason: "origin",
    origin,
  });
  throw new TrustcamError(
    "TC_ERR_ORIGIN",
    `Requests from another site are refused: ${quote(origin ?? "")}`,
  );
}

function refuseRole(o: AppOptions): never {
  o.metrics.upgradesRefused.inc({ reason: "wrong_role" });
  throw new TrustcamError("TC_ERR_WRONG_ROLE", "Devices cannot watch");
}

/**
 * The request with its body read whole, up to `max` bytes: only after the peer is admitted,
 * so nobody without a certificate makes the hub read a byte of body.
 */
export async function withBoundedBody(request: Request, max: number): Promise<Request> {
  if (!request.body) return request;
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > max) {
    await request.body.cancel().catch(() => {});
    throw new TrustcamError(
      "TC_ERR_BODY_TOO_LARGE",
      `Request body too large: ${declared} bytes > ${max}`,
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new TrustcamError(
        "TC_ERR_BODY_TOO_LARGE",
        `Request body too large: more than ${max} bytes`,
      );
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
  });
}

/** The framework's statuses in the app's table, so every error body carries a code. */
const HTTP_ERROR_CODES: Record<number, ErrorCode> = {
  404: "TC_ERR_NOT_FOUND",
  405: "TC_ERR_METHOD",
};

function asTrustcamError(err: unknown): unknown {
  if (!(err instanceof HttpError)) return err;
  const code = HTTP_ERROR_CODES[err.status];
  return code && ERROR_CODES[code].status === err.status
    ? new TrustcamError(code, err.message, { cause: err })
    : err;
}

/**
 * The one place an error becomes an HTTP response: JSON for API clients, a short page for
 * people, the same security headers as every page either way.
 */
export function errorResponse(err: unknown, req: { headers: Headers }): Response {
  const known = asTrustcamError(err);
  const status = httpStatusOf(known);
  const body = errorBody(known);
  const headers = new Headers(SECURITY_HEADERS);
  headers.set("cache-control", "no-store");
  if ((req.headers.get("accept") ?? "").includes("text/html")) {
    headers.set("content-type", "text/html; charset=utf-8");
    return new Response(
      `<!doctype html><meta charset="utf-8"><title>${status}</title>` +
        `<body style="background:#0b0f14;color:#e6edf3;font-family:system-ui;padding:2rem">` +
        `<h1>${status}</h1><p>${
          escapeHtml(body.message)
        }</p><p><a style="color:#7cc4ff" href="/">Back to the wall</a></p>`,
      { status, headers },
    );
  }
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify({ error: body }), { status, headers });
}

function stackOf(err: unknown): string | undefined {
  return err instanceof Error ? err.stack : undefined;
}
