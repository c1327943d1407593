/**
 * Pages rendered without sockets: the real manifest, router and renderer over a HubState
 * whose registry is real (pure) and whose I/O parts are inert.
 */
import type { HubState } from "../lib/hub_state.ts";
import { Registry } from "../lib/registry.ts";
import { serialMatcher } from "../lib/serial.ts";
import { createRouter } from "../lib/web/router.ts";
import type { Peer } from "../lib/peer.ts";
import { createRenderPage } from "../lib/web/render.tsx";
import { manifest } from "../manifest.gen.ts";

export const VIEWER: Peer = {
  role: "viewer",
  cn: "alice",
  fingerprint256: "ab",
  serialNumber: "01",
  remoteAddress: "127.0.0.1:50000",
};

export function pageState(
  opts: {
    registry?: Registry;
    canSee?: (viewer: string, serial: string) => boolean;
    /** Admin CNs; every viewer by default, as without a policy file. */
    admins?: string[];
    /** CNs that may read /metrics besides admins. */
    scrapers?: string[];
    takeManageToken?: (viewer: string) => boolean;
  } = {},
): HubState {
  const isSerial = serialMatcher();
  const isAdmin = (cn: string) => opts.admins?.includes(cn) ?? true;
  return {
    registry: opts.registry ?? new Registry(),
    canSee: opts.canSee ?? (() => true),
    isAdmin,
    mayScrape: (cn: string) => isAdmin(cn) || (opts.scrapers ?? []).includes(cn),
    takeManageToken: opts.takeManageToken ?? (() => true),
    isSerial,
    latestJpeg: () => undefined,
    announce: () => {},
    shutdown: new AbortController().signal,
  } as unknown as HubState;
}

/** GET `path` through the real router; pages throw TrustcamError as the hub sees them. */
export function getPage(state: HubState, path: string, peer: Peer = VIEWER): Promise<Response> {
  const route = createRouter(manifest, {
    renderPage: createRenderPage({ manifest, assets: PAGE_ASSETS }),
  });
  return route({ req: new Request(`https://127.0.0.1${path}`), state: { ...state, peer } });
}

export const PAGE_ASSETS = {
  scriptUrl: "/_trustcam/islands-0000000000000000.js",
  serve: () => undefined,
};

/** The island props serialized in a page. */
export function islandProps(html: string): { name: string; props: Record<string, unknown> }[] {
  const m = /<script type="application\/json" id="__trustcam_islands">(.*?)<\/script>/.exec(html);
  if (!m) throw new Error("No island props in the page");
  return JSON.parse(m[1]);
}

/** The hub's shutdown signal, counting the listeners left on it. */
export function countedShutdown(): {
  signal: AbortSignal;
  listeners: () => number;
  abort: () => void;
} {
  const controller = new AbortController();
  const signal = controller.signal;
  const live = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (type: string, fn: EventListenerOrEventListenerObject, o?: unknown) => {
    live.add(fn);
    add(type, fn, o as AddEventListenerOptions);
  };
  signal.removeEventListener = (type: string, fn: EventListenerOrEventListenerObject) => {
    live.delete(fn);
    remove(type, fn);
  };
  return { signal, listeners: () => live.size, abort: () => controller.abort() };
}
