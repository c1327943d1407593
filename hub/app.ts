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
import type { HubState, RouteConfig, RouteState } from "../lib/hub_state.ts";
import { createRouter, type Manifest } from "../lib/web/router.ts";
import { createRenderPage, SECURITY_HEADERS } from "../lib/web/render.tsx";
import { HttpError } from "../lib/web/http_error.ts";
import type { WebAssets } from "../lib/web/web_assets.ts";
import type { HubMetrics } from "./hub_metrics.ts";
import type { Log } from "./log.ts";

export type AppHandler = (request: Request, peer: Peer | null) => Promise<Response>;

export interface AppOptions {
  manifest: Manifest<RouteState>;
  state: HubState;
  assets: WebAssets;
  metrics: HubMetrics;
  log: Log;
  /** Reads the revocation list in force now (it can be reloaded). */
  isRevoked(peer: Peer): boolean;
  /** Largest request body read; larger is 413. */
  maxBodyBytes: number;
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

  return async function handle(request: Request, peer: Peer | null): Promise<Response> {
    let response: Response;
    try {
      response = await authorizedResponse(request, admit(o, peer));
    } catch (err) {
      if (!(err instanceof TrustcamError) && !(err instanceof HttpError)) {
        o.log("error", { path: new URL(request.url).pathname, error: err, stack: stackOf(err) });
      }
      response = errorResponse(err, request);
    }
    o.metrics.httpRequests.inc({ status: String(response.status) });
    return response;
  };

  async function authorizedResponse(request: Request, peer: Peer): Promise<Response> {
    const path = new URL(request.url).pathname;
    const asset = o.assets.serve(path);
    if (asset) {
      if (!VIEWERS_ONLY.roles!.includes(peer.role)) refuseRole(o);
      return asset;
    }
    const req = await withBoundedBody(request, o.maxBodyBytes);
    return await route({ req, state: { ...o.state, peer } });
  }
}

/** The peer, when it holds a verified certificate that is not revoked; throws otherwise. */
function admit(o: AppOptions, peer: Peer | null): Peer {
  if (!peer) {
    o.metrics.upgradesRefused.inc({ reason: "no_certificate" });
    throw new TrustcamError("TC_ERR_FORBIDDEN", "A verified client certificate is required");
  }
  if (o.isRevoked(peer)) {
    o.metrics.upgradesRefused.inc({ reason: "revoked" });
    o.log("refuse", { stage: "http", cn: peer.cn, addr: peer.remoteAddress, reason: "revoked" });
    throw new TrustcamError("TC_ERR_REVOKED", "Certificate revoked");
  }
  return peer;
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

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function stackOf(err: unknown): string | undefined {
  return err instanceof Error ? err.stack : undefined;
}
