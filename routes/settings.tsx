/**
 * Settings: hidden cameras (show again, remove), hiding, and camera groups. Every viewer may
 * open it and sees what applies to the cameras it may see; only admins get the actions.
 */
import type { HubPageProps, HubRouteContext } from "../lib/hub_state.ts";
import { Head } from "../lib/web/head.ts";
import { isAdmin } from "../lib/roles.ts";
import { visibleGroups } from "../lib/camera_groups.ts";
import type { CameraInfo } from "../lib/registry.ts";
import type { CameraGroup } from "../lib/camera_groups.ts";
import Settings from "../islands/Settings.tsx";

export interface SettingsData {
  cameras: CameraInfo[];
  groups: CameraGroup[];
  canManage: boolean;
  renderedAt: number;
}

export function data(ctx: HubRouteContext): SettingsData {
  const { registry, canSee, peer, groups } = ctx.state;
  const visible = (serial: string) => canSee(peer.cn, serial);
  return {
    cameras: registry.list().filter((c) => visible(c.serial)),
    groups: visibleGroups(groups?.list() ?? [], visible),
    canManage: isAdmin(ctx.state),
    renderedAt: Date.now(),
  };
}

export default function SettingsPage({ data }: HubPageProps<SettingsData>) {
  return (
    <>
      <Head>
        <title>Settings · trustcam</title>
      </Head>
      <Settings {...data} />
    </>
  );
}
