/** One camera: 400 for a malformed serial, 403 when the policy hides it, 404 when unknown. */
import type { HubPageProps, HubRouteContext } from "../../lib/hub_state.ts";
import type { CameraInfo } from "../../lib/registry.ts";
import { cameraOf } from "../../lib/camera_access.ts";
import { isAdmin } from "../../lib/roles.ts";
import { Head } from "../../lib/web/head.ts";
import CameraView from "../../islands/CameraView.tsx";
import { parseAt } from "../../lib/client/motion_events.ts";

export interface CameraData {
  camera: CameraInfo;
  renderedAt: number;
  /** Whether the viewer may rename: the API refuses others anyway, the page hides the form. */
  canManage: boolean;
  /** `?at=` epoch ms (an event's link): the page plays the recording from there. */
  at?: number;
}

export function data(ctx: HubRouteContext): CameraData {
  const renderedAt = Date.now();
  return {
    camera: cameraOf(ctx),
    renderedAt,
    canManage: isAdmin(ctx.state),
    at: parseAt(ctx.url.searchParams.get("at"), renderedAt),
  };
}

export default function CameraPage({ data }: HubPageProps<CameraData>) {
  return (
    <>
      <Head>
        <title>{data.camera.name} · trustcam</title>
      </Head>
      <CameraView
        camera={data.camera}
        renderedAt={data.renderedAt}
        canManage={data.canManage}
        at={data.at}
      />
    </>
  );
}
