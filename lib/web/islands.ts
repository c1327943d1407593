/**
 * Server half of islands, the Fresh way: while a page renders, a preact `options.vnode` hook
 * replaces every island component with a marker that records the island's name and props and
 * wraps its server markup in `<div data-island="N">`. The client runtime
 * (islands_client.ts) reads the props back and hydrates exactly those elements; the rest of
 * the page stays static HTML.
 */
import { type ComponentType, h, options, type VNode } from "preact";

/** An island as the page holds it: its component's name and its serialized props. */
export interface IslandRecord {
  name: string;
  props: Record<string, unknown>;
}

/** Where hydration data lives in the page. */
export const ISLANDS_SCRIPT_ID = "__trustcam_islands";
/** Attribute on an island's wrapper: its index in the props script. */
export const ISLAND_ATTR = "data-island";
/** Attribute the client runtime sets once an island is hydrated; browser tests wait for it. */
export const READY_ATTR = "data-ready";

/** Island names from manifest keys: "./islands/Wall.tsx" is "Wall". */
export function islandName(file: string): string {
  const m = /^\.\/islands\/(?:.*\/)?([A-Za-z_$][\w$]*)\.tsx?$/.exec(file);
  if (!m) throw new TypeError(`Invalid island file: "${file}": expected ./islands/Name.tsx`);
  return m[1];
}

/** Maps each island component to its name; two islands with one name are refused. */
export function islandRegistry(
  // deno-lint-ignore no-explicit-any
  islands: Record<string, { default: ComponentType<any> }>,
): Map<ComponentType, string> {
  const out = new Map<ComponentType, string>();
  const seen = new Set<string>();
  for (const [file, mod] of Object.entries(islands)) {
    const name = islandName(file);
    if (seen.has(name)) throw new TypeError(`Duplicate island name: "${name}" in "${file}"`);
    if (typeof mod.default !== "function") {
      throw new TypeError(`Island has no default export component: "${file}"`);
    }
    seen.add(name);
    out.set(mod.default, name);
  }
  return out;
}

/** Serializes island props; refuses values that would not survive JSON (functions, …). */
export function serializeIslands(records: IslandRecord[]): string {
  const json = JSON.stringify(records, (key, value) => {
    const t = typeof value;
    if (t === "function" || t === "symbol" || t === "bigint") {
      throw new TypeError(`Island prop cannot be serialized: "${key}" is a ${t}`);
    }
    return value;
  });
  return escapeScriptJson(json);
}

/**
 * Makes JSON safe inside `<script type="application/json">`: no `<` (so no `</script>` or
 * `<!--`), and no U+2028/2029. JSON.parse reads the escapes back as the same characters.
 */
export function escapeScriptJson(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

interface Collector {
  islands: Map<ComponentType, string>;
  records: IslandRecord[];
  /** Islands being rendered; an island met inside another is part of it, not a new one. */
  depth: number;
}

let active: Collector | null = null;
// Set while a marker creates the real island vnode, so the hook does not wrap it again.
let creatingIsland = false;

interface MarkerProps {
  island: string;
  component: ComponentType;
  islandProps: Record<string, unknown>;
}

// deno-lint-ignore no-explicit-any
function IslandMarker({ island, component, islandProps }: MarkerProps): VNode<any> {
  if (!active) throw new Error("Island rendered outside collectIslands()");
  if (islandProps.children !== undefined) {
    throw new TypeError(`Island "${island}" cannot take children: pass data as props`);
  }
  const index = active.records.length;
  active.records.push({ name: island, props: islandProps });
  active.depth++;
  creatingIsland = true;
  // deno-lint-ignore no-explicit-any
  let inner: VNode<any>;
  try {
    inner = h(component, islandProps);
  } finally {
    creatingIsland = false;
  }
  return h("div", { [ISLAND_ATTR]: String(index), class: "contents" }, inner);
}

const previousVnodeHook = options.vnode;
options.vnode = (vnode: VNode) => {
  if (active && active.depth === 0 && !creatingIsland && typeof vnode.type === "function") {
    const component = vnode.type as ComponentType;
    const name = active.islands.get(component);
    if (name !== undefined) {
      const markerProps: MarkerProps = {
        island: name,
        component,
        islandProps: vnode.props as Record<string, unknown>,
      };
      // deno-lint-ignore no-explicit-any
      const v = vnode as any;
      v.type = IslandMarker;
      v.props = markerProps;
    }
  }
  previousVnodeHook?.(vnode);
};

// preact-render-to-string calls `diffed` once a component's subtree is rendered.
const previousDiffedHook = options.diffed;
options.diffed = (vnode: VNode) => {
  if (active && vnode.type === IslandMarker) active.depth--;
  previousDiffedHook?.(vnode);
};

/**
 * Runs a synchronous render with island detection on; returns its result and the islands
 * met, in document order. Islands are not nested: one inside another hydrates with it.
 */
export function collectIslands<T>(
  islands: Map<ComponentType, string>,
  render: () => T,
): { result: T; islands: IslandRecord[] } {
  if (active) throw new Error("collectIslands() cannot nest");
  const collector: Collector = { islands, records: [], depth: 0 };
  active = collector;
  try {
    return { result: render(), islands: collector.records };
  } finally {
    active = null;
  }
}
