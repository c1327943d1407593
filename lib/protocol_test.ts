import assert from "node:assert/strict";
import {
  encodeMessage,
  errorMessage,
  helloMessage,
  liveCommand,
  motionMessage,
  pauseCommand,
  playCommand,
  replayEndedMessage,
  replayLiveMessage,
  replayPausedMessage,
  replayPlayingMessage,
  statsMessage,
  subscribeCommand,
  subscribedMessage,
  unsubscribeCommand,
} from "./protocol.ts";

const A = "0123A1B2C3D4E5F6A7";

Deno.test("protocol builders encode the messages of docs/protocol.md", () => {
  assert.equal(
    encodeMessage(helloMessage("alice", [])),
    '{"type":"hello","v":1,"viewer":"alice","cameras":[]}',
  );
  assert.equal(
    encodeMessage(subscribedMessage([A], false)),
    `{"type":"subscribed","cameras":["${A}"],"all":false}`,
  );
  assert.equal(encodeMessage(statsMessage([])), '{"type":"stats","cameras":[]}');
  assert.equal(
    encodeMessage(errorMessage({ code: "TC_ERR_FORBIDDEN", message: "No" })),
    '{"type":"error","code":"TC_ERR_FORBIDDEN","message":"No"}',
  );
  assert.equal(encodeMessage(subscribeCommand("*")), '{"type":"subscribe","cameras":"*"}');
  assert.equal(
    encodeMessage(unsubscribeCommand([A])),
    `{"type":"unsubscribe","cameras":["${A}"]}`,
  );
});

Deno.test("errorMessage() keeps only the code and the message", () => {
  const err = Object.assign(new Error("No"), { code: "TC_ERR_FORBIDDEN", stack: "secret" });
  assert.deepEqual(errorMessage(err), { type: "error", code: "TC_ERR_FORBIDDEN", message: "No" });
});

Deno.test("replay builders encode the messages of docs/protocol.md", () => {
  const t = Date.parse("2026-11-27T14:00:00.250Z");
  assert.equal(
    encodeMessage(playCommand(A, t, 4)),
    `{"type":"play","camera":"${A}","from":${t},"speed":4}`,
  );
  assert.equal(
    encodeMessage(playCommand(A, t)),
    `{"type":"play","camera":"${A}","from":${t},"speed":1}`,
  );
  assert.equal(encodeMessage(pauseCommand(A)), `{"type":"pause","camera":"${A}"}`);
  assert.equal(encodeMessage(liveCommand(A)), `{"type":"live","camera":"${A}"}`);
  assert.equal(
    encodeMessage(replayPlayingMessage(A, t, 0.5)),
    `{"type":"replay","camera":"${A}","state":"playing","from":"2026-11-27T14:00:00.250Z","speed":0.5}`,
  );
  assert.equal(
    encodeMessage(replayPausedMessage(A, t)),
    `{"type":"replay","camera":"${A}","state":"paused","at":"2026-11-27T14:00:00.250Z"}`,
  );
  assert.equal(
    encodeMessage(replayEndedMessage(A, t)),
    `{"type":"replay","camera":"${A}","state":"ended","at":"2026-11-27T14:00:00.250Z"}`,
  );
  assert.equal(
    encodeMessage(replayLiveMessage(A)),
    `{"type":"replay","camera":"${A}","state":"live"}`,
  );
});

Deno.test("motionMessage() is the notice with its type first", () => {
  const notice = {
    id: "e1",
    camera: A,
    state: "end" as const,
    startedAt: "2026-11-27T14:00:01.200Z",
    endedAt: "2026-11-27T14:00:09.800Z",
    score: 0.0731,
    box: { x: 0.12, y: 0.3, w: 0.6, h: 0.35 },
  };
  assert.equal(
    encodeMessage(motionMessage(notice)),
    `{"type":"motion","id":"e1","camera":"${A}","state":"end",` +
      `"startedAt":"2026-11-27T14:00:01.200Z","endedAt":"2026-11-27T14:00:09.800Z",` +
      `"score":0.0731,"box":{"x":0.12,"y":0.3,"w":0.6,"h":0.35}}`,
  );
});
