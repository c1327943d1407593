/** One camera: 400 for a malformed serial, 403 when the policy hides it, 404 when unknown. */
import type { HubPageProps, HubRouteContext } from "../../lib/hub_state.ts";
import type { CameraInfo } from "../../lib/registry.ts";
import { cameraOf } from "../../lib/camera_access.ts";
import { isAdmin } from "../../lib/roles.ts";
import { Head } from "../../lib/web/head.ts";
import CameraView from "../../islands/CameraView.tsx";

export interface CameraData {
  camera: CameraInfo;
  renderedAt: number;
  /** Whether the viewer may rename: the API refuses others anyway, the page hides the form. */
  canManage: boolean;
}

export function data(ctx: HubRouteContext): CameraData {
  return { camera: cameraOf(ctx), renderedAt: Date.now(), canManage: isAdmin(ctx.state) };
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
      />
    </>
  );
}
