/**
 * trustcam's small web framework, Fresh-style: file routes from a generated manifest,
 * server rendering with preact-render-to-string, islands hydrated on the client, twind CSS.
 *
 * Server: {@link createRouter} matches requests to routes; {@link createRenderPage} renders
 * pages (document shell, inlined CSS, island markers and props, security headers).
 * Client: {@link startIslands} (in islands_client.ts, bundled by hub/assets.ts) hydrates.
 */
export {
  createRouter,
  type Handlers,
  type Manifest,
  type PageProps,
  type RenderPage,
  type RouteContext,
  type RouteHandler,
  type RouteModule,
  routePattern,
} from "./router.ts";
export { generateManifest, manifestSource } from "./manifest.ts";
export {
  type AppProps,
  CONTENT_SECURITY_POLICY,
  createRenderPage,
  type PageAssets,
  type RenderPageOptions,
  SECURITY_HEADERS,
} from "./render.tsx";
export { Head } from "./head.ts";
export { escapeHtml } from "./escape_html.ts";
export { HttpError } from "./http_error.ts";
export type { WebAssets } from "./web_assets.ts";
export {
  escapeScriptJson,
  ISLAND_ATTR,
  islandName,
  ISLANDS_SCRIPT_ID,
  READY_ATTR,
  serializeIslands,
} from "./islands.ts";
export { STATE_STYLE, twindConfig } from "./twind.ts";
