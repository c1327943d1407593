import assert from "node:assert/strict";
import { type SocketStatus, ViewerSocket } from "./viewer_socket.ts";
import { buildViewerFrame } from "../trailer.ts";
import { withRecordedAt } from "../jpeg_com.ts";
import { encodeMessage, replayLiveMessage, replayPlayingMessage } from "../protocol.ts";
import type { HubMessage } from "./messages.ts";
import type { AccessProblem } from "./access_probe.ts";

const A = "0123000000000000AA";
const B = "0123000000000000BB";
const C = "0123000000000000CC";

interface Conn {
  url: URL;
  ws: WebSocket;
  texts: string[];
  closed: Promise<void>;
}

/**
 * A plain WebSocket server on 127.0.0.1 that records every connection; while `refusing`, it
 * answers upgrades 403, as the hub does for a revoked certificate.
 */
function fakeHub() {
  const conns: Conn[] = [];
  const ac = new AbortController();
  const hub = { refusing: false, refused: 0 };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    (req) => {
      if (hub.refusing) {
        hub.refused++;
        return new Response("403 revoked", { status: 403 });
      }
      const { socket, response } = Deno.upgradeWebSocket(req);
      const conn: Conn = {
        url: new URL(req.url),
        ws: socket,
        texts: [],
        closed: new Promise((r) => socket.addEventListener("close", () => r())),
      };
      socket.onmessage = (e) => conn.texts.push(String(e.data));
      conns.push(conn);
      return response;
    },
  );
  return Object.assign(hub, {
    conns,
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    async close() {
      ac.abort();
      await Promise.all(conns.map((c) => c.closed));
      await server.finished;
    },
  });
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("ViewerSocket splits frames, parses messages and keeps the subscription in sync", async () => {
  const hub = fakeHub();
  const frames: [string, number[]][] = [];
  const messages: HubMessage[] = [];
  const statuses: SocketStatus[] = [];
  const sock = new ViewerSocket({
    url: hub.url,
    onFrame: (serial, jpeg) => frames.push([serial, [...jpeg]]),
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    flushIntervalMs: 20,
  });
  try {
    sock.want([B, A]);
    sock.start();
    await until(() => hub.conns.length === 1 && sock.status === "open", "open");
    const conn = hub.conns[0];
    assert.equal(conn.url.searchParams.get("cameras"), `${A},${B}`);

    conn.ws.send(JSON.stringify({ type: "hello", v: 1, viewer: "alice", cameras: [] }));
    conn.ws.send(buildViewerFrame(new Uint8Array([0xff, 0xd8, 1, 2, 0xff, 0xd9]), A));
    conn.ws.send(new Uint8Array([1, 2, 3])); // too short for a trailer: ignored, counted
    await until(() => frames.length === 1 && messages.length === 1, "frame and hello");
    assert.deepEqual(frames[0], [A, [0xff, 0xd8, 1, 2, 0xff, 0xd9]]);
    assert.equal(messages[0].type, "hello");
    await until(() => sock.counters.badFrames === 1, "bad frame count");

    sock.want([B, C]);
    sock.want([B, C]); // the same set again sends nothing more
    await until(() => conn.texts.length === 2, "subscription update");
    assert.deepEqual(conn.texts.map((t) => JSON.parse(t)), [
      { type: "unsubscribe", cameras: [A] },
      { type: "subscribe", cameras: [C] },
    ]);

    // The hub's acknowledgement is what `confirmed` reports.
    assert.deepEqual([...sock.confirmed], []);
    conn.ws.send(JSON.stringify({ type: "subscribed", cameras: [B, C], all: false }));
    await until(() => sock.confirmed.size === 2, "the acknowledgement");
    assert.deepEqual([...sock.confirmed], [B, C]);

    sock.setPaused(true);
    await until(() => conn.texts.length === 3, "pause");
    assert.deepEqual(JSON.parse(conn.texts[2]), { type: "unsubscribe", cameras: [B, C] });
    sock.setPaused(false);
    await until(() => conn.texts.length === 4, "resume");
    assert.deepEqual(JSON.parse(conn.texts[3]), { type: "subscribe", cameras: [B, C] });
    assert.deepEqual(statuses, ["connecting", "open"]);
  } finally {
    sock.close();
    await hub.close();
  }
  assert.equal(sock.status, "closed");
});

Deno.test("ViewerSocket reconnects with backoff and resubscribes what it wants", async () => {
  const hub = fakeHub();
  const statuses: SocketStatus[] = [];
  const sock = new ViewerSocket({
    url: hub.url,
    onFrame: () => {},
    onStatus: (s) => statuses.push(s),
    backoff: { baseMs: 30, maxMs: 60 },
  });
  try {
    sock.want([A]);
    sock.start();
    await until(() => sock.status === "open", "open");
    sock.want([A, B]);
    hub.conns[0].ws.close(1001, "Hub shutting down");
    await until(() => hub.conns.length === 2 && sock.status === "open", "reconnect");
    assert.equal(hub.conns[1].url.searchParams.get("cameras"), `${A},${B}`);
    assert.deepEqual(statuses, ["connecting", "open", "reconnecting", "reconnecting", "open"]);
    assert.equal(sock.counters.connects, 2);
  } finally {
    sock.close();
    await hub.close();
  }
  // Closed by the page: no further attempt.
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(hub.conns.length, 2);
});

const REVOKED: AccessProblem = { code: "TC_ERR_REVOKED", message: "Certificate revoked" };

Deno.test("ViewerSocket stops for good when the hub closes it for a revoked certificate", async () => {
  const hub = fakeHub();
  const statuses: SocketStatus[] = [];
  const ended: [AccessProblem, string | undefined][] = [];
  let probes = 0;
  const sock = new ViewerSocket({
    url: hub.url,
    onFrame: () => {},
    onStatus: (s) => statuses.push(s),
    onEnded: (problem, viewer) => ended.push([problem, viewer]),
    probe: () => {
      probes++;
      return Promise.resolve(null);
    },
    backoff: { baseMs: 20, maxMs: 20 },
  });
  try {
    sock.start();
    await until(() => hub.conns.length === 1 && sock.status === "open", "open");
    hub.conns[0].ws.send(JSON.stringify({ type: "hello", v: 1, viewer: "alice", cameras: [] }));
    await until(() => sock.counters.messages === 1, "hello");
    hub.conns[0].ws.close(1008, "Certificate revoked");
    await until(() => ended.length === 1, "the end");
    assert.deepEqual(ended, [[REVOKED, "alice"]]);
    assert.deepEqual(sock.problem, REVOKED);
    assert.deepEqual(statuses, ["connecting", "open", "closed"]);
    // Ten backoff delays later: still one connection, and the close needed no probe.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(hub.conns.length, 1);
    assert.equal(probes, 0);
  } finally {
    sock.close();
    await hub.close();
  }
});

Deno.test("ViewerSocket probes after each refused upgrade and stops when the probe names the certificate", async () => {
  const hub = fakeHub();
  const statuses: SocketStatus[] = [];
  const ended: AccessProblem[] = [];
  /** What the probe answers, call by call: twice nothing (a hub restarting), then revoked. */
  const answers: (AccessProblem | null)[] = [null, null, REVOKED];
  let probes = 0;
  const sock = new ViewerSocket({
    url: hub.url,
    onFrame: () => {},
    onStatus: (s) => statuses.push(s),
    onEnded: (problem) => ended.push(problem),
    probe: () => Promise.resolve(answers[probes++] ?? null),
    backoff: { baseMs: 20, maxMs: 20 },
  });
  try {
    sock.start();
    await until(() => sock.status === "open", "open");
    hub.refusing = true;
    // The hub goes away (1001), then refuses every attempt before the WebSocket exists.
    hub.conns[0].ws.close(1001, "Hub shutting down");
    await until(() => ended.length === 1, "the end", 5000);
    assert.deepEqual(ended, [REVOKED]);
    // One probe per refused attempt; none after the 1001, which explained itself.
    assert.equal(hub.refused, 3);
    assert.equal(probes, 3);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(hub.refused, 3, "an attempt after the probe named the certificate");
    assert.equal(statuses.at(-1), "closed");
    assert.equal(statuses.filter((s) => s === "closed").length, 1);
  } finally {
    sock.close();
    await hub.close();
  }
});

Deno.test("ViewerSocket retries when a probe does not answer in time, and drops it when closed", async () => {
  const hub = fakeHub();
  hub.refusing = true;
  const signals: AbortSignal[] = [];
  const sock = new ViewerSocket({
    url: hub.url,
    onFrame: () => {},
    // A probe that hangs until aborted, as a fetch to a hub that never answers.
    probe: (signal) => {
      signals.push(signal);
      return new Promise((resolve) => signal.addEventListener("abort", () => resolve(null)));
    },
    probeTimeoutMs: 50,
    backoff: { baseMs: 10, maxMs: 10 },
  });
  try {
    sock.start();
    await until(() => hub.refused >= 2, "a retry after the probe timed out");
    assert.ok(signals[0].aborted);
    assert.ok(signals.length <= hub.refused, "more probes than failed attempts");
  } finally {
    sock.close();
    await hub.close();
  }
  // The probe in flight when the page closed is aborted, and nothing is retried.
  assert.ok(signals.every((s) => s.aborted));
  assert.equal(sock.problem, undefined);
});

Deno.test("ViewerSocket replays a camera: commands out, only the right frames in, resumed after a reconnect", async () => {
  const hub = fakeHub();
  const frames: [string, number | undefined][] = [];
  const sock = new ViewerSocket({
    url: hub.url,
    onFrame: (serial, _jpeg, _receivedAt, at) => frames.push([serial, at]),
    backoff: { baseMs: 20, maxMs: 20 },
  });
  const T0 = Date.UTC(2026, 10, 27, 14, 0, 0);
  const live = buildViewerFrame(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), A);
  const recorded = (t: number) =>
    buildViewerFrame(withRecordedAt(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), t), A);
  try {
    sock.want([A]);
    // Asked before the socket is open: sent once it is.
    sock.play(A, T0, 2);
    sock.start();
    await until(() => hub.conns[0]?.texts.length === 1, "the play command");
    const conn = hub.conns[0];
    assert.deepEqual(JSON.parse(conn.texts[0]), {
      type: "play",
      camera: A,
      from: T0,
      speed: 2,
    });
    conn.ws.send(live); // in flight before the hub switched
    conn.ws.send(encodeMessage(replayPlayingMessage(A, T0, 2)));
    conn.ws.send(recorded(T0 + 100));
    conn.ws.send(live); // never, after the acknowledgement; dropped all the same
    await until(() => sock.counters.frames === 3, "three frames");
    assert.deepEqual(frames, [[A, T0 + 100]]);
    assert.equal(sock.counters.replayDropped, 2);
    assert.equal(sock.replayState(A)?.mode, "playing");

    // The hub goes away: the replay resumes from the last frame painted.
    conn.ws.close(1001, "Hub shutting down");
    await until(() => hub.conns[1]?.texts.length === 1, "the play command again");
    assert.deepEqual(JSON.parse(hub.conns[1].texts[0]), {
      type: "play",
      camera: A,
      from: T0 + 100,
      speed: 2,
    });

    sock.pause(A);
    sock.goLive(A);
    await until(() => hub.conns[1].texts.length === 3, "pause and live");
    assert.deepEqual(hub.conns[1].texts.slice(1).map((t) => JSON.parse(t)), [
      { type: "pause", camera: A },
      { type: "live", camera: A },
    ]);
    hub.conns[1].ws.send(recorded(T0 + 200)); // in flight
    hub.conns[1].ws.send(encodeMessage(replayLiveMessage(A)));
    hub.conns[1].ws.send(live);
    await until(() => frames.length === 2, "a live frame");
    assert.deepEqual(frames[1], [A, undefined]);
    assert.equal(sock.replayState(A), undefined);
  } finally {
    sock.close();
    await hub.close();
  }
});

Deno.test("ViewerSocket.goLive() while hidden takes back the subscription `live` makes", async () => {
  const hub = fakeHub();
  const sock = new ViewerSocket({ url: hub.url, onFrame: () => {}, flushIntervalMs: 10 });
  try {
    sock.want([A]);
    sock.start();
    await until(() => sock.status === "open", "open");
    sock.play(A, Date.UTC(2026, 10, 27), 1);
    sock.setPaused(true);
    await until(() => hub.conns[0].texts.length === 3, "play, pause and unsubscribe");
    sock.goLive(A);
    await until(() => hub.conns[0].texts.length === 5, "live, then unsubscribe");
    assert.deepEqual(hub.conns[0].texts.map((t) => JSON.parse(t).type), [
      "play",
      "pause",
      "unsubscribe",
      "live",
      "unsubscribe",
    ]);
    assert.deepEqual([...sock.subscribed], []);
  } finally {
    sock.close();
    await hub.close();
  }
});

Deno.test("ViewerSocket pauses a replay while the tab is hidden and plays on when it is seen", async () => {
  const hub = fakeHub();
  const T0 = Date.UTC(2026, 10, 27, 14, 0, 0);
  const sock = new ViewerSocket({ url: hub.url, onFrame: () => {}, flushIntervalMs: 10 });
  try {
    sock.want([A]);
    sock.start();
    await until(() => sock.status === "open", "open");
    sock.play(A, T0, 2);
    sock.setPaused(true);
    sock.setPaused(false);
    await until(() => hub.conns[0].texts.length >= 3, "play, pause, play");
    const sent = hub.conns[0].texts.map((t) => JSON.parse(t));
    assert.deepEqual(sent.filter((m) => m.camera === A), [
      { type: "play", camera: A, from: T0, speed: 2 },
      { type: "pause", camera: A },
      { type: "play", camera: A, from: T0, speed: 2 },
    ]);
  } finally {
    sock.close();
    await hub.close();
  }
});

Deno.test("ViewerSocket puts stream options in the URL and sends their changes", async () => {
  const hub = fakeHub();
  const sock = new ViewerSocket({ url: hub.url, onFrame: () => {}, flushIntervalMs: 20 });
  try {
    const options = new Map([[A, { size: "tile" as const }], [B, { size: "tile" as const }]]);
    sock.want([A, B, C], (s) => options.get(s) ?? { size: "full" });
    sock.start();
    await until(() => hub.conns.length === 1 && sock.status === "open", "open");
    const conn = hub.conns[0];
    // The most common options go in the URL; the rest in a message on open.
    assert.equal(conn.url.searchParams.get("cameras"), `${A},${B}`);
    assert.equal(conn.url.searchParams.get("size"), "tile");
    assert.equal(conn.url.searchParams.get("maxFps"), null);
    await until(() => conn.texts.length === 1, "the other camera");
    assert.deepEqual(JSON.parse(conn.texts[0]), { type: "subscribe", cameras: [C] });
    assert.deepEqual(sock.streamOptions(A), { size: "tile" });

    // A data saver: every camera capped, one message per set of options.
    sock.want([A, B, C], (s) => ({ ...options.get(s) ?? { size: "full" }, maxFps: 2 }));
    await until(() => conn.texts.length === 3, "the caps");
    assert.deepEqual(conn.texts.slice(1).map((t) => JSON.parse(t)), [
      { type: "subscribe", cameras: [C], size: "full", maxFps: 2 },
      { type: "subscribe", cameras: [A, B], size: "tile", maxFps: 2 },
    ]);
    assert.deepEqual(sock.streamOptions(C), { size: "full", maxFps: 2 });
    assert.equal(sock.streamOptions("0123000000000000DD"), undefined);
  } finally {
    sock.close();
    await hub.close();
  }
});
