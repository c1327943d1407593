import assert from "node:assert/strict";
import type { ComponentType } from "preact";
import {
  APP_FILE,
  type AppProps,
  createRenderPage,
  renderDocument,
  serverTwind,
} from "./render.tsx";
import { ISLANDS_SCRIPT_ID } from "./islands.ts";
import { Head } from "./head.ts";
import type { Manifest, PageProps, RouteContext } from "./router.ts";
import Counter from "./testdata/islands/Counter.tsx";
import Echo from "./testdata/islands/Echo.tsx";

/** The app's per-request state, opaque to the framework: here, who is asking. */
const state: { viewer: string } = { viewer: "alice" };

const islands = {
  "./islands/Counter.tsx": { default: Counter },
  "./islands/Echo.tsx": { default: Echo },
};

function manifest(routes: Manifest<unknown>["routes"] = {}): Manifest<unknown> {
  return { routes, islands };
}

function ctxFor(method = "GET"): RouteContext<unknown> {
  const req = new Request("https://127.0.0.1/", { method });
  return { req, url: new URL(req.url), params: {}, state };
}

function props(data: unknown = undefined): PageProps {
  return { data, url: new URL("https://127.0.0.1/"), params: {}, state };
}

// deno-lint-ignore no-explicit-any
async function render(Page: ComponentType<PageProps<any>>, opts: {
  data?: unknown;
  routes?: Manifest<unknown>["routes"];
  method?: string;
} = {}) {
  const renderPage = createRenderPage({
    manifest: manifest(opts.routes),
    assets: { scriptUrl: "/_trustcam/islands-0123456789abcdef.js" },
  });
  const res = await renderPage(Page, props(opts.data), ctxFor(opts.method));
  return { res, html: await res.text() };
}

function islandData(html: string): { name: string; props: Record<string, unknown> }[] {
  const m = new RegExp(`<script type="application/json" id="${ISLANDS_SCRIPT_ID}">(.*?)</script>`)
    .exec(html);
  assert.ok(m, "no island props script");
  return JSON.parse(m[1]);
}

Deno.test("createRenderPage() answers HTML with the security headers and no inline script", async () => {
  const { res, html } = await render(() => <main class="p-4">Hello</main>);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  const csp = res.headers.get("content-security-policy")!;
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("referrer-policy"), "no-referrer");
  assert.equal(res.headers.get("x-frame-options"), "DENY");
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.ok(html.startsWith("<!DOCTYPE html><html"));
  // Every script is either JSON data or has a src: nothing a CSP without 'unsafe-inline' blocks.
  for (const tag of html.match(/<script[^>]*>/g) ?? []) {
    assert.ok(/type="application\/json"|src="/.test(tag), tag);
  }
});

Deno.test("createRenderPage() inlines CSS for the classes used, and only those", async () => {
  const { html } = await render(() => <main class="grid grid-cols-3 text-amber-300">x</main>);
  const css = /<style data-twind="">(.*?)<\/style>/s.exec(html)?.[1] ?? "";
  assert.match(css, /\.grid-cols-3\{/);
  assert.match(css, /\.text-amber-300\{/);
  assert.doesNotMatch(css, /\.grid-cols-7\{/);
  // The theme's dark body background comes from the shell's classes.
  assert.match(css, /\.bg-wall\{/);
});

Deno.test("createRenderPage() leaves out the bundle on a page without islands", async () => {
  const { html } = await render(() => <p>static</p>);
  assert.doesNotMatch(html, /<script/);
});

Deno.test("createRenderPage() marks islands and serializes their props", async () => {
  const { html } = await render(() => (
    <div>
      <Counter start={3} label="Clicks" />
      <p>between</p>
      <Echo text="second" list={[1, 2]} />
    </div>
  ));
  assert.match(html, /<div data-island="0" class="contents"><button type="button" class="counter/);
  assert.match(html, /<div data-island="1" class="contents"><pre class="echo">/);
  assert.deepEqual(islandData(html), [
    { name: "Counter", props: { start: 3, label: "Clicks" } },
    { name: "Echo", props: { text: "second", list: [1, 2] } },
  ]);
  assert.match(
    html,
    /<script type="module" src="\/_trustcam\/islands-0123456789abcdef.js"><\/script>/,
  );
});

Deno.test("createRenderPage() escapes hostile text in markup and in island props", async () => {
  const evil = `</script><script>alert(1)</script><!-- "'&\u2028`;
  const { html } = await render(() => (
    <div>
      <h1>{evil}</h1>
      <Echo text={evil} list={[]} />
    </div>
  ));
  assert.equal(html.split("<script").length - 1, 2, "only the props script and the bundle");
  assert.doesNotMatch(html, /alert\(1\)<\/script>/);
  assert.ok(html.includes("<h1>&lt;/script>&lt;script>alert(1)&lt;/script>&lt;!-- "));
  assert.equal(islandData(html)[0].props.text, evil);
});

Deno.test("createRenderPage() refuses island props that JSON cannot carry", async () => {
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => render(() => <Echo text="x" list={[]} {...{ onPick: () => {} } as any} />),
    (err: unknown) =>
      err instanceof TypeError && /Island prop cannot be serialized: "onPick"/.test(err.message),
  );
});

Deno.test("createRenderPage() records an island inside another island as part of it", async () => {
  const Outer = (p: { text: string; list: number[] }) => (
    <section>
      <Counter start={0} label="inner" />
      {p.text}
    </section>
  );
  const renderPage = createRenderPage({
    manifest: {
      routes: {},
      islands: { ...islands, "./islands/Outer.tsx": { default: Outer } },
    },
    assets: { scriptUrl: "/x.js" },
  });
  const html = await (await renderPage(() => <Outer text="t" list={[]} />, props(), ctxFor()))
    .text();
  assert.deepEqual(islandData(html).map((r) => r.name), ["Outer"]);
  assert.equal(html.match(/data-island=/g)?.length, 1);
});

Deno.test("createRenderPage() puts <Head> children in the head and uses its title", async () => {
  const { html } = await render(() => (
    <main>
      <Head>
        <title>Front door &lt;1&gt; · trustcam</title>
      </Head>
      body
    </main>
  ));
  const head = /<head>(.*)<\/head>/s.exec(html)![1];
  assert.match(head, /<title>Front door &lt;1> · trustcam<\/title>/);
  assert.equal(html.match(/<title>/g)?.length, 1);
  const { html: plain } = await render(() => <main />);
  assert.match(plain, /<title>trustcam<\/title>/);
});

Deno.test("createRenderPage() wraps pages in routes/_app.tsx", async () => {
  const App = ({ Component, state }: AppProps<{ viewer: string }>) => (
    <div id="app" data-viewer={state.viewer}>
      <Component />
    </div>
  );
  const { html } = await render(({ data }) => <p>page {String(data)}</p>, {
    data: 7,
    routes: { [APP_FILE]: { default: App as ComponentType<PageProps> } },
  });
  assert.match(html, /<div id="app" data-viewer="alice"><p>page 7<\/p><\/div>/);
});

Deno.test("createRenderPage() sends headers without a body for HEAD", async () => {
  const { res, html } = await render(() => <p>x</p>, { method: "HEAD" });
  assert.equal(res.status, 200);
  assert.equal(html, "");
});

Deno.test("renderDocument() keeps `$&` in props literal", () => {
  const html = renderDocument({
    Page: () => <Echo text="$&$'$`" list={[]} />,
    props: props(),
    islands: new Map<ComponentType, string>([[Echo as ComponentType, "Echo"]]),
    tw: serverTwind(),
    scriptUrl: "/x.js",
    defaultTitle: "t",
  });
  assert.equal(islandData(html)[0].props.text, "$&$'$`");
});
