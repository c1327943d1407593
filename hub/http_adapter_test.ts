import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { writeResponse } from "./http_adapter.ts";

/** Serves one request with `handle`, from a client that may leave early; resolves when handled. */
async function serveOnce(
  handle: (res: http.ServerResponse) => Promise<void>,
): Promise<void> {
  const handled = Promise.withResolvers<void>();
  const server = http.createServer((_req, res) => {
    handle(res).then(handled.resolve, handled.reject);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const req = http.get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
    res.resume();
  });
  req.on("error", () => {});
  try {
    await handled.promise;
  } finally {
    req.destroy();
    await new Promise((r) => server.close(r));
  }
}

Deno.test("writeResponse() cancels the body of a response whose client is already gone", async () => {
  let cancelled = false;
  await serveOnce(async (res) => {
    res.destroy();
    const body = new ReadableStream<Uint8Array>({
      pull() {
        // Never produces: only a cancel ends it.
      },
      cancel() {
        cancelled = true;
      },
    });
    await writeResponse(res, new Response(body));
  });
  assert.equal(cancelled, true);
});

Deno.test("writeResponse() writes a body to a client that stays", async () => {
  let pulled = 0;
  await serveOnce(async (res) => {
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (++pulled > 3) c.close();
        else c.enqueue(new TextEncoder().encode("x"));
      },
    });
    await writeResponse(res, new Response(body));
  });
  assert.equal(pulled, 4);
});
