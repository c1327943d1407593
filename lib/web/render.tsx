/**
 * Server rendering of pages: preact-render-to-string inside a document shell, the twind CSS
 * for exactly the classes in the markup inlined in `<head>`, island markers and their
 * serialized props, and the islands bundle as the page's only script. Every page answer
 * carries the same security headers; the CSP allows no inline script at all.
 */
import type { ComponentChildren, ComponentType } from "preact";
import { renderToString } from "preact-render-to-string";
import { extract, getSheet, type Twind, twind } from "@twind/core";
import type { Manifest, PageProps, RenderPage, RouteContext } from "./router.ts";
import { collectIslands, islandRegistry, ISLANDS_SCRIPT_ID, serializeIslands } from "./islands.ts";
import { collectHead } from "./head.ts";
import { twindConfig } from "./twind.ts";

/** What the renderer needs of the built assets ({@link WebAssets} fits). */
export interface PageAssets {
  readonly scriptUrl: string;
}

/** Props of `routes/_app.tsx`: the page's props plus the page component to place. */
export interface AppProps<S = unknown> extends PageProps<unknown, S> {
  Component: ComponentType<Record<string, never>>;
}

export const APP_FILE = "./routes/_app.tsx";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  // twind's client sheet and the server's inlined CSS; no inline script is ever allowed.
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers on every page; assets and API answers may reuse them. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export interface RenderPageOptions<S> {
  manifest: Manifest<S>;
  assets: PageAssets;
  /** Title when the page sets none with `<Head><title>`; default "trustcam". */
  title?: string;
}

/** Twind with a virtual sheet; `extract()` snapshots and restores it around each page. */
export function serverTwind(): Twind {
  // deno-lint-ignore no-explicit-any
  return twind(twindConfig as any, getSheet(false)) as Twind;
}

/** The page renderer handed to the router. */
export function createRenderPage<S>(opts: RenderPageOptions<S>): RenderPage<S> {
  const islands = islandRegistry(opts.manifest.islands);
  const App = opts.manifest.routes[APP_FILE]?.default as ComponentType<AppProps> | undefined;
  const tw = serverTwind();
  const defaultTitle = opts.title ?? "trustcam";

  return function renderPage(
    // deno-lint-ignore no-explicit-any
    Page: ComponentType<PageProps<any>>,
    props: PageProps,
    ctx: RouteContext<S>,
  ): Response {
    const html = renderDocument({
      Page,
      App,
      props,
      islands,
      tw,
      scriptUrl: opts.assets.scriptUrl,
      defaultTitle,
    });
    const headers = new Headers(SECURITY_HEADERS);
    headers.set("content-type", "text/html; charset=utf-8");
    // Pages show one viewer's cameras, live: never cache them anywhere.
    headers.set("cache-control", "no-store");
    return new Response(ctx.req.method === "HEAD" ? null : html, { status: 200, headers });
  };
}

interface DocumentParts {
  // deno-lint-ignore no-explicit-any
  Page: ComponentType<PageProps<any>>;
  App?: ComponentType<AppProps>;
  props: PageProps;
  islands: Map<ComponentType, string>;
  tw: Twind;
  scriptUrl: string;
  defaultTitle: string;
}

/** The whole HTML document for one page. Exported for tests. */
export function renderDocument(parts: DocumentParts): string {
  const { Page, App, props } = parts;
  const { result: { result: body, head }, islands } = collectIslands(
    parts.islands,
    () =>
      collectHead(() => {
        const Component = () => <Page {...props} />;
        return renderToString(App ? <App {...props} Component={Component} /> : <Component />);
      }),
  );
  const headHtml = renderToString(<>{head as ComponentChildren}</>);
  const hasTitle = /<title>/.test(headHtml);
  const title = hasTitle ? "" : renderToString(<title>{parts.defaultTitle}</title>);
  const shell = `<!DOCTYPE html><html lang="en" class="bg-wall">` +
    `<head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    // No favicon request per page load (and no 404 in the log): an empty data: icon.
    `<meta name="color-scheme" content="dark"><link rel="icon" href="data:,">` +
    `${title}${headHtml}</head>` +
    `<body class="min-h-screen bg-wall text-neutral-300 font-sans antialiased">` +
    `${body}</body></html>`;
  const { html, css } = extract(shell, parts.tw);
  // CSS comes from class names in our own markup; still, never let it close the element.
  const style = `<style data-twind="">${css.replaceAll("</", "<\\/")}</style>`;
  let scripts = "";
  if (islands.length > 0) {
    scripts = `<script type="application/json" id="${ISLANDS_SCRIPT_ID}">` +
      `${serializeIslands(islands)}</script>` +
      renderToString(<script type="module" src={parts.scriptUrl} />);
  }
  // Function replacers: a `$&` in the CSS or the props must stay literal.
  return html.replace("</head>", () => `${style}</head>`).replace(
    "</body>",
    () => `${scripts}</body>`,
  );
}
