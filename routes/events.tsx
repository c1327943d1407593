/** The motion events of the cameras this viewer may see (`?camera=` shows one first). */
import type { HubPageProps, HubRouteContext } from "../lib/hub_state.ts";
import { Head } from "../lib/web/head.ts";
import Events from "../islands/Events.tsx";

export interface EventsData {
  cameras: { serial: string; name: string }[];
  camera?: string;
  renderedAt: number;
}

export function data(ctx: HubRouteContext): EventsData {
  const { registry, canSee, peer } = ctx.state;
  const cameras = registry.list().filter((c) => canSee(peer.cn, c.serial))
    .map((c) => ({ serial: c.serial, name: c.name }));
  const asked = ctx.url.searchParams.get("camera")?.toUpperCase();
  // A camera this viewer may not see (or none such) is not echoed: all are shown.
  const camera = cameras.find((c) => c.serial === asked)?.serial;
  return { cameras, camera, renderedAt: Date.now() };
}

export default function EventsPage({ data }: HubPageProps<EventsData>) {
  return (
    <>
      <Head>
        <title>Motion events · trustcam</title>
      </Head>
      <Events cameras={data.cameras} camera={data.camera} renderedAt={data.renderedAt} />
    </>
  );
}
