/**
 * The settings page: hidden cameras (show again, remove), every camera (hide), and camera
 * groups. Cameras stay current through the hub's socket (no frames: it subscribes to none);
 * groups are fetched again when the hub says they changed (`groups`). Admin actions are
 * offered to admins only; the hub checks again and its refusals are shown in its words.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { LiveView } from "../lib/client/live_view.ts";
import {
  followStatus,
  INITIAL_LINK_STATUS,
  isStale,
  type LinkStatus,
} from "../lib/client/link_status.ts";
import type { AccessProblem } from "../lib/client/access_probe.ts";
import { applyHubMessage, type CameraList } from "../lib/client/camera_list.ts";
import type { CameraInfo } from "../lib/client/messages.ts";
import type { CameraGroup } from "../lib/camera_groups.ts";
import {
  deleteGroup,
  fetchGroups,
  removeCamera,
  saveGroup,
  setHidden,
} from "../lib/client/admin_api.ts";
import { ConnectionStatus } from "../components/ConnectionStatus.tsx";
import { CertificateRefused } from "../components/CertificateRefused.tsx";
import { HiddenCameras } from "../components/HiddenCameras.tsx";
import { AllCameras } from "../components/AllCameras.tsx";
import { GroupEditor } from "../components/GroupEditor.tsx";

export interface SettingsProps {
  /** The cameras this viewer may see, by name. */
  cameras: CameraInfo[];
  /** The groups as this viewer may see them. */
  groups: CameraGroup[];
  /** Whether this viewer is an admin: others see the lists without the actions. */
  canManage: boolean;
  renderedAt: number;
}

export default function Settings(props: SettingsProps) {
  const [cameras, setCameras] = useState<CameraList>(props.cameras);
  const [groups, setGroups] = useState<readonly CameraGroup[]>(props.groups);
  const [groupsChanged, setGroupsChanged] = useState(0);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [groupBusy, setGroupBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(props.renderedAt);
  const [conn, setConn] = useState<LinkStatus>(INITIAL_LINK_STATUS);
  const [refused, setRefused] = useState<{ problem: AccessProblem; viewer?: string }>();

  const live = useMemo(
    () =>
      typeof document === "undefined" ? undefined : new LiveView({
        observeTiles: false,
        onMessage: (msg) => {
          if (msg.type === "groups") setGroupsChanged((n) => n + 1);
          else setCameras((list) => applyHubMessage(list, msg));
        },
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
    return () => {
      clearInterval(timer);
      live.close();
    };
  }, [live]);

  useEffect(() => {
    if (groupsChanged === 0) return;
    let current = true;
    fetchGroups().then((r) => {
      if (!current) return;
      if (r.ok) setGroups(r.body);
      else setError(r.error);
    });
    return () => {
      current = false;
    };
  }, [groupsChanged]);

  if (refused) return <CertificateRefused problem={refused.problem} viewer={refused.viewer} />;

  const stale = isStale(conn);
  /** Runs a camera action; the socket's camera event brings the change, the answer too. */
  const act = async (serial: string, call: () => Promise<{ ok: boolean; error?: string }>) => {
    setBusy((s) => new Set(s).add(serial));
    setError(undefined);
    const r = await call();
    if (!r.ok) setError(r.error);
    setBusy((s) => {
      const next = new Set(s);
      next.delete(serial);
      return next;
    });
    return r;
  };
  const onHidden = (serial: string, hidden: boolean) =>
    act(serial, async () => {
      const r = await setHidden(serial, hidden);
      if (r.ok) setCameras((list) => list.map((c) => c.serial === serial ? r.body : c));
      return r;
    });
  const onRemove = (serial: string) =>
    act(serial, async () => {
      const r = await removeCamera(serial);
      if (r.ok) setCameras((list) => list.filter((c) => c.serial !== serial));
      return r;
    });
  const group = async (run: () => Promise<{ ok: boolean; error?: string }>) => {
    setGroupBusy(true);
    const r = await run();
    setGroupBusy(false);
    // The hub's `groups` notice brings the new list; asking now spares a round trip's wait.
    if (r.ok) setGroupsChanged((n) => n + 1);
    return r.ok ? undefined : r.error;
  };

  const hidden = cameras.filter((c) => c.hidden === true);
  return (
    <section class="mx-auto max-w-5xl space-y-4" aria-labelledby="settings-title" data-settings="">
      <div class="flex flex-wrap items-baseline justify-between gap-3">
        <h1 id="settings-title" class="text-lg font-semibold text-neutral-100">Settings</h1>
        <ConnectionStatus
          status={conn.status}
          retryAt={conn.retryAt}
          lostAt={conn.lostAt}
          now={now}
          onRetry={() =>
            live?.retryNow()}
        />
      </div>
      {!props.canManage && (
        <p class="rounded-md bg-neutral-900 p-3 text-sm text-neutral-300 ring-1 ring-neutral-800">
          Only admins can hide, remove or group cameras. You can see the settings in force; ask an
          admin (the policy file's <code>admins</code>) to change them.
        </p>
      )}
      {error && (
        <p role="alert" class="rounded-md bg-amber-950 p-3 text-sm text-amber-200" data-error="">
          {error}
        </p>
      )}
      <HiddenCameras
        cameras={hidden}
        now={now}
        canManage={props.canManage}
        stale={stale}
        busy={busy}
        onShow={(serial) =>
          onHidden(serial, false)}
        onRemove={onRemove}
      />
      <AllCameras
        cameras={cameras}
        now={now}
        canManage={props.canManage}
        stale={stale}
        busy={busy}
        onHide={(serial) =>
          onHidden(serial, true)}
      />
      <GroupEditor
        groups={groups}
        cameras={cameras}
        canManage={props.canManage}
        busy={groupBusy}
        onSave={(name, members, previous) =>
          group(async () => {
            const r = await saveGroup(name, members);
            // A renamed group: the old name goes once the new one is saved.
            if (r.ok && previous !== undefined && previous !== r.body.name) {
              return await deleteGroup(previous);
            }
            return r;
          })}
        onDelete={(name) => group(() => deleteGroup(name))}
      />
    </section>
  );
}
