import assert from "node:assert/strict";
import {
  encodeMessage,
  errorMessage,
  helloMessage,
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
