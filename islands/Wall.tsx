/**
 * The wall: every camera the viewer may see, live, in a grid arranged as the viewer left it
 * (lib/client/wall_layout.ts; the preferences come with the server render and are saved on
 * the hub). The list comes from the server render, then from the hub's hello / camera /
 * stats messages; pictures go from the socket to each tile's canvas without rendering.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { CameraInfo } from "../lib/registry.ts";
import type { WallPrefs } from "../lib/wall_prefs.ts";
import { applyHubMessage, type CameraList } from "../lib/client/camera_list.ts";
import { LiveView } from "../lib/client/live_view.ts";
import {
  followStatus,
  INITIAL_LINK_STATUS,
  isStale,
  type LinkStatus,
} from "../lib/client/link_status.ts";
import { formatClock } from "../lib/client/format.ts";
import {
  arrange,
  gridClass,
  moveTile,
  toggleFavourite,
  type WallGroup,
} from "../lib/client/wall_layout.ts";
import { isTyping, type WallKeyAction, wallKeyAction } from "../lib/client/wall_keys.ts";
import { PrefsSaver, putPrefs, type SaveStatus } from "../lib/client/prefs_saver.ts";
import { CameraTile } from "../components/CameraTile.tsx";
import { ConnectionStatus } from "../components/ConnectionStatus.tsx";
import { CertificateRefused } from "../components/CertificateRefused.tsx";
import { WallToolbar } from "../components/WallToolbar.tsx";
import { ShortcutHelp } from "../components/ShortcutHelp.tsx";
import { kioskStyle, useKiosk } from "../lib/client/kiosk.ts";
import type { AccessProblem } from "../lib/client/access_probe.ts";
import { fetchGroups } from "../lib/client/admin_api.ts";

/** The data saver's frame rate cap: a wall of 16 tiles then needs about 0.2 MB/s. */
const DATA_SAVER_FPS = 2;
/**
 * Tiles wider than this (CSS pixels) ask for the full picture: the 320 px stream still looks
 * sharp a little above its size, and a phone's narrow column stays on the small stream.
 */
const FULL_SIZE_ABOVE_PX = 480;

/** How long a failed save stays on screen (the saver keeps trying behind it). */
const SAVE_FAILURE_MS = 6000;

export interface WallProps {
  cameras: CameraInfo[];
  /** Server time of the render, so "last seen" reads the same before and after hydration. */
  renderedAt: number;
  /** The viewer's saved layout (the defaults for a first visit). */
  prefs: WallPrefs;
  /** Groups to filter by, with only the members this viewer may see. */
  groups: WallGroup[];
}

export default function Wall(props: WallProps) {
  const [cameras, setCameras] = useState<CameraList>(props.cameras);
  const [conn, setConn] = useState<LinkStatus>(INITIAL_LINK_STATUS);
  const [now, setNow] = useState(props.renderedAt);
  const [refused, setRefused] = useState<{ problem: AccessProblem; viewer?: string }>();
  const section = useRef<HTMLElement>(null);
  const grid = useRef<HTMLUListElement>(null);
  const [prefs, setPrefs] = useState<WallPrefs>(props.prefs);
  const [enlargedSerial, setEnlarged] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const { kiosk, screen, enterKiosk, leaveKiosk } = useKiosk(section, () => setHelp(false));
  const [save, setSave] = useState<SaveStatus>({ state: "idle" });
  const [groups, setGroups] = useState<WallGroup[]>(props.groups);
  const live = useMemo(
    () =>
      typeof document === "undefined" ? undefined : new LiveView({
        observeTiles: true,
        onMessage: (msg) => {
          // Groups changed (or may have, while the link was down): the hub only says so.
          if (msg.type === "groups" || msg.type === "hello") {
            void fetchGroups().then((r) => r.ok && setGroups(r.body));
          }
          setCameras((list) => applyHubMessage(list, msg));
        },
        onStatus: (status, retryAt) => setConn((c) => followStatus(c, status, retryAt, Date.now())),
        onEnded: (problem, viewer) => setRefused({ problem, viewer }),
      }),
    [],
  );
  const saver = useMemo(
    () =>
      typeof document === "undefined"
        ? undefined
        : new PrefsSaver({ save: putPrefs, onStatus: (s) => setSave(s) }),
    [],
  );
  const tiles = arrange(cameras, prefs, groups);
  // A tile filtered out or hidden since it was enlarged is enlarged no more.
  const enlarged = tiles.some((t) => t.serial === enlargedSerial) ? enlargedSerial : null;

  const changePrefs = (next: WallPrefs) => {
    setPrefs(next);
    saver?.change(next);
  };

  useEffect(() => {
    if (!live) return;
    live.start();
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    // Offline cameras keep their last picture: fetch it once for the tiles that need it.
    for (const c of props.cameras) {
      if (c.state !== "online" && c.lastFrameAt) {
        void live.paintSnapshot(
          c.serial,
          `/api/cameras/${encodeURIComponent(c.serial)}/snapshot.jpg`,
          Date.parse(c.lastFrameAt),
        );
      }
    }
    // A change made just before leaving still reaches the hub.
    const flush = () => saver?.flush();
    addEventListener("pagehide", flush);
    return () => {
      clearInterval(timer);
      removeEventListener("pagehide", flush);
      saver?.close();
      live.close();
    };
  }, [live]);

  useEffect(() => live?.setMaxFps(prefs.dataSaver ? DATA_SAVER_FPS : undefined), [
    live,
    prefs.dataSaver,
  ]);

  // Small tiles get the hub's 320 px stream; a tile drawn wider (enlarged, one or two columns,
  // kiosk) would show it blurred, so it asks for the camera's own picture.
  useEffect(() => {
    const ul = grid.current;
    if (!live || !ul) return;
    const choose = () => {
      for (const el of ul.querySelectorAll<HTMLElement>("[data-item]")) {
        const wide = el.clientWidth > FULL_SIZE_ABOVE_PX;
        live.setStreamOptions(el.dataset.item!, wide ? { size: "full" } : undefined);
      }
    };
    choose();
    const resized = new ResizeObserver(choose);
    resized.observe(ul);
    return () => resized.disconnect();
  }, [live, enlarged, prefs.columns, kiosk, tiles.length]);

  useEffect(() => {
    if (save.state !== "failed") return;
    const timer = setTimeout(() => setSave({ state: "idle" }), SAVE_FAILURE_MS);
    return () => clearTimeout(timer);
  }, [save]);

  useEffect(() => {
    if (enlarged === null) return;
    const el = grid.current?.querySelector(`[data-item="${CSS.escape(enlarged)}"]`);
    el?.scrollIntoView({ block: "nearest" });
  }, [enlarged]);

  const perform = (a: WallKeyAction) => {
    switch (a.type) {
      case "focus":
        focusTile(grid.current, a.index);
        break;
      case "move":
        changePrefs(moveTile(cameras, prefs, groups, a.serial, a.to));
        break;
      case "enlarge":
        setEnlarged((e) => e === a.serial ? null : a.serial);
        focusTile(grid.current, tiles.findIndex((t) => t.serial === a.serial));
        break;
      case "restore":
        setEnlarged(null);
        break;
      case "favourite":
        changePrefs(toggleFavourite(prefs, a.serial));
        break;
      case "kiosk":
        if (kiosk) leaveKiosk();
        else enterKiosk();
        break;
      case "leave-kiosk":
        leaveKiosk();
        break;
      case "help":
        setHelp((h) => !h);
        break;
    }
  };

  // The listener stays; what it reads is this render's: set while rendering, so a key pressed
  // right after another (before effects run) already sees that key's result.
  const onKey = useRef<(e: KeyboardEvent) => void>(() => {});
  onKey.current = (e: KeyboardEvent) => {
    if (e.defaultPrevented || isTyping(e.target) || refused) return;
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.tile;
    const action = wallKeyAction(e, {
      tiles: tiles.map((t) => t.serial),
      focused,
      columns: columnsOf(grid.current),
      enlarged,
      kiosk,
      help,
    });
    if (!action) return;
    e.preventDefault();
    perform(action);
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);

  // The hub refuses this certificate: nothing here will come back, so none of it stays.
  if (refused) return <CertificateRefused problem={refused.problem} viewer={refused.viewer} />;

  const listed = cameras.filter((c) => !c.hidden);
  const online = listed.filter((c) => c.state === "online").length;
  const offline = listed.filter((c) => c.state === "offline").length;
  const stalled = listed.length - online - offline;
  const stale = isStale(conn);

  return (
    <section
      ref={section}
      aria-labelledby="wall-title"
      class={kiosk ? "fixed inset-0 z-40 flex flex-col gap-2 bg-wall p-2" : "space-y-4"}
      data-wall=""
      data-kiosk={kiosk ? "" : undefined}
    >
      <div class="flex flex-wrap items-baseline justify-between gap-3">
        <h1
          id="wall-title"
          class={kiosk
            ? "text-sm font-medium text-neutral-300"
            : "text-lg font-semibold text-neutral-100"}
        >
          Cameras
          {stale
            ? (
              // Last known counts would read as live: only what cannot have changed unseen.
              <span
                class="ml-3 text-sm font-normal text-neutral-500"
                data-summary=""
                data-stale=""
              >
                {listed.length} known · states unknown since {formatClock(conn.lostAt!, now)}
              </span>
            )
            : (
              <span class="ml-3 text-sm font-normal text-neutral-400" data-summary="">
                {listed.length} total · {online} online
                {stalled > 0 ? ` · ${stalled} stalled` : ""} · {offline} offline
              </span>
            )}
        </h1>
        <div class="ml-auto flex items-baseline gap-3">
          <ConnectionStatus
            status={conn.status}
            retryAt={conn.retryAt}
            lostAt={conn.lostAt}
            now={now}
            onRetry={() => live?.retryNow()}
          />
          {kiosk && (
            <p class="font-mono text-sm tabular-nums text-neutral-200" data-wall-clock="">
              {formatClock(now)}
            </p>
          )}
        </div>
      </div>
      {!kiosk && listed.length > 0 && (
        <WallToolbar
          prefs={prefs}
          groups={groups}
          onChange={changePrefs}
          onKiosk={enterKiosk}
          onHelp={() => setHelp(true)}
          save={save}
        />
      )}
      {listed.length === 0
        ? <EmptyWall />
        : tiles.length === 0
        ? (
          <p class="text-sm text-neutral-400" data-empty-group="">
            No camera of this group is on the wall.
          </p>
        )
        : (
          <ul
            ref={grid}
            class={kiosk ? "grid min-h-0 flex-1 gap-2" : `grid ${gridClass(prefs.columns)} gap-4`}
            style={kiosk ? kioskStyle(tiles.length, screen, prefs) : undefined}
            aria-label="Live cameras"
            data-columns={String(prefs.columns)}
          >
            {tiles.map((c, index) => (
              <CameraTile
                key={c.serial}
                camera={c}
                host={live}
                now={now}
                stale={stale}
                controls={{
                  index,
                  favourite: prefs.favourites.includes(c.serial),
                  enlarged: enlarged === c.serial,
                  kiosk,
                  onFavourite: () => changePrefs(toggleFavourite(prefs, c.serial)),
                  onEnlarge: () => setEnlarged((e) => e === c.serial ? null : c.serial),
                  onDrop: (dragged) =>
                    changePrefs(moveTile(cameras, prefs, groups, dragged, index)),
                }}
              />
            ))}
          </ul>
        )}
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </section>
  );
}

/** Focuses the link of tile `index` (an arrow key, or a tile enlarged by number). */
function focusTile(grid: HTMLElement | null, index: number): void {
  grid?.querySelectorAll<HTMLElement>("[data-tile]")[index]?.focus();
}

/** The grid's column count as laid out now (for up and down). */
function columnsOf(grid: HTMLElement | null): number {
  if (!grid) return 1;
  return getComputedStyle(grid).gridTemplateColumns.split(" ").filter(Boolean).length || 1;
}

function EmptyWall() {
  return (
    <div class="max-w-2xl rounded-lg bg-neutral-900 p-6 ring-1 ring-neutral-800" data-empty="">
      <h2 class="mb-2 text-base font-semibold text-neutral-100">No cameras yet</h2>
      <p class="mb-4 text-sm text-neutral-400">
        A camera appears here, live, as soon as it connects with its device certificate.
      </p>
      <ol class="list-decimal space-y-2 pl-5 text-sm text-neutral-300">
        <li>
          Real camera: issue a device certificate with{" "}
          <code class="rounded bg-neutral-800 px-1">deno task certs device SERIAL</code>{" "}
          and flash an ESP32 board with the sketch in{" "}
          <code class="rounded bg-neutral-800 px-1">firmware/</code> (see{" "}
          <code class="rounded bg-neutral-800 px-1">firmware/README.md</code>).
        </li>
        <li>
          No hardware: start simulated cameras with{" "}
          <code class="rounded bg-neutral-800 px-1">deno task cameras</code>.
        </li>
      </ol>
    </div>
  );
}
