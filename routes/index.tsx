/** The wall: every camera this viewer may see, live. */
import type { HubPageProps, HubRouteContext } from "../lib/hub_state.ts";
import type { CameraInfo } from "../lib/registry.ts";
import { Head } from "../lib/web/head.ts";
import Wall from "../islands/Wall.tsx";

export interface WallData {
  cameras: CameraInfo[];
  renderedAt: number;
}

export function data(ctx: HubRouteContext): WallData {
  const { registry, canSee } = ctx.state;
  return {
    cameras: registry.list().filter((c) => canSee(ctx.state.peer.cn, c.serial)),
    renderedAt: Date.now(),
  };
}

export default function WallPage({ data }: HubPageProps<WallData>) {
  return (
    <>
      <Head>
        <title>Wall · trustcam</title>
      </Head>
      <Wall cameras={data.cameras} renderedAt={data.renderedAt} />
    </>
  );
}
