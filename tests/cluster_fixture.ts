/**
 * Hubs joined by a real nats-server for the cluster tests (tests/hub_cluster_test.ts), and a
 * plain NATS client of the test's own to read the cluster's KV buckets as a hub sees them.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { BusSettings } from "../lib/bus_settings.ts";
import type { NatsServer } from "./nats_fixture.ts";
import { startTestHub, type TestHub } from "./hub_fixture.ts";
import type { HubConfig } from "../hub/config.ts";

export function busSettings(nats: NatsServer): BusSettings {
  return {
    servers: [`127.0.0.1:${nats.port}`],
    tls: false,
    caFile: null,
    certFile: null,
    keyFile: null,
    user: null,
    password: null,
    credsFile: null,
  };
}

/** A hub on the NATS bus; motion off: its analysis is a wildcard subscriber of its own. */
export function startClusterHub(
  nats: NatsServer,
  config: Partial<HubConfig> = {},
): Promise<TestHub> {
  return startTestHub({ bus: busSettings(nats), motion: "off", ...config });
}

/** Whether the hub's frame bus connected to NATS (its first connection). */
export const busConnected = (t: TestHub) => t.log.some((l) => l.startsWith("bus-connected"));

/** How many times the hub's cluster link connected to NATS (first connects and reconnects). */
export const clusterConnects = (t: TestHub) =>
  t.log.filter((l) => l.startsWith("cluster-connected")).length;

/** A NATS connection of the test's own; `await using` closes it. */
export async function natsClient(
  nats: NatsServer,
): Promise<NatsConnection & AsyncDisposable> {
  const nc = await connect({ servers: `127.0.0.1:${nats.port}` });
  return Object.assign(nc, { [Symbol.asyncDispose]: () => nc.close() });
}
