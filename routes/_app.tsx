/** The frame around every page: the hub's name, who is watching, the page. */
import type { AppProps } from "../lib/web/render.tsx";
import type { RouteState } from "../lib/hub_state.ts";

export default function App({ Component, state, url }: AppProps<RouteState>) {
  const onWall = url.pathname === "/";
  const onEvents = url.pathname === "/events";
  const onSettings = url.pathname === "/settings";
  return (
    <div class="flex min-h-screen flex-col">
      {/* A phone's width: the links wrap rather than push the page sideways. */}
      <header class="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 border-b border-neutral-800 px-4 py-2">
        <nav aria-label="Main" class="flex flex-wrap items-center gap-x-4 gap-y-1">
          <a
            href="/"
            class="font-semibold tracking-wide text-neutral-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            aria-current={onWall ? "page" : undefined}
          >
            trustcam
          </a>
          {!onWall && (
            <a
              href="/"
              class="text-sm text-neutral-400 hover:text-neutral-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            >
              ← All cameras
            </a>
          )}
          <a
            href="/events"
            class={`text-sm hover:text-neutral-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 ${
              onEvents ? "text-neutral-100" : "text-neutral-400"
            }`}
            aria-current={onEvents ? "page" : undefined}
            data-nav="events"
          >
            Motion events
          </a>
          <a
            href="/settings"
            class={`text-sm hover:text-neutral-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 ${
              onSettings ? "text-neutral-100" : "text-neutral-400"
            }`}
            aria-current={onSettings ? "page" : undefined}
            data-nav="settings"
          >
            Settings
          </a>
        </nav>
        <p class="min-w-0 truncate text-xs text-neutral-500">
          <span class="hidden sm:inline">Signed in with</span> certificate{" "}
          <span class="text-neutral-300" data-viewer="">{state.peer.cn}</span>
        </p>
      </header>
      <main class="flex-1 p-4">
        <Component />
      </main>
    </div>
  );
}
