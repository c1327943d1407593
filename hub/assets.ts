/**
 * The islands bundle: an entry importing every island and the client runtime, bundled by
 * `deno bundle` at start-up, served from memory under a content-hashed name with immutable
 * cache headers. In dev it watches `islands/`, `components/` and `lib/` and rebuilds; a failed
 * rebuild keeps the last good bundle and logs the bundler's message.
 */
import { SECURITY_HEADERS } from "../lib/web/render.tsx";
import type { WebAssets } from "../lib/web/web_assets.ts";

export const ASSET_PREFIX = "/_trustcam/";
/** Bundles older than this many rebuilds stop being served (dev only has rebuilds). */
const KEEP_BUILDS = 4;
const DEBOUNCE_MS = 150;

export interface BuildAssetsOptions {
  /** Project root: island keys ("./islands/Wall.tsx") are relative to it. */
  root: string;
  manifest: { islands: Record<string, unknown> };
  /** Watch sources and rebuild on change. */
  dev: boolean;
  log?: (message: string) => void;
  /** deno.json for the bundler (import map, JSX); default `<root>/deno.json`. */
  config?: string;
  /** Directories watched in dev; default `islands/`, `components/` and `lib/` under root. */
  watch?: string[];
}

export type BuiltAssets = WebAssets & AsyncDisposable & {
  close(): Promise<void>;
  /** Builds again now; resolves when the new bundle is served (or the build failed). */
  rebuild(): Promise<void>;
  /** Successful builds so far. */
  readonly builds: number;
};

interface Build {
  url: string;
  body: Uint8Array<ArrayBuffer>;
}

/** The bundle entry: every island by name, handed to the client runtime. */
export function entrySource(root: string, islandFiles: string[]): string {
  const runtime = new URL("../lib/web/islands_client.ts", import.meta.url).href;
  const rootUrl = new URL(`file://${root.replace(/\/?$/, "/")}`);
  const lines = [`import { startIslands } from ${JSON.stringify(runtime)};`];
  const names: string[] = [];
  islandFiles.forEach((file, i) => {
    const name = /([A-Za-z_$][\w$]*)\.tsx?$/.exec(file)?.[1];
    if (!name) throw new TypeError(`Invalid island file: "${file}"`);
    lines.push(`import $${i} from ${JSON.stringify(new URL(file, rootUrl).href)};`);
    names.push(`${JSON.stringify(name)}: $${i}`);
  });
  lines.push(`startIslands({ ${names.join(", ")} });`, "");
  return lines.join("\n");
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs `deno bundle` once; throws with the bundler's own message on failure. */
export async function bundleIslands(
  root: string,
  islandFiles: string[],
  config: string,
): Promise<Build> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_bundle_" });
  try {
    const entry = `${dir}/entry.ts`;
    const out = `${dir}/islands.js`;
    await Deno.writeTextFile(entry, entrySource(root, islandFiles));
    const cmd = new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--minify",
        "--config",
        config,
        "--output",
        out,
        entry,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    });
    const result = await cmd.output();
    if (!result.success) {
      const text = new TextDecoder().decode(result.stderr).trim() ||
        new TextDecoder().decode(result.stdout).trim();
      throw new Error(`Islands bundle failed: ${text || `exit code ${result.code}`}`);
    }
    const body = await Deno.readFile(out);
    const hash = (await sha256Hex(body)).slice(0, 16);
    return { url: `${ASSET_PREFIX}islands-${hash}.js`, body };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function scriptResponse(body: Uint8Array<ArrayBuffer>): Response {
  const headers = new Headers(SECURITY_HEADERS);
  headers.set("content-type", "text/javascript; charset=utf-8");
  headers.set("cache-control", "public, max-age=31536000, immutable");
  headers.set("content-length", String(body.byteLength));
  return new Response(body, { headers });
}

/** Where `main.ts --build` leaves the bundle for images that must not spawn the bundler. */
export const PREBUILT_DIR = "static/build";

/**
 * A digest of everything the bundle is made from, so a prebuilt bundle is used only while
 * its sources are unchanged.
 */
export async function sourceStamp(root: string): Promise<string> {
  const files: string[] = [];
  const walk = (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(`${root}/${dir}`)];
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const e of entries) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory) walk(rel);
      else if (/\.(tsx?|json)$/.test(e.name) && !/_test\.tsx?$/.test(e.name)) files.push(rel);
    }
  };
  for (const dir of ["islands", "components", "lib"]) walk(dir);
  files.sort().push("deno.json", "deno.lock");
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of files) {
    parts.push(enc.encode(`\0${f}\0`));
    try {
      parts.push(await Deno.readFile(`${root}/${f}`));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return await sha256Hex(all);
}

/** Builds the bundle once and writes it with its source stamp under {@link PREBUILT_DIR}. */
export async function writePrebuilt(
  opts: Pick<BuildAssetsOptions, "root" | "manifest" | "config">,
): Promise<{ path: string; url: string; bytes: number }> {
  const root = opts.root.replace(/\/$/, "");
  const build = await bundleIslands(
    root,
    Object.keys(opts.manifest.islands).sort(),
    opts.config ?? `${root}/deno.json`,
  );
  const dir = `${root}/${PREBUILT_DIR}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(`${dir}/islands.js`, build.body);
  await Deno.writeTextFile(
    `${dir}/islands.json`,
    JSON.stringify({ url: build.url, stamp: await sourceStamp(root) }) + "\n",
  );
  return { path: `${dir}/islands.js`, url: build.url, bytes: build.body.byteLength };
}

async function loadPrebuilt(root: string): Promise<Build | undefined> {
  try {
    const meta = JSON.parse(await Deno.readTextFile(`${root}/${PREBUILT_DIR}/islands.json`));
    if (meta.stamp !== await sourceStamp(root)) return undefined;
    const body = await Deno.readFile(`${root}/${PREBUILT_DIR}/islands.js`);
    const hash = (await sha256Hex(body)).slice(0, 16);
    return meta.url === `${ASSET_PREFIX}islands-${hash}.js` ? { url: meta.url, body } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the islands bundle: outside dev, the prebuilt one when its sources are unchanged,
 * else a fresh `deno bundle` (throws when that first build fails).
 */
export async function buildAssets(opts: BuildAssetsOptions): Promise<BuiltAssets> {
  const root = opts.root.replace(/\/$/, "");
  const config = opts.config ?? `${root}/deno.json`;
  const islandFiles = Object.keys(opts.manifest.islands).sort();
  const log = opts.log ?? (() => {});

  async function timedBuild(): Promise<Build> {
    const t0 = performance.now();
    const build = await bundleIslands(root, islandFiles, config);
    const kb = (build.body.byteLength / 1024).toFixed(1);
    log(`Islands bundle ${build.url}: ${kb} KiB in ${Math.round(performance.now() - t0)} ms`);
    return build;
  }

  const prebuilt = opts.dev ? undefined : await loadPrebuilt(root);
  if (prebuilt) log(`Islands bundle ${prebuilt.url}: prebuilt in ${PREBUILT_DIR}/`);
  let current = prebuilt ?? await timedBuild();
  let builds = 1;
  // Pages loaded before a dev rebuild still ask for their bundle.
  const served = new Map<string, Uint8Array<ArrayBuffer>>([[current.url, current.body]]);

  let watcher: Deno.FsWatcher | undefined;
  let watching: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let closed = false;

  function rebuild(): Promise<void> {
    inFlight = inFlight.then(async () => {
      if (closed) return;
      try {
        const next = await timedBuild();
        builds++;
        current = next;
        served.set(next.url, next.body);
        while (served.size > KEEP_BUILDS) served.delete(served.keys().next().value!);
      } catch (err) {
        log(err instanceof Error ? err.message : String(err));
      }
    });
    return inFlight;
  }

  if (opts.dev) {
    const candidates = opts.watch ?? ["islands", "components", "lib"].map((d) => `${root}/${d}`);
    const dirs = candidates.filter((d) => {
      try {
        return Deno.statSync(d).isDirectory;
      } catch {
        return false;
      }
    });
    watcher = Deno.watchFs(dirs, { recursive: true });
    const w = watcher;
    watching = (async () => {
      try {
        for await (const event of w) {
          const relevant = event.paths.some((p) =>
            /\.(tsx?|json)$/.test(p) && !/_test\.tsx?$/.test(p)
          );
          if (!relevant) continue;
          clearTimeout(timer);
          timer = setTimeout(() => void rebuild(), DEBOUNCE_MS);
        }
      } catch (err) {
        if (!closed) log(`Asset watcher stopped: ${err instanceof Error ? err.message : err}`);
      }
    })();
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    watcher?.close();
    await watching;
    await inFlight;
  }

  return {
    get scriptUrl() {
      return current.url;
    },
    get builds() {
      return builds;
    },
    serve(pathname: string): Response | undefined {
      const body = served.get(pathname);
      return body ? scriptResponse(body) : undefined;
    },
    rebuild,
    close,
    [Symbol.asyncDispose]: close,
  };
}
