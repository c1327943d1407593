/**
 * Which cameras each viewer may see, from the `--policy` JSON file:
 *
 * ```json
 * { "groups": { "entrance": ["0123A1B2C3D4E5F6A7"] },
 *   "viewers": { "alice": "*", "guard": ["@entrance", "0123..."], "*": ["@entrance"] },
 *   "admins": ["alice"], "metrics": ["prometheus"] }
 * ```
 *
 * A viewer is named by its certificate CN. The viewer key "*" applies to every viewer not
 * listed; without it, an unlisted viewer sees nothing. `admins` may manage (rename cameras)
 * and read `/metrics`; `metrics` may read `/metrics` only. In both lists "*" names every
 * viewer; without the key nobody has the role.
 */
import { quote } from "./quote.ts";
import { canonicalSerial } from "./serial.ts";
import type { CameraGroup } from "./camera_groups.ts";

export interface Policy {
  /** Whether `viewer` may see `serial` (canonical form). O(1). */
  allows(viewer: string, serial: string): boolean;
  /** Whether the viewer `cn` may manage cameras (rename them) and read the counts. */
  isAdmin(cn: string): boolean;
  /** Whether the viewer `cn` may read `/metrics`: admins and the policy's `metrics` names. */
  mayScrape(cn: string): boolean;
  /** The file's `groups`, in the order written, as the wall's group filter shows them. */
  groupList(): CameraGroup[];
  /** One line for the hub's startup log. */
  describe(): string;
  /** Who holds which role, one line for the hub's log. */
  describeRoles(): string;
}

/**
 * No policy file: every verified viewer sees every camera and is an admin, so the single-user
 * setup needs no file.
 */
export const ALLOW_ALL: Policy = Object.freeze({
  allows: () => true,
  isAdmin: () => true,
  mayScrape: () => true,
  groupList: () => [],
  describe: () => "no policy: every viewer sees every camera",
  describeRoles: () => "admins: every viewer",
});

/** The viewers named in a role list: everyone ("*") or a set of CNs. */
interface Names {
  all: boolean;
  names: ReadonlySet<string>;
}

const NOBODY: Names = { all: false, names: new Set() };

function has(list: Names, cn: string): boolean {
  return list.all || list.names.has(cn);
}

function describeNames(list: Names): string {
  if (list.all) return "every viewer";
  if (list.names.size === 0) return "nobody";
  return [...list.names].map((n) => JSON.stringify(n)).join(", ");
}

/** What one viewer may see: everything, or a set of serials. */
interface Grant {
  all: boolean;
  serials: ReadonlySet<string>;
}

const NOTHING: Grant = { all: false, serials: new Set() };

class ParsedPolicy implements Policy {
  constructor(
    readonly groups: ReadonlyMap<string, ReadonlySet<string>>,
    readonly viewers: ReadonlyMap<string, Grant>,
    readonly fallback: Grant | undefined,
    readonly admins: Names = NOBODY,
    readonly scrapers: Names = NOBODY,
  ) {}

  allows(viewer: string, serial: string): boolean {
    const g = this.viewers.get(viewer) ?? this.fallback ?? NOTHING;
    return g.all || g.serials.has(serial);
  }

  isAdmin(cn: string): boolean {
    return has(this.admins, cn);
  }

  mayScrape(cn: string): boolean {
    return has(this.admins, cn) || has(this.scrapers, cn);
  }

  groupList(): CameraGroup[] {
    return [...this.groups].map(([name, members]) => ({
      name,
      cameras: [...members],
      source: "policy" as const,
    }));
  }

  describeRoles(): string {
    return `admins: ${describeNames(this.admins)}; metrics: ${describeNames(this.scrapers)}`;
  }

  describe(): string {
    const grant = (g: Grant) =>
      g.all ? "all cameras" : `${g.serials.size} camera${g.serials.size === 1 ? "" : "s"}`;
    const parts = [...this.viewers].map(([name, g]) => `${JSON.stringify(name)}: ${grant(g)}`);
    parts.push(`others: ${this.fallback ? grant(this.fallback) : "nothing"}`);
    const n = this.groups.size;
    return `policy: ${n} group${n === 1 ? "" : "s"}; ${parts.join(", ")}`;
  }
}

const TOP_KEYS = ["groups", "viewers", "admins", "metrics"];
const TOP_KEYS_TEXT = '"groups", "viewers", "admins" or "metrics"';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `viewers.guard`, or `viewers["bob smith"]` for keys that are not identifiers. */
function pathOf(parent: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

/**
 * Parses a policy file. Any fault is a TypeError naming the JSON path and the bad value, such
 * as `Invalid policy at viewers.guard[1]: "0123XYZ" is not a camera serial`.
 */
export function parsePolicy(text: string, isSerial: (s: string) => boolean): Policy {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (cause) {
    throw new TypeError(`Invalid policy: not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const fail = (path: string, what: string): never => {
    throw new TypeError(`Invalid policy at ${path}: ${what}`);
  };
  if (!isPlainObject(root)) {
    throw new TypeError(`Invalid policy: ${quote(root)} is not a JSON object`);
  }
  for (const key of Object.keys(root)) {
    if (!TOP_KEYS.includes(key)) {
      fail(pathOf("", key), `unknown key (expected ${TOP_KEYS_TEXT})`);
    }
  }
  const top = root;

  const serialAt = (path: string, value: unknown): string => {
    if (typeof value !== "string") return fail(path, `${quote(value)} is not a string`);
    if (!isSerial(value)) return fail(path, `${quote(value)} is not a camera serial`);
    return canonicalSerial(value);
  };

  const groups = new Map<string, Set<string>>();
  if (top.groups !== undefined) {
    if (!isPlainObject(top.groups)) fail("groups", `${quote(top.groups)} is not an object`);
    for (const [name, members] of Object.entries(top.groups as Record<string, unknown>)) {
      const path = pathOf("groups", name);
      if (name === "" || name.startsWith("@")) {
        fail(path, `invalid group name ${quote(name)}`);
      }
      if (!Array.isArray(members)) fail(path, `${quote(members)} is not an array of serials`);
      const set = new Set<string>();
      (members as unknown[]).forEach((m, i) => {
        if (typeof m === "string" && m.startsWith("@")) {
          fail(`${path}[${i}]`, `${quote(m)}: a group cannot contain a group`);
        }
        set.add(serialAt(`${path}[${i}]`, m));
      });
      groups.set(name, set);
    }
  }

  const viewers = new Map<string, Grant>();
  let fallback: Grant | undefined;
  if (top.viewers !== undefined) {
    if (!isPlainObject(top.viewers)) fail("viewers", `${quote(top.viewers)} is not an object`);
    for (const [viewer, rule] of Object.entries(top.viewers as Record<string, unknown>)) {
      const path = pathOf("viewers", viewer);
      if (viewer === "") fail(path, "a viewer name cannot be empty");
      let grant: Grant;
      if (rule === "*") grant = { all: true, serials: new Set() };
      else if (Array.isArray(rule)) {
        const serials = new Set<string>();
        rule.forEach((entry: unknown, i) => {
          const at = `${path}[${i}]`;
          if (typeof entry === "string" && entry.startsWith("@")) {
            const members = groups.get(entry.slice(1));
            if (!members) fail(at, `unknown group ${quote(entry)}`);
            for (const s of members!) serials.add(s);
          } else if (entry === "*") {
            fail(at, `use "*" instead of a list to allow every camera`);
          } else serials.add(serialAt(at, entry));
        });
        grant = { all: false, serials };
      } else {
        return fail(path, `${quote(rule)} is not "*" or an array of serials and "@groups"`);
      }
      if (viewer === "*") fallback = grant;
      else viewers.set(viewer, grant);
    }
  }
  const names = (key: "admins" | "metrics"): Names => {
    const list = top[key];
    if (list === undefined) return NOBODY;
    if (!Array.isArray(list)) {
      const hint = list === "*" ? ' (["*"] names every viewer)' : "";
      return fail(key, `${quote(list)} is not an array of certificate names${hint}`);
    }
    const out = new Set<string>();
    let all = false;
    list.forEach((cn: unknown, i) => {
      if (typeof cn !== "string") fail(`${key}[${i}]`, `${quote(cn)} is not a string`);
      if (cn === "") fail(`${key}[${i}]`, "a certificate name cannot be empty");
      if (cn === "*") all = true;
      else out.add(cn as string);
    });
    return { all, names: out };
  };
  return new ParsedPolicy(groups, viewers, fallback, names("admins"), names("metrics"));
}
