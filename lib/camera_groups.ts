/**
 * Named sets of cameras for the wall's group filter: those of the access policy file and those
 * an admin defines on the hub. A viewer is only ever told the members it may see.
 */
import { TrustcamError } from "./errors.ts";
import { quote } from "./quote.ts";
import { canonicalSerial } from "./serial.ts";
import { normalizeCameraName } from "./camera_name.ts";

export interface CameraGroup {
  name: string;
  /** Canonical serials, in the order they were defined. */
  cameras: string[];
  /** "policy": from the policy file (read-only here); "hub": defined by an admin in the UI. */
  source: "policy" | "hub";
}

/** The hub's groups, as routes see them (hub/ implements it). */
export interface CameraGroups {
  /** Every group, policy ones first, each by name. */
  list(): CameraGroup[];
}

/**
 * The same list with hub groups that admins may change: {@link define} and {@link remove}
 * (absent where groups are read-only, as in page tests).
 */
export interface EditableCameraGroups extends CameraGroups {
  /** Whether the policy in force defines `name`: then it is not the hub's to change. */
  isPolicyGroup(name: string): boolean;
  /** Creates or replaces the hub group `name` (already checked by {@link parseGroupName}). */
  define(name: string, cameras: string[]): CameraGroup;
  /** Deletes the hub group `name`; false when there is none. */
  remove(name: string): boolean;
}

/** Most cameras in one hub group. */
export const MAX_GROUP_CAMERAS = 4096;

function bad(message: string): never {
  throw new TrustcamError("TC_ERR_BAD_REQUEST", message);
}

/**
 * A group name as given in a URL or a body: NFC-normalized and trimmed, 1-64 characters of one
 * line of visible text (the rules of camera names; MAX_GROUP_NAME of lib/wall_prefs.ts). Throws
 * TC_ERR_BAD_REQUEST naming the problem.
 */
export function parseGroupName(raw: unknown): string {
  try {
    return normalizeCameraName(raw);
  } catch (err) {
    if (!(err instanceof TrustcamError)) throw err;
    bad(err.message.replace(/^Invalid camera name/, "Invalid group name"));
  }
}

/**
 * The members of a `PUT /api/groups/:name` body `{"cameras": [serials]}`: canonical, without
 * duplicates, in the order given. Throws TC_ERR_BAD_REQUEST naming the problem.
 */
export function parseGroupBody(body: unknown, isSerial: (s: string) => boolean): string[] {
  const cameras = (body as { cameras?: unknown } | null)?.cameras;
  if (typeof body !== "object" || body === null || !Array.isArray(cameras)) {
    bad('Request body needs "cameras": an array of serials');
  }
  const keys = Object.keys(body).filter((k) => k !== "cameras");
  if (keys.length > 0) bad(`Unknown field: ${quote(keys[0])}`);
  if (cameras.length === 0) bad("A group needs at least one camera");
  if (cameras.length > MAX_GROUP_CAMERAS) {
    bad(`Too many cameras: ${cameras.length} (at most ${MAX_GROUP_CAMERAS})`);
  }
  const out = new Set<string>();
  for (const s of cameras) {
    if (typeof s !== "string" || !isSerial(s)) bad(`Invalid serial: ${quote(s)}`);
    out.add(canonicalSerial(s));
  }
  return [...out];
}

/**
 * What one viewer is told of `groups`: each group's members it may see, groups left empty
 * omitted, so a viewer never learns a serial (or a group) it may not see.
 */
export function visibleGroups(
  groups: readonly CameraGroup[],
  canSee: (serial: string) => boolean,
): CameraGroup[] {
  const out: CameraGroup[] = [];
  for (const g of groups) {
    const cameras = g.cameras.filter(canSee);
    if (cameras.length > 0) out.push({ name: g.name, cameras, source: g.source });
  }
  return out;
}

const nameOrder = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/**
 * The hub's list: the policy's groups first, then the hub's, each part by name. A hub group
 * named like a policy group (the policy file gained it after) is left out while the policy
 * has it: the policy's word wins.
 */
export function mergeGroups(
  policy: readonly CameraGroup[],
  hub: readonly CameraGroup[],
): CameraGroup[] {
  const byName = (a: CameraGroup, b: CameraGroup) => nameOrder.compare(a.name, b.name);
  const taken = new Set(policy.map((g) => g.name));
  return [
    ...[...policy].sort(byName),
    ...hub.filter((g) => !taken.has(g.name)).sort(byName),
  ];
}

/** With `--bus`: the KV bucket of the hub groups every hub shares (hub/cluster_groups.ts). */
export const GROUPS_BUCKET = "trustcam_groups";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A hub group's value in {@link GROUPS_BUCKET}; `hub`, the writer, is for the operator. */
export function encodeGroup(cameras: readonly string[], hub: string): Uint8Array {
  return encoder.encode(JSON.stringify({ cameras, hub }));
}

/**
 * A hub group's cameras read from the bucket, checked as the API checks them (serials by
 * their shape only: each hub's pattern may differ); throws SyntaxError or TypeError.
 */
export function decodeGroup(data: Uint8Array): string[] {
  const text = decoder.decode(data);
  const o = JSON.parse(text);
  const cameras = o?.cameras;
  if (
    !Array.isArray(cameras) || cameras.length === 0 || cameras.length > MAX_GROUP_CAMERAS ||
    !cameras.every((s) => typeof s === "string" && s !== "" && s.length <= 64)
  ) {
    throw new TypeError(`Not a camera group: "${text.slice(0, 80)}"`);
  }
  return cameras.map(canonicalSerial);
}
