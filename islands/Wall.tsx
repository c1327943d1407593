/**
 * The wall: every camera the viewer may see, live, in a responsive grid. The list comes from
 * the server render, then from the hub's hello / camera / stats messages; pictures go from
 * the socket to each tile's canvas without rendering.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import type { CameraInfo } from "../lib/registry.ts";
import { applyHubMessage, type CameraList } from "../lib/client/camera_list.ts";
import { LiveView } from "../lib/client/live_view.ts";
import {
  followStatus,
  INITIAL_LINK_STATUS,
  isStale,
  type LinkStatus,
} from "../lib/client/link_status.ts";
import { formatClock } from "../lib/client/format.ts";
import { CameraTile } from "../components/CameraTile.tsx";
import { ConnectionStatus } from "../components/ConnectionStatus.tsx";
import { CertificateRefused } from "../components/CertificateRefused.tsx";
import type { AccessProblem } from "../lib/client/access_probe.ts";

export interface WallProps {
  cameras: CameraInfo[];
  /** Server time of the render, so "last seen" reads the same before and after hydration. */
  renderedAt: number;
}

export default function Wall(props: WallProps) {
  const [cameras, setCameras] = useState<CameraList>(props.cameras);
  const [conn, setConn] = useState<LinkStatus>(INITIAL_LINK_STATUS);
  const [now, setNow] = useState(props.renderedAt);
  const [refused, setRefused] = useState<{ problem: AccessProblem; viewer?: string }>();
  const live = useMemo(
    () =>
      typeof document === "undefined" ? undefined : new LiveView({
        observeTiles: true,
        onMessage: (msg) => setCameras((list) => applyHubMessage(list, msg)),
        onStatus: (status, retryAt) => setConn((c) => followStatus(c, status, retryAt, Date.now())),
        onEnded: (problem, viewer) => setRefused({ problem, viewer }),
      }),
    [],
  );

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
    return () => {
      clearInterval(timer);
      live.close();
    };
  }, [live]);

  // The hub refuses this certificate: nothing here will come back, so none of it stays.
  if (refused) return <CertificateRefused problem={refused.problem} viewer={refused.viewer} />;

  const online = cameras.filter((c) => c.state === "online").length;
  const offline = cameras.filter((c) => c.state === "offline").length;
  const stalled = cameras.length - online - offline;
  const stale = isStale(conn);

  return (
    <section aria-labelledby="wall-title" class="space-y-4" data-wall="">
      <div class="flex flex-wrap items-baseline justify-between gap-3">
        <h1 id="wall-title" class="text-lg font-semibold text-neutral-100">
          Cameras
          {stale
            ? (
              // Last known counts would read as live: only what cannot have changed unseen.
              <span
                class="ml-3 text-sm font-normal text-neutral-500"
                data-summary=""
                data-stale=""
              >
                {cameras.length} known · states unknown since {formatClock(conn.lostAt!, now)}
              </span>
            )
            : (
              <span class="ml-3 text-sm font-normal text-neutral-400" data-summary="">
                {cameras.length} total · {online} online
                {stalled > 0 ? ` · ${stalled} stalled` : ""} · {offline} offline
              </span>
            )}
        </h1>
        <ConnectionStatus
          status={conn.status}
          retryAt={conn.retryAt}
          lostAt={conn.lostAt}
          now={now}
          onRetry={() => live?.retryNow()}
        />
      </div>
      {cameras.length === 0 ? <EmptyWall /> : (
        <ul
          class="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4 2xl:grid-cols-5 3xl:grid-cols-6"
          aria-label="Live cameras"
        >
          {cameras.map((c) => (
            <CameraTile key={c.serial} camera={c} host={live} now={now} stale={stale} />
          ))}
        </ul>
      )}
    </section>
  );
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
