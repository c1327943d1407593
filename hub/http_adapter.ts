/**
 * Bridges node:https to the router's Request → Response world, the thin shell around
 * `createRouter()`. Bodies are bounded on the way in and streamed with backpressure on the
 * way out, so an MJPEG client that stops reading holds one part, not a queue.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { TrustcamError } from "../lib/errors.ts";

/** Converts a node request; the body is read whole up to `maxBody` bytes. */
export async function toRequest(
  req: IncomingMessage,
  origin: string,
  maxBody: number,
  signal: AbortSignal,
): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const method = req.method ?? "GET";
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBody) {
      throw new TrustcamError(
        "TC_ERR_BODY_TOO_LARGE",
        `Request body too large: ${declared} bytes > ${maxBody}`,
      );
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBody) {
        throw new TrustcamError(
          "TC_ERR_BODY_TOO_LARGE",
          `Request body too large: more than ${maxBody} bytes`,
        );
      }
      chunks.push(chunk);
    }
    body = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.byteLength;
    }
  }
  return new Request(new URL(req.url ?? "/", origin), { method, headers, body, signal });
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
  let closed = res.destroyed;
  const onClose = () => {
    closed = true;
    reader.cancel().catch(() => {});
  };
  res.once("close", onClose);
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
