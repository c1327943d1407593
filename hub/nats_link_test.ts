import assert from "node:assert/strict";
import { openNatsLink } from "./nats_link.ts";
import type { BusSettings } from "../lib/bus_settings.ts";
import { startNatsServer } from "../tests/nats_fixture.ts";
import { createTestPki } from "../tests/pki_fixture.ts";
import { waitFor } from "../tests/wait_for.ts";

const settings = (url: string, more: Partial<BusSettings> = {}): BusSettings => ({
  servers: [url.replace(/^\w+:\/\//, "")],
  tls: url.startsWith("tls:"),
  caFile: null,
  certFile: null,
  keyFile: null,
  user: null,
  password: null,
  credsFile: null,
  ...more,
});

Deno.test("openNatsLink() returns at once while NATS is down, joins when it comes up, and follows a restart", async () => {
  await using nats = await startNatsServer();
  await nats.stop();
  const log: string[] = [];
  const link = openNatsLink({
    settings: settings(nats.url),
    name: "link-test",
    log: (event) => log.push(event),
  });
  try {
    assert.equal(link.connection, null);
    assert.equal(link.connected, false);
    await waitFor(() => log.includes("bus-unavailable"), 5000, "the link to report NATS down");
    const seen: unknown[] = [];
    link.onConnection((nc) => seen.push(nc));

    await nats.restart();
    await waitFor(() => link.connected, 5000, "the link to connect");
    assert.equal(seen.length, 1);
    assert.equal(seen[0], link.connection);
    assert.deepEqual(log.filter((e) => e === "bus-unavailable"), ["bus-unavailable"]);

    await nats.stop();
    await waitFor(() => !link.connected, 5000, "the link to notice the server gone");
    await nats.restart();
    await waitFor(() => link.connected, 10_000, "the link to reconnect");
    assert.equal(seen.length, 1, "nats.js reconnected the same connection");
    assert.deepEqual(log.filter((e) => e.startsWith("bus-") && e !== "bus-unavailable"), [
      "bus-connected",
      "bus-disconnected",
      "bus-connected",
    ]);
  } finally {
    await link.close();
  }
  assert.equal(log.at(-1), "bus-closed");
});

Deno.test("openNatsLink() connects over TLS with a client certificate and a user", async () => {
  const pki = await createTestPki();
  const dir = await Deno.makeTempDir({ prefix: "trustcam_natstls_" });
  try {
    const write = async (name: string, text: string) => {
      await Deno.writeTextFile(`${dir}/${name}`, text);
      return `${dir}/${name}`;
    };
    const caFile = await write("ca.pem", pki.caPem);
    const client = await pki.viewer("nats-hub");
    await using nats = await startNatsServer({
      tls: {
        certFile: await write("server.chain", pki.server.chainPem),
        keyFile: await write("server.key", pki.server.keyPem),
        caFile,
        verify: true,
      },
      user: { name: "hub", password: "s3cret" },
    });
    const link = openNatsLink({
      settings: settings(nats.url, {
        caFile,
        certFile: await write("hub.chain", client.chainPem),
        keyFile: await write("hub.key", client.keyPem),
        user: "hub",
        password: "s3cret",
      }),
      name: "tls-test",
      log: () => {},
    });
    try {
      await waitFor(() => link.connected, 5000, "the TLS link to connect");
      assert.equal(link.connection?.info?.tls_required, true);
      assert.equal(link.connection?.info?.tls_verify, true);
    } finally {
      await link.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await pki.cleanup();
  }
});
