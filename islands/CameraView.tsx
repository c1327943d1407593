/**
 * One camera, large: live canvas with fullscreen and snapshot download, rename (for admins),
 * the device's last status and the hub's and the browser's figures for the stream.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { CameraInfo } from "../lib/registry.ts";
import { LiveView } from "../lib/client/live_view.ts";
import {
  followStatus,
  INITIAL_LINK_STATUS,
  isStale,
  type LinkStatus,
} from "../lib/client/link_status.ts";
import { DIMMED } from "../lib/web/twind.ts";
import { readStamp } from "../lib/jpeg_com.ts";
import {
  agoSince,
  formatAge,
  formatAgo,
  formatBytes,
  formatClock,
  formatDuration,
  formatFps,
  formatRssi,
} from "../lib/client/format.ts";
import { StateBadge } from "../components/StateBadge.tsx";
import { ConnectionStatus } from "../components/ConnectionStatus.tsx";
import { CertificateRefused } from "../components/CertificateRefused.tsx";
import { RecordingMode } from "../components/RecordingMode.tsx";
import { BUTTON, DL, Panel, Row } from "../components/Panel.tsx";
import { RenameForm } from "../components/RenameForm.tsx";
import type { AccessProblem } from "../lib/client/access_probe.ts";
import { Playback } from "../components/Playback.tsx";
import { isMotionActive, isRecording, withMotionActive } from "../lib/client/camera_list.ts";
import { MotionSettings } from "../components/MotionSettings.tsx";
import { MaskOverlay } from "../components/MaskOverlay.tsx";
import { DimmedCaption } from "../components/DimmedCaption.tsx";
import type { UnitRect } from "../lib/client/mask_geometry.ts";

export interface CameraViewProps {
  camera: CameraInfo;
  renderedAt: number;
  /** Whether this viewer is an admin: others get no rename form. */
  canManage: boolean;
  /** Epoch ms to play the recording from at load (`?at=`, an event's link); live otherwise. */
  at?: number;
}

/** "Camera → screen" is shown only while live frames keep coming: none for this long, none. */
const LATENCY_FRESH_MS = 3000;

interface BrowserFigures {
  fps: number;
  /** Send stamp → paint, when the camera stamps its frames (simulated cameras do). */
  latencyMs?: number;
  /** Date.now() of the last live frame painted here. */
  livePaintAt?: number;
  width?: number;
  height?: number;
}

export default function CameraView(props: CameraViewProps) {
  const serial = props.camera.serial;
  const [camera, setCamera] = useState<CameraInfo>(props.camera);
  const [conn, setConn] = useState<LinkStatus>(INITIAL_LINK_STATUS);
  const [now, setNow] = useState(props.renderedAt);
  const [refused, setRefused] = useState<{ problem: AccessProblem; viewer?: string }>();
  const [figures, setFigures] = useState<BrowserFigures>({ fps: 0 });
  const [fullscreen, setFullscreen] = useState(false);
  const [painted, setPainted] = useState(false);
  /** The motion mask being edited over the picture (admins); undefined when not editing. */
  const [maskDraft, setMaskDraft] = useState<UnitRect[]>();
  const frame = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const age = useRef<HTMLSpanElement>(null);
  const lastPaint = useRef<
    { latencyMs?: number; livePaintAt?: number; width: number; height: number }
  >();

  const live = useMemo(
    () =>
      typeof document === "undefined" ? undefined : new LiveView({
        observeTiles: false,
        onMessage: (msg) => {
          if (msg.type === "hello") {
            const c = msg.cameras.find((c) => c.serial === serial);
            if (c) setCamera(c);
          } else if (msg.type === "camera" && msg.camera.serial === serial) {
            setCamera(msg.camera);
          } else if (msg.type === "stats") {
            const s = msg.cameras.find((c) => c.serial === serial);
            if (s) setCamera((c) => ({ ...c, ...s }));
          } else if (msg.type === "motion" && msg.camera === serial) {
            // No CAMERA object comes with an event's start or end: the flag is kept here.
            setCamera((c) => withMotionActive(c, msg.state === "start"));
          }
        },
        onStatus: (status, retryAt) => setConn((c) => followStatus(c, status, retryAt, Date.now())),
        onEnded: (problem, viewer) => setRefused({ problem, viewer }),
        onPaint: (_serial, info) => {
          // A replayed frame's stamp is its past: no latency, and not the last live frame.
          const liveFrame = info.recordedAt === undefined;
          const stamp = liveFrame ? readStamp(info.jpeg) : undefined;
          lastPaint.current = {
            // Camera and browser clocks: exact for simulated cameras on this machine.
            latencyMs: stamp ? Date.now() - stamp.t : undefined,
            livePaintAt: liveFrame ? Date.now() : lastPaint.current?.livePaintAt,
            width: info.width,
            height: info.height,
          };
        },
      }),
    [],
  );

  useEffect(() => {
    if (!live || !canvas.current || !age.current) return;
    const detach = live.attach(serial, canvas.current, age.current, () => setPainted(true));
    live.start();
    if (props.camera.state !== "online" && props.camera.lastFrameAt) {
      void live.paintSnapshot(serial, snapshotUrl(serial), Date.parse(props.camera.lastFrameAt));
    }
    const timer = setInterval(() => {
      setNow(Date.now());
      setFigures({ fps: live.painter(serial)?.fps() ?? 0, ...lastPaint.current });
    }, 1000);
    const onFullscreen = () => setFullscreen(document.fullscreenElement === frame.current);
    document.addEventListener("fullscreenchange", onFullscreen);
    return () => {
      clearInterval(timer);
      document.removeEventListener("fullscreenchange", onFullscreen);
      detach();
      live.close();
    };
  }, [live]);

  // The hub refuses this certificate: nothing here will come back, so none of it stays.
  if (refused) return <CertificateRefused problem={refused.problem} viewer={refused.viewer} />;

  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void frame.current?.requestFullscreen();
  };

  const offline = camera.state === "offline";
  const stale = isStale(conn);
  const dim = stale ? DIMMED.unknown : camera.state === "online" ? "" : DIMMED[camera.state];
  const status = camera.status;
  // The newest of the hub's word (refreshed every few seconds) and the frames painted here:
  // steady "just now" while they flow, instead of flickering with each status report.
  const lastFrameAt = Math.max(
    camera.lastFrameAt ? Date.parse(camera.lastFrameAt) : 0,
    figures.livePaintAt ?? 0,
  );
  const showLatency = figures.latencyMs !== undefined && camera.state === "online" && !stale &&
    figures.livePaintAt !== undefined && now - figures.livePaintAt < LATENCY_FRESH_MS;
  const pictureAt = painted ? live?.pictureAt(serial) : undefined;
  return (
    <section class="space-y-4" aria-labelledby="camera-title" data-camera={serial}>
      <div class="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 id="camera-title" class="text-xl font-semibold text-neutral-100">
            {camera.name}
          </h1>
          <p class="font-mono text-sm text-neutral-400">{serial}</p>
        </div>
        <div class="flex items-center gap-3">
          <StateBadge state={camera.state} unknown={stale} />
          <ConnectionStatus
            status={conn.status}
            retryAt={conn.retryAt}
            lostAt={conn.lostAt}
            now={now}
            onRetry={() => live?.retryNow()}
          />
        </div>
      </div>

      <div class="grid gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div class="space-y-3">
          <div
            ref={frame}
            class="relative mx-auto aspect-[4/3] max-h-[78vh] overflow-hidden rounded-lg bg-black ring-1 ring-neutral-800"
          >
            <canvas
              ref={canvas}
              width={640}
              height={480}
              role="img"
              aria-label={`Live picture from ${camera.name}, camera ${serial}`}
              class={`h-full w-full object-contain ${dim}`}
            />
            {fullscreen && (
              // Fullscreen hides the page: the picture alone would not say whose or how fresh.
              <div
                class="pointer-events-none absolute inset-x-0 top-0 flex items-start justify-between gap-3 p-3"
                data-fullscreen-overlay=""
              >
                <p class="flex items-center gap-2 rounded-md bg-neutral-900/80 px-3 py-1.5 text-lg text-neutral-100 ring-1 ring-neutral-700">
                  <span class="font-semibold">{camera.name}</span>
                  <StateBadge state={camera.state} unknown={stale} />
                </p>
                <p
                  class="rounded-md bg-neutral-900/80 px-3 py-1.5 font-mono text-lg tabular-nums text-neutral-100 ring-1 ring-neutral-700"
                  data-clock=""
                >
                  {formatClock(now)}
                </p>
              </div>
            )}
            {maskDraft && (
              <MaskOverlay
                rects={maskDraft}
                onChange={setMaskDraft}
                imageWidth={figures.width ?? 0}
                imageHeight={figures.height ?? 0}
              />
            )}
            {!painted && !maskDraft && (
              <p class="absolute inset-0 flex items-center justify-center text-neutral-500">
                {offline ? "No picture" : "Waiting for the first frame…"}
              </p>
            )}
            {dim && (
              <DimmedCaption
                camera={camera}
                stale={stale}
                offline={offline}
                pictureAt={pictureAt}
                now={now}
              />
            )}
          </div>
          <div class="flex flex-wrap items-center gap-3">
            <button
              type="button"
              onClick={toggleFullscreen}
              aria-pressed={fullscreen}
              class={BUTTON}
              data-action="fullscreen"
            >
              <Icon d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5" />
              {fullscreen ? "Exit fullscreen" : "Fullscreen"}
            </button>
            <a
              href={snapshotUrl(serial)}
              // The hub names the file: serial and frame time.
              download
              class={BUTTON}
              data-action="snapshot"
            >
              <Icon d="M12 4v11m0 0l-4-4m4 4l4-4M5 20h14" />
              Download snapshot
            </a>
            <span class="font-mono text-sm text-neutral-400">
              frame age <span ref={age} data-age="">–</span>
            </span>
          </div>
          <Playback
            serial={serial}
            host={live}
            recording={isRecording(camera)}
            motion={isMotionActive(camera)}
            startAt={props.at}
            renderedAt={props.renderedAt}
          />
        </div>

        <div class="space-y-4">
          {props.canManage && <RenameForm camera={camera} onRenamed={setCamera} />}
          <RecordingMode camera={camera} canManage={props.canManage} onChanged={setCamera} />
          <MotionSettings
            serial={serial}
            canManage={props.canManage}
            draft={maskDraft}
            onDraft={setMaskDraft}
            analyzed={camera.motion?.enabled}
          />
          <Panel title="Stream">
            {stale && (
              <p class="mb-2 text-xs text-amber-200" data-stats-stale="">
                The hub is unreachable: counts as of{" "}
                {formatClock(conn.lostAt!, now)}, rates unknown.
              </p>
            )}
            <dl class={`${DL} ${stale ? "opacity-60" : ""}`} data-stats="">
              <Row label="Frame rate (hub)" value={stale ? "–" : formatFps(camera.fps)} />
              <Row label="Frame rate (here)" value={stale ? "–" : formatFps(figures.fps)} />
              <Row label="Bitrate" value={stale ? "–" : `${camera.kbps.toFixed(1)} kbit/s`} />
              <Row label="Frames" value={String(camera.frames)} />
              <Row label="Bad messages" value={String(camera.bad)} />
              <Row label="Skipped for slow viewers" value={String(camera.skipped)} />
              {figures.width && <Row label="Size" value={`${figures.width} × ${figures.height}`} />}
              {showLatency && <Row label="Camera → screen" value={formatAge(figures.latencyMs!)} />}
              <Row label="First seen" value={agoSince(camera.firstSeen, now)} />
              <Row
                label="Last frame"
                value={lastFrameAt > 0 ? formatAgo(now - lastFrameAt) : "never"}
              />
            </dl>
          </Panel>
          <Panel title="Device">
            {status
              ? (
                <dl class={DL} data-device-status="">
                  <Row label="Firmware" value={status.fw ?? "–"} />
                  <Row
                    label="Uptime"
                    value={status.uptime_s === undefined ? "–" : formatDuration(status.uptime_s)}
                  />
                  <Row
                    label="Free heap"
                    value={status.heap_free === undefined ? "–" : formatBytes(status.heap_free)}
                  />
                  <Row
                    label="Free PSRAM"
                    value={status.psram_free === undefined ? "–" : formatBytes(status.psram_free)}
                  />
                  <Row
                    label="Wi-Fi signal"
                    value={status.rssi_dbm === undefined ? "–" : formatRssi(status.rssi_dbm)}
                  />
                  <Row label="Frames sent" value={String(status.frames_sent ?? "–")} />
                  <Row label="Captures dropped" value={String(status.frames_skipped ?? "–")} />
                  <Row label="Reported" value={agoSince(status.at, now)} />
                </dl>
              )
              : <p class="text-sm text-neutral-400">No status report from this camera yet.</p>}
          </Panel>
        </div>
      </div>
    </section>
  );
}

function snapshotUrl(serial: string): string {
  return `/api/cameras/${encodeURIComponent(serial)}/snapshot.jpg`;
}

/** A 24px line icon; decorative, the button's text says what it does. */
function Icon({ d }: { d: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d={d} />
    </svg>
  );
}
