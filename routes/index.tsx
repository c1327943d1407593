/** The wall: every camera this viewer may see, live, arranged as this viewer left it. */
import type { HubPageProps, HubRouteContext } from "../lib/hub_state.ts";
import type { CameraInfo } from "../lib/registry.ts";
import { DEFAULT_WALL_PREFS, type WallPrefs } from "../lib/wall_prefs.ts";
import type { WallGroup } from "../lib/client/wall_layout.ts";
import { Head } from "../lib/web/head.ts";
import Wall from "../islands/Wall.tsx";

export interface WallData {
  cameras: CameraInfo[];
  renderedAt: number;
  /** The viewer's saved layout, so the first paint is already the right one. */
  prefs: WallPrefs;
  /** The groups with a camera this viewer may see, each with those members only. */
  groups: WallGroup[];
}

export function data(ctx: HubRouteContext): WallData {
  const { registry, canSee, peer } = ctx.state;
  const mine = (serial: string) => canSee(peer.cn, serial);
  const groups = (ctx.state.groups?.list() ?? [])
    .map((g) => ({ name: g.name, cameras: g.cameras.filter(mine) }))
    .filter((g) => g.cameras.length > 0);
  return {
    // Hidden cameras never reach the page: nothing of them to leak or to flash.
    cameras: registry.list().filter((c) => mine(c.serial) && !c.hidden),
    renderedAt: Date.now(),
    prefs: ctx.state.wallPrefs?.get(peer.cn) ?? { ...DEFAULT_WALL_PREFS },
    groups,
  };
}

export default function WallPage({ data }: HubPageProps<WallData>) {
  return (
    <>
      <Head>
        <title>Wall · trustcam</title>
      </Head>
      <Wall
        cameras={data.cameras}
        renderedAt={data.renderedAt}
        prefs={data.prefs}
        groups={data.groups}
      />
    </>
  );
}
