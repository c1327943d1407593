/**
 * Client half of islands: installs twind on the server's inlined sheet (so classes islands
 * add later are styled by the same rules), then hydrates every `[data-island]` element with
 * its component and the props the server serialized. Each hydrated wrapper gets
 * `data-ready`, which browser tests wait for.
 */
import { type ComponentType, h, hydrate } from "preact";
import { getSheet, setup } from "@twind/core";
import { ISLAND_ATTR, type IslandRecord, ISLANDS_SCRIPT_ID, READY_ATTR } from "./islands.ts";
import { twindConfig } from "./twind.ts";

/** Reads the islands' props from the page; an absent script means no islands. */
export function readIslandProps(doc: Document): IslandRecord[] {
  const script = doc.getElementById(ISLANDS_SCRIPT_ID);
  if (!script?.textContent) return [];
  const data = JSON.parse(script.textContent);
  if (!Array.isArray(data)) throw new TypeError("Island props must be an array");
  return data as IslandRecord[];
}

/**
 * Hydrates the islands of `doc` with the given components (by island name). Returns how
 * many were hydrated; an island with no component or no props is reported and skipped so
 * the rest of the page still works.
 */
// deno-lint-ignore no-explicit-any
export function hydrateIslands(components: Record<string, ComponentType<any>>, doc = document) {
  const records = readIslandProps(doc);
  let hydrated = 0;
  for (const el of doc.querySelectorAll<HTMLElement>(`[${ISLAND_ATTR}]`)) {
    const index = Number(el.getAttribute(ISLAND_ATTR));
    const record = records[index];
    const component = record ? components[record.name] : undefined;
    if (!record || !component) {
      console.error(`Island not hydrated: "${record?.name ?? index}"`);
      continue;
    }
    hydrate(h(component, record.props), el);
    el.setAttribute(READY_ATTR, "");
    hydrated++;
  }
  return hydrated;
}

/** Entry point of the bundle: styles first, so islands' first render is already styled. */
// deno-lint-ignore no-explicit-any
export function startIslands(components: Record<string, ComponentType<any>>): void {
  // deno-lint-ignore no-explicit-any
  setup(twindConfig as any, () => getSheet(false), document.documentElement);
  hydrateIslands(components, document);
}
