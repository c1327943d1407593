/**
 * Bridges node:https to the app's Request → Response world, the thin shell around
 * `createApp()`. Bodies stream in as the app reads them and out with backpressure, so an
 * MJPEG client that stops reading holds one part, not a queue.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Converts a node request. The body streams as the app reads it: the app bounds it, and only
 * after it has admitted the peer (hub/app.ts `withBoundedBody`).
 */
export function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", origin);
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) {
    // Fetch's Request cannot carry these; the app still answers (after checking the peer).
    throw new RefusedMethod(method, new Request(url, { headers, signal }));
  }
  const body = method === "GET" || method === "HEAD"
    ? undefined
    : ReadableStream.from(req as AsyncIterable<Uint8Array>);
  return new Request(url, { method, headers, body, signal });
}

/** Methods the Fetch standard forbids in a Request; no route can serve them. */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/** A request whose method cannot be a Request: `request` is its GET twin, for the refusal. */
export class RefusedMethod extends Error {
  override name = "RefusedMethod";
  constructor(readonly method: string, readonly request: Request) {
    super(`Method not allowed: "${method}"`);
  }
}

/** Writes a Response to a node response, waiting for `drain` between body chunks. */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === "set-cookie") headers[name] = response.headers.getSetCookie();
    else headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body || res.req.method === "HEAD") {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  let closed = false;
  const onClose = () => {
    closed = true;
    reader.cancel().catch(() => {});
  };
  // A client gone before the first byte fires no more "close": the body is cancelled here.
  if (res.destroyed) onClose();
  else res.once("close", onClose);
  try {
    while (!closed) {
      const { done, value } = await reader.read();
      if (done) break;
      if (closed) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.on("drain", done);
          res.on("close", done);
        });
      }
    }
    if (!closed) res.end();
  } catch {
    // The client went away or the body failed midway: nothing left to tell it.
    if (!res.destroyed) res.destroy();
  } finally {
    res.off("close", onClose);
    reader.releaseLock();
  }
}
