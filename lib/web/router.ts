/**
 * Fresh-style file routing without Fresh: a manifest maps route files to modules, and the
 * router matches a request to one of them. It knows nothing of sockets or of the app: it
 * takes a Request and the app's per-request state and returns a Response, so every route is
 * testable without TLS.
 */
import type { ComponentType } from "preact";
import { HttpError } from "./http_error.ts";

export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = typeof METHODS[number];

export interface RouteContext<S> {
  req: Request;
  url: URL;
  params: Record<string, string>;
  /** The app's per-request state (who asks, what the app offers). */
  state: S;
}

export type RouteHandler<S> = (ctx: RouteContext<S>) => Response | Promise<Response>;
export type Handlers<S> = Partial<Record<Method, RouteHandler<S>>>;

export interface PageProps<D = unknown, S = unknown> {
  data: D;
  url: URL;
  params: Record<string, string>;
  state: S;
}

/**
 * A route file. API routes export `handler`; pages export a default component and optionally
 * `data(ctx)`, whose result (or Response, to redirect or refuse) becomes `props.data`.
 */
export interface RouteModule<S> {
  handler?: Handlers<S>;
  /** Route metadata the app reads before dispatch (who may call it); opaque to the router. */
  config?: unknown;
  data?: (ctx: RouteContext<S>) => unknown | Promise<unknown>;
  /** The page, or for `_app.tsx` the document layout (props beyond PageProps). */
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<any>;
}

export interface Manifest<S> {
  /** Keys are paths relative to the project root: "./routes/cameras/[serial].tsx". */
  routes: Record<string, RouteModule<S>>;
  /** Keys are "./islands/Wall.tsx"; values are the island modules. */
  // deno-lint-ignore no-explicit-any
  islands: Record<string, { default: ComponentType<any> }>;
}

export type RenderPage<S> = (
  // deno-lint-ignore no-explicit-any
  page: ComponentType<PageProps<any>>,
  props: PageProps,
  ctx: RouteContext<S>,
) => Response | Promise<Response>;

interface CompiledRoute<S> {
  file: string;
  pattern: string;
  segments: string[];
  mod: RouteModule<S>;
}

/** "./routes/api/cameras/[serial]/snapshot.jpg.ts" → "/api/cameras/:serial/snapshot.jpg" */
export function routePattern(file: string): string {
  const rel = file.replace(/^\.\/routes\//, "").replace(/\.(tsx|ts)$/, "");
  const parts = rel.split("/").filter((p) => p !== "index");
  return "/" + parts.map((p) => p.replace(/^\[(\w+)\]$/, ":$1")).join("/");
}

/**
 * Builds the request handler. Static segments beat parameters, so `/api/cameras/:serial`
 * never shadows a fixed sibling route.
 */
export interface RouterOptions<S> {
  renderPage: RenderPage<S>;
  /**
   * Runs before a matched route (with its module's `config`), and before the 404 of an
   * unmatched path (with undefined), so the app can refuse first and leak nothing. Throws to
   * refuse.
   */
  guard?: (ctx: RouteContext<S>, config: unknown) => void;
}

/** The router: answers a request; `configOf` reads a path's route `config` before that. */
export interface Router<S> {
  (ctx: Omit<RouteContext<S>, "params" | "url">): Promise<Response>;
  /** The `config` of the route `url` matches (undefined when none does or it has none). */
  configOf(url: string | URL): unknown;
}

export function createRouter<S>(
  manifest: Manifest<S>,
  options: RouterOptions<S>,
): Router<S> {
  const routes: CompiledRoute<S>[] = Object.entries(manifest.routes)
    .filter(([file]) => !file.split("/").some((seg) => seg.startsWith("_")))
    .map(([file, mod]) => {
      const pattern = routePattern(file);
      return { file, pattern, segments: pattern.split("/").filter(Boolean), mod };
    })
    .sort((a, b) => specificity(b) - specificity(a));

  const segmentsOf = (url: URL) => url.pathname.split("/").filter(Boolean).map(decodeSegment);

  const route = async function route(base: Omit<RouteContext<S>, "params" | "url">) {
    const url = new URL(base.req.url);
    const path = segmentsOf(url);
    for (const r of routes) {
      const params = matchSegments(r.segments, path);
      if (!params) continue;
      const ctx: RouteContext<S> = { ...base, url, params };
      options.guard?.(ctx, r.mod.config);
      const method = base.req.method as Method;
      const handler = r.mod.handler?.[method] ??
        (method === "HEAD" ? r.mod.handler?.GET : undefined);
      if (handler) return await handler(ctx);
      if (r.mod.default && (method === "GET" || method === "HEAD")) {
        const data = r.mod.data ? await r.mod.data(ctx) : undefined;
        if (data instanceof Response) return data;
        const props = { data, url, params, state: ctx.state };
        return await options.renderPage(r.mod.default, props, ctx);
      }
      throw new HttpError(405, `Method not allowed: "${base.req.method}"`);
    }
    options.guard?.({ ...base, url, params: {} }, undefined);
    throw new HttpError(404, `Not found: "${url.pathname}"`);
  };
  return Object.assign(route, {
    configOf(url: string | URL): unknown {
      const path = segmentsOf(new URL(url));
      return routes.find((r) => matchSegments(r.segments, path))?.mod.config;
    },
  });
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // A malformed escape can match no route; keep it verbatim so the 404 names it.
    return s;
  }
}

function specificity(r: { segments: string[] }): number {
  // More segments first, then more static segments: "/api/cameras/:serial/snapshot.jpg"
  // before "/api/cameras/:serial", "/cameras/new" before "/cameras/:serial".
  const statics = r.segments.filter((s) => !s.startsWith(":")).length;
  return r.segments.length * 100 + statics;
}

function matchSegments(segments: string[], path: string[]): Record<string, string> | null {
  if (segments.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.startsWith(":")) params[seg.slice(1)] = path[i];
    else if (seg !== path[i]) return null;
  }
  return params;
}
