/** The wall: every camera this viewer may see, live. */
import type { PageProps, RouteContext } from "../lib/web/router.ts";
import type { HubState } from "../hub/state.ts";
import type { CameraInfo } from "../lib/registry.ts";
import { Head } from "../lib/web/head.ts";
import Wall from "../islands/Wall.tsx";

export interface WallData {
  cameras: CameraInfo[];
  renderedAt: number;
}

export function data(ctx: RouteContext<HubState>): WallData {
  const { registry, canSee } = ctx.state;
  return {
    cameras: registry.list().filter((c) => canSee(ctx.peer.cn, c.serial)),
    renderedAt: Date.now(),
  };
}

export default function WallPage({ data }: PageProps<WallData>) {
  return (
    <>
      <Head>
        <title>Wall · trustcam</title>
      </Head>
      <Wall cameras={data.cameras} renderedAt={data.renderedAt} />
    </>
  );
}
