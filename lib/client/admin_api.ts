/**
 * The settings page's calls to the hub's admin routes (hide, remove, groups): one function
 * that sends JSON and answers the hub's own error message when it refuses, so the page shows
 * the hub's words. Pure but for `fetch`, which tests inject.
 */
import type { CameraInfo } from "./messages.ts";
import type { CameraGroup } from "../camera_groups.ts";

export type AdminResult<T> = { ok: true; body: T } | { ok: false; error: string };

/** `method` `path` with `body` as JSON; the hub's `error.message` when it answers an error. */
export async function adminCall<T>(
  method: string,
  path: string,
  body?: unknown,
  fetchFn: typeof fetch = fetch,
): Promise<AdminResult<T>> {
  let res: Response;
  try {
    res = await fetchFn(path, {
      method,
      cache: "no-store",
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, error: "The hub is not answering: try again when the link is back" };
  }
  const json = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const message = json?.error?.message;
    return {
      ok: false,
      error: typeof message === "string" ? message : `Hub answered ${res.status}`,
    };
  }
  return { ok: true, body: json as T };
}

const cameraPath = (serial: string) => `/api/cameras/${encodeURIComponent(serial)}`;
const groupPath = (name: string) => `/api/groups/${encodeURIComponent(name)}`;

export const setHidden = (serial: string, hidden: boolean, f?: typeof fetch) =>
  adminCall<CameraInfo>("PUT", `${cameraPath(serial)}/hidden`, { hidden }, f);

export const removeCamera = (serial: string, f?: typeof fetch) =>
  adminCall<CameraInfo>("DELETE", cameraPath(serial), undefined, f);

export const saveGroup = (name: string, cameras: string[], f?: typeof fetch) =>
  adminCall<CameraGroup>("PUT", groupPath(name), { cameras }, f);

export const deleteGroup = (name: string, f?: typeof fetch) =>
  adminCall<null>("DELETE", groupPath(name), undefined, f);

/** `GET /api/groups`: the groups as this viewer may see them. */
export async function fetchGroups(f: typeof fetch = fetch): Promise<AdminResult<CameraGroup[]>> {
  const r = await adminCall<{ groups?: unknown }>("GET", "/api/groups", undefined, f);
  if (!r.ok) return r;
  const groups = Array.isArray(r.body?.groups) ? r.body.groups.filter(isGroup) : [];
  return { ok: true, body: groups };
}

function isGroup(x: unknown): x is CameraGroup {
  const g = x as CameraGroup;
  return typeof g === "object" && g !== null && typeof g.name === "string" &&
    Array.isArray(g.cameras) && (g.source === "policy" || g.source === "hub");
}

/**
 * Why the page cannot remove this camera now, in words for the disabled button's note; null
 * when it can (the hub refuses a camera online or stalled).
 */
export function removeBlocker(camera: CameraInfo): string | null {
  if (camera.state === "offline") return null;
  return `It is ${camera.state}: disconnect the camera or revoke its certificate first`;
}
