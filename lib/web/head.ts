/**
 * `<Head>`: lets a page put elements (its `<title>`, a `<meta>`) into the document head. On
 * the server the children are collected while the page renders and the document shell
 * renders them in `<head>`; in the browser it renders nothing.
 */
import type { ComponentChildren, VNode } from "preact";

let collected: ComponentChildren[] | null = null;

export function Head({ children }: { children?: ComponentChildren }): VNode | null {
  collected?.push(children);
  return null;
}

/** Runs a synchronous render and returns what `<Head>` received during it. */
export function collectHead<T>(render: () => T): { result: T; head: ComponentChildren[] } {
  if (collected) throw new Error("collectHead() cannot nest");
  const head: ComponentChildren[] = [];
  collected = head;
  try {
    return { result: render(), head };
  } finally {
    collected = null;
  }
}
